"""What an explanation is about: a muscle, optionally in a state and on a side, checked against
the knowledge base with clear errors."""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Finding, Outcome
from ..knowledge import KnowledgeBase
from ..problems import InputError, Problem
from ..spelling import suggest


@dataclass(frozen=True)
class Target:
    muscle: str
    state: str | None = None  # overactive / underactive, or None for either
    side: str | None = None  # left / right / both, or None for any

    def matches(self, kb: KnowledgeBase, f: Finding) -> bool:
        """Does the reported finding ``f`` cover this target?"""
        if self.muscle not in kb.expand(f.muscle):
            return False
        if self.state and f.state != self.state:
            return False
        return side_covers(f.side, self.side)


def side_covers(found: str | None, wanted: str | None) -> bool:
    """A finding on ``found`` answers a question about ``wanted`` (None: any side)."""
    if wanted is None or found is None:
        return True
    if wanted == "both":
        return found == "both"
    return found in (wanted, "both")


def parse_target(kb: KnowledgeBase, muscle: str, state: str | None,
                 side: str | None) -> Target:
    """Validate the muscle id: unknown ids get a suggestion, groups a list of members."""
    ident = muscle.strip().lower()
    if ident in kb.groups:
        members = ", ".join(kb.expand(ident))
        raise InputError([Problem(
            "explain", ident, "", f"{ident} is a group ({members}), not a muscle",
            f"explain one of its members, e.g. imbalance explain {kb.expand(ident)[0]} ...")])
    if ident not in kb.muscles:
        raise InputError([Problem("explain", ident, "", "unknown muscle id",
                                  suggest(ident, [*kb.muscles, *kb.groups])
                                  or "see facts/muscles.yaml")])
    if side and not kb.muscles[ident].paired:
        raise InputError([Problem("explain", ident, "side",
                                  f"{ident} is a midline muscle and has no side",
                                  "leave out --side")])
    return Target(ident, state, side)


def findings_for(kb: KnowledgeBase, outcome: Outcome, target: Target) -> list[Finding]:
    """Reported findings about the target (a group finding counts for its members)."""
    return [f for f in outcome.findings if target.matches(kb, f)]
