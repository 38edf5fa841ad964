"""One case's findings judged against its ``expected`` block, as plain data for its record.

Owns the per-case verdict that :mod:`expert.batch.scoring` adds up: which expected items were
met (group-aware and side-aware, through :mod:`expert.expectations`), which findings answer an
expectation (the basis of precision and of certainty calibration), whether sided items came out
on the right side, the referral verdict, and the case's worst kind of error.

Only states the case checks count: ``overactive: [...]`` checks overactive findings, a missing
key checks nothing, an empty list says nothing may be reported in that state.
"""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..expectations import finding_expected, item_met, item_reported, misses
from ..findings import STATES, Outcome
from ..knowledge import KnowledgeBase

# kinds of disagreement, worst first: a missed referral is the worst error a consultant can make
WORST = ("missed_referral", "under_triage", "over_referral", "missed_finding", "wrong_side",
         "unexpected_finding")
SEVERITY = {kind: len(WORST) - i for i, kind in enumerate(WORST)}
LEVELS = (None, "refer", "emergency")


def referral_verdict(expected: str | None, got: str | None) -> str:
    """``correct``, ``missed`` (a referral was due and none was made), ``under_triage`` (an
    emergency judged a routine referral) or ``over_referral`` (referred, or referred more
    urgently, than expected)."""
    if expected == got:
        return "correct"
    if got is None:
        return "missed"
    if LEVELS.index(got) < LEVELS.index(expected):
        return "under_triage"
    return "over_referral"


def ratios(matched: int, reported: int, met: int, expected: int) -> dict[str, float | None]:
    """Precision (matched / reported), recall (met / expected) and their F1; None where a
    denominator is zero."""
    precision = matched / reported if reported else None
    recall = met / expected if expected else None
    f1 = None
    if precision is not None and recall is not None:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": _round(precision), "recall": _round(recall), "f1": _round(f1)}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def judge(case: Case, kb: KnowledgeBase, outcome: Outcome
          ) -> tuple[dict[str, Any] | None, list[bool | None]]:
    """The case's evaluation and, for each of ``outcome.findings`` in order, whether it answers
    an expectation (None when its state is not checked). ``(None, [None, ...])`` without an
    ``expected`` block."""
    expected = case.expected
    labels: list[bool | None] = [None] * len(outcome.findings)
    if expected is None:
        return None, labels
    items: list[dict[str, Any]] = []
    states: dict[str, dict[str, Any] | None] = {}
    kinds: set[str] = set()
    for state in STATES:
        wanted = getattr(expected, state)
        if wanted is None:
            states[state] = None
            continue
        for i, f in enumerate(outcome.findings):
            if f.state == state:
                labels[i] = finding_expected(kb, f, wanted)
        reported = sum(1 for f in outcome.findings if f.state == state)
        matched = sum(1 for f, ok in zip(outcome.findings, labels, strict=True)
                      if f.state == state and ok)
        met = 0
        for item in wanted:
            ok = item_met(kb, outcome.findings, state, item)
            side = None
            if "@" in item and item_reported(kb, outcome.findings, state, item):
                side = "ok" if ok else "wrong"
            met += ok
            if not ok:
                kinds.add("wrong_side" if side == "wrong" else "missed_finding")
            items.append({"state": state, "item": item, "met": ok, "side": side})
        if not wanted and reported:
            kinds.add("unexpected_finding")
        states[state] = {"expected": len(wanted), "met": met, "reported": reported,
                         "matched": matched, **ratios(matched, reported, met, len(wanted))}
    referral = None
    if case.checks_referral:
        got = outcome.referral.level if outcome.referral else None
        verdict = referral_verdict(expected.referral, got)
        referral = {"expected": expected.referral, "got": got, "verdict": verdict}
        if verdict != "correct":
            kinds.add({"missed": "missed_referral"}.get(verdict, verdict))
    found = misses(case, kb, outcome)
    sided = [i for i in items if i["side"]]
    evaluation = {
        "passed": not found,
        "misses": found,
        "worst": min(kinds, key=WORST.index) if kinds else None,
        **states,
        "sides": {"checked": len(sided), "right": sum(1 for i in sided if i["side"] == "ok")},
        "referral": referral,
        "items": items,
        "unexpected": [_label(f.muscle, f.side) for f, ok in
                       zip(outcome.findings, labels, strict=True) if ok is False],
    }
    return evaluation, labels


def _label(muscle: str, side: str | None) -> str:
    return f"{muscle}@{side}" if side else muscle
