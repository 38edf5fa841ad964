"""What one case's rule firings recorded: evidence for signs and muscles, and red flags.

Rule bodies write here instead of declaring a fact per conclusion: experta drops a declared fact
that equals an existing one (which would lose evidence while certainties combine), and every
declare costs time. The ledger keeps every contribution; combining happens once, in order-free
arithmetic, after the firings.
"""

from __future__ import annotations

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
    family: str = ""  # the rule's evidence family (rules/families.yaml); "" for none
    symptom: bool = False  # the rule stands on symptoms only (discounted when alone)
    grouped: bool = False  # the rule reached the muscle only by expanding a group it named
    link: float = 1.0  # the rule's own certainty for this conclusion, premises aside
    grounds: tuple[str, ...] = ()  # the answers it rests on, through signs

    def order(self) -> tuple[object, ...]:
        return (self.target, self.side or "", self.rule, self.certainty,
                tuple(p.order() for p in self.premises), self.state, self.editions, self.via,
                self.relation, self.family, self.symptom, self.grouped, self.link,
                self.grounds)

    @property
    def family_key(self) -> str:
        """What the contribution is independent of others by: its evidence family, else its
        rule (alternative derivations of one rule are MYCIN's OR), else the observed answer."""
        if self.family:
            return f"family:{self.family}"
        return (self.rule or f"answer:{self.target}") + (
            f"@{self.relation}" if self.relation else "")

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
