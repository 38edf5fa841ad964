"""What one case's rule firings recorded: evidence for signs and muscles, and red flags.

Rule bodies write here instead of declaring a fact per conclusion: experta drops a declared fact
that equals an existing one (which would lose evidence while certainties combine), and every
declare costs time. The ledger keeps every contribution; combining happens once, in order-free
arithmetic, after the firings.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Premise:
    """One fact a firing stood on: an answer, a sign or the subject's age."""

    kind: str  # answer | sign | subject
    id: str
    side: str | None
    certainty: float
    value: str = ""  # the answer as given (yes/left/...) or the age


@dataclass(frozen=True, order=True)
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


@dataclass(frozen=True, order=True)
class Flag:
    rule: str
    premises: tuple[Premise, ...]


@dataclass
class Ledger:
    signs: list[Contribution] = field(default_factory=list)
    muscles: list[Contribution] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
