"""Checking a case's findings against its ``expected`` block.

Group-aware (a group id is met by the group or any of its members, a member by a group that
contains it) and side-aware (``@left`` is met by a finding on the left or on both sides;
``@both`` needs both sides). An explicitly empty list means nothing may be reported in that state.
"""

from __future__ import annotations

from collections.abc import Iterable

from .case import Case
from .findings import Finding, Outcome
from .knowledge import KnowledgeBase


def _covers(kb: KnowledgeBase, reported: str, wanted: str) -> bool:
    return bool(set(kb.expand(reported)) & set(kb.expand(wanted)))


def _side_ok(found: str | None, wanted: str | None) -> bool:
    if wanted is None or found is None:
        return True
    return found == wanted or found == "both"


def _has(kb: KnowledgeBase, outcome: Outcome, state: str, item: str) -> bool:
    return item_met(kb, outcome.findings, state, item)


def item_met(kb: KnowledgeBase, findings: Iterable[Finding], state: str, item: str) -> bool:
    """Whether findings meet one expected ``item`` (``node`` or ``node@side``) in ``state``."""
    node, _, side = item.partition("@")
    sides = {f.side for f in findings if f.state == state and _covers(kb, f.muscle, node)}
    if side == "both":
        return "both" in sides or {"left", "right"} <= sides or None in sides
    return any(_side_ok(s, side or None) for s in sides)


def item_reported(kb: KnowledgeBase, findings: Iterable[Finding], state: str, item: str) -> bool:
    """Whether the item's muscle or group is reported in ``state`` on any side."""
    node = item.partition("@")[0]
    return any(f.state == state and _covers(kb, f.muscle, node) for f in findings)


def finding_expected(kb: KnowledgeBase, finding: Finding, items: Iterable[str]) -> bool:
    """Whether a finding answers one of the expected ``items`` of its state: group-aware, and
    on an overlapping side (a side-less item, a midline muscle or ``both`` overlap any side)."""
    for item in items:
        node, _, side = item.partition("@")
        if not _covers(kb, finding.muscle, node):
            continue
        if not side or finding.side in (None, "both", side) or side == "both":
            return True
    return False


def misses(case: Case, kb: KnowledgeBase, outcome: Outcome) -> list[str]:
    """What the outcome fails to meet of the case's expectations, one sentence each."""
    expected = case.expected
    if expected is None:
        return []
    out = []
    referral = outcome.referral.level if outcome.referral else None
    if case.checks_referral and referral != expected.referral:
        out.append(f"referral: expected {expected.referral or 'none'}, got {referral or 'none'}")
    for state in ("overactive", "underactive"):
        wanted = getattr(expected, state)
        if wanted is None:
            continue
        if not wanted:
            extra = sorted(f.muscle for f in outcome.findings if f.state == state)
            if extra:
                out.append(f"{state}: expected none, got {', '.join(extra)}")
            continue
        for item in wanted:
            if not _has(kb, outcome, state, item):
                out.append(f"{state}: expected {item}, not reported")
    return out
