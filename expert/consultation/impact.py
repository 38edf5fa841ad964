"""What counts as a *noticeable* change of a consultation's result: the definition behind "this
question could still change a finding" (``relevance``) and behind the closing line that says the
questions left out could not have.

Two outcomes differ noticeably when

- the referral differs (one refers and the other does not, or at another level or for other red
  flags); or
- some muscle, in some state, on some side (a finding on ``both`` sides counts on each; a group
  finding on each of its muscles) differs in certainty by ``noticeable_change`` (facts/kb.yaml)
  or more, appearing and disappearing included; or its certainty crosses the report threshold
  or the key-finding threshold (when the knowledge base has one).

A change of side is covered: a muscle found on ``both`` sides at 0.80 that becomes 0.86 on the
left has moved by 0.06 on the left.
"""

from __future__ import annotations

from ..findings import Outcome
from ..knowledge import KnowledgeBase

SIDES = ("left", "right")
Level = tuple[str, str | None, str]  # muscle, side, state


def levels(kb: KnowledgeBase, outcome: Outcome) -> dict[Level, float]:
    """The certainty of every muscle (groups expanded) in each state on each side."""
    out: dict[Level, float] = {}
    for f in outcome.findings:
        sides: tuple[str | None, ...] = SIDES if f.side == "both" else (f.side,)
        for leaf in f.members or kb.expand(f.muscle):
            for side in sides:
                key = (leaf, side, f.state)
                out[key] = max(out.get(key, 0.0), f.certainty)
    return out


def thresholds(kb: KnowledgeBase) -> tuple[float, ...]:
    """The certainties at which a finding is reported (and, when the knowledge base has the
    parameter, becomes a key finding)."""
    params = kb.meta.inference
    key = getattr(params, "key_threshold", None)
    return tuple(t for t in (params.report_threshold, key) if isinstance(t, float))


def moved(kb: KnowledgeBase, before: float, after: float) -> bool:
    """Is a change of one certainty from ``before`` to ``after`` noticeable?"""
    low, high = sorted((before, after))
    return high - low >= kb.meta.inference.noticeable_change - 1e-9 or any(
        low < t <= high for t in thresholds(kb))


def referral_key(outcome: Outcome) -> tuple[str, tuple[str, ...]] | None:
    r = outcome.referral
    return None if r is None else (r.level, tuple(sorted(r.red_flags)))


def noticeable(kb: KnowledgeBase, before: Outcome, after: Outcome) -> bool:
    """Do two outcomes differ noticeably (see the module's docstring)?"""
    if referral_key(before) != referral_key(after):
        return True
    a, b = levels(kb, before), levels(kb, after)
    return any(moved(kb, a.get(k, 0.0), b.get(k, 0.0)) for k in a.keys() | b.keys())
