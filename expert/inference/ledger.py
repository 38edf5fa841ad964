"""What one case's rule firings recorded: evidence for signs and muscles, and red flags.

Rule bodies write here instead of declaring a fact per conclusion: experta drops a declared fact
that equals an existing one (which would lose evidence while certainties combine), and every
declare costs time. The ledger keeps every contribution; combining happens once, in order-free
arithmetic, after the firings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import total_ordering


@total_ordering
@dataclass(frozen=True)
class Premise:
    """One fact a firing stood on: an answer, a sign or the subject's age."""

    kind: str  # answer | sign | subject | finding (a direct finding, for graph reasoning)
    id: str
    side: str | None
    certainty: float
    value: str = ""  # the answer as given (yes/left/...), the age, or a finding's state

    def order(self) -> tuple[object, ...]:
        # None (no side) sorts before any side; dataclass ordering would compare None with str
        return (self.kind, self.id, self.side or "", self.certainty, self.value)

    def __lt__(self, other: Premise) -> bool:
        return self.order() < other.order()


@total_ordering
@dataclass(frozen=True)
class Contribution:
    """One rule's contribution to one conclusion (a sign, or a muscle in a state)."""

    target: str
    side: str | None
    rule: str
    certainty: float
    premises: tuple[Premise, ...]
    state: str = ""  # overactive / underactive for muscles; "" for signs
    editions: tuple[str, ...] = ()
    via: tuple[str, ...] = ()
    relation: str = ""  # graph reasoning: the relation it followed

    def order(self) -> tuple[object, ...]:
        return (self.target, self.side or "", self.rule, self.certainty,
                tuple(p.order() for p in self.premises), self.state, self.editions, self.via,
                self.relation)

    def __lt__(self, other: Contribution) -> bool:
        return self.order() < other.order()


@total_ordering
@dataclass(frozen=True)
class Flag:
    rule: str
    premises: tuple[Premise, ...]

    def __lt__(self, other: Flag) -> bool:
        return (self.rule, tuple(p.order() for p in self.premises)) < (
            other.rule, tuple(p.order() for p in other.premises))


@dataclass
class Ledger:
    signs: list[Contribution] = field(default_factory=list)
    muscles: list[Contribution] = field(default_factory=list)
    secondary: list[Contribution] = field(default_factory=list)  # graph reasoning, weaker
    flags: list[Flag] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)


def strongest_per_rule(contributions: Iterable[Contribution]) -> list[float]:
    """One certainty per rule (the strongest of its alternatives): MYCIN's OR within a rule."""
    best: dict[str, float] = {}
    for c in contributions:
        key = (c.rule or f"answer:{c.target}") + (f"@{c.relation}" if c.relation else "")
        best[key] = max(best.get(key, 0.0), c.certainty)
    return list(best.values())
