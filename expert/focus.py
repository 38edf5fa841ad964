"""Key and possible findings.

A reported finding at least as certain as the knowledge base's ``key_threshold``
(``facts/kb.yaml`` ``inference:``) is a *key* finding: reports lead with it and the corrective
programme answers it. Weaker reported findings are *possible* ones: listed briefly, with no
exercises. The comparison uses the certainty as reports print it (rounded), so a finding shown
at the threshold is key.
"""

from __future__ import annotations

from .certainty import rounded
from .knowledge import KnowledgeBase


def is_key(kb: KnowledgeBase, certainty: float) -> bool:
    """Whether a finding this certain is a key finding."""
    return rounded(certainty) >= kb.meta.inference.key_threshold
