"""Explanations with their counterfactual, as ``imbalance explain`` and the results pages of
``imbalance serve`` give them: a why with the smallest change of answers that would clear the
finding, a why-not with the smallest change that would flag the muscle."""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..provenance import answers_behind
from .target import Target, findings_for
from .whatif import clearing_candidates, raising_candidates, smallest_change
from .why import why
from .whynot import why_not


def why_and_change(reasoner: Reasoner, case: Case, outcome: Outcome,
                   target: Target) -> dict[str, Any]:
    """``why``, each finding with its ``counterfactual`` (None when none was found)."""
    kb = reasoner.kb
    data = why(kb, case, outcome, target)
    for f, entry in zip(findings_for(kb, outcome, target), data["findings"], strict=True):
        behind = [p.id for c in f.support for p in answers_behind(c, outcome.signs)
                  if p.kind == "answer"]
        entry["counterfactual"] = smallest_change(
            reasoner, case, target, clearing_candidates(kb, case, behind), clear=True)
    return data


def why_not_and_change(reasoner: Reasoner, case: Case, outcome: Outcome,
                       target: Target) -> dict[str, Any]:
    """``why_not`` with its ``counterfactual`` when the muscle is not flagged (and no red
    flag referred)."""
    kb = reasoner.kb
    data = why_not(kb, case, outcome, target)
    if data["status"] not in ("flagged", "referral"):
        candidates = raising_candidates(kb, [*data["missing"], *data["answered_no"]],
                                        target.side)
        data["counterfactual"] = smallest_change(reasoner, case, target, candidates,
                                                 clear=False)
    return data
