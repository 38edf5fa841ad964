"""What the findings ask of a programme: which muscles on which side need inhibiting and
lengthening (overactive) or activating (underactive), which must be left alone (a muscle found
underactive, or whose evidence cancelled out, is never rolled or stretched; one found overactive
is never activated), which signs were seen and which kinetic-chain checkpoints are involved.

Only key findings (``expert.focus``) ask for exercises, and only signs as certain as a key finding
call for one by themselves; every finding and sign, possible ones included, still counts for the
safety checks (a possibly underactive muscle is not stretched either).

A need is keyed ``(kind, id, side)``: ``("muscle", leaf, side)`` with side ``left``, ``right`` or
None for a midline muscle, ``("sign", sign, side)`` and ``("checkpoint", checkpoint, None)``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..findings import Finding, Outcome
from ..focus import is_key
from ..knowledge import KnowledgeBase

NeedKey = tuple[str, str, str | None]


def need_order(key: NeedKey) -> tuple[str, str, str]:
    """Sort key for need keys: no side (None) sorts before any side."""
    return (key[0], key[1], key[2] or "")
PAIRED_SIDES = ("left", "right")
UNRESOLVED = "unresolved"


def finding_label(f: Finding) -> str:
    return f"{f.muscle}@{f.side}" if f.side else f.muscle


class Needs:
    def __init__(self, kb: KnowledgeBase, outcome: Outcome) -> None:
        self.kb = kb
        # (leaf, side) -> states found there (overactive, underactive, unresolved)
        self.states: dict[tuple[str, str | None], set[str]] = defaultdict(set)
        self.muscle: dict[str, dict[NeedKey, float]] = {"overactive": {}, "underactive": {}}
        self.labels: dict[NeedKey, list[tuple[float, str]]] = defaultdict(list)
        self.findings: dict[NeedKey, list[Finding]] = defaultdict(list)
        for f in outcome.findings:
            self._add(f, f.state)
        for f in outcome.unresolved:
            self._add(f, UNRESOLVED)
        threshold = kb.meta.inference.premise_threshold
        # signs seen (safety: not_with) and signs that call for exercises (as certain as a key
        # finding)
        self.seen: dict[NeedKey, float] = {}
        self.signs: dict[NeedKey, float] = {}
        for (sign, side), (cf, _) in sorted(outcome.signs.items(),
                                            key=lambda kv: (kv[0][0], kv[0][1] or "")):
            if cf >= threshold:
                self.seen[("sign", sign, side)] = cf
                if is_key(kb, cf):
                    self.signs[("sign", sign, side)] = cf

    def sides_of(self, leaf: str, side: str | None) -> tuple[str | None, ...]:
        """The concrete sides a finding's side stands for on one muscle."""
        if not self.kb.muscles[leaf].paired:
            return (None,)
        return PAIRED_SIDES if side in (None, "both") else (side,)

    def _add(self, f: Finding, state: str) -> None:
        for leaf in f.members or self.kb.expand(f.muscle):
            for side in self.sides_of(leaf, f.side):
                self.states[(leaf, side)].add(state)
                if state in self.muscle and is_key(self.kb, f.certainty):
                    key: NeedKey = ("muscle", leaf, side)
                    table = self.muscle[state]
                    table[key] = max(table.get(key, 0.0), f.certainty)
                    self.labels[key].append((f.certainty, finding_label(f)))
                    self.findings[key].append(f)

    @property
    def empty(self) -> bool:
        return not self.muscle["overactive"] and not self.muscle["underactive"]

    def states_at(self, leaf: str, side: str | None) -> set[str]:
        """States found for a leaf on a side (a midline record counts for every side)."""
        found = set(self.states.get((leaf, None), ()))
        if side is not None:
            found |= self.states.get((leaf, side), set())
        else:
            for s in PAIRED_SIDES:
                found |= self.states.get((leaf, s), set())
        return found

    def conflicts(self, leaves: Iterable[str], side: str | None,
                  bad: frozenset[str]) -> list[tuple[str, str]]:
        """(leaf, state) pairs that forbid working these leaves on this side (None: any side)."""
        out = []
        for leaf in leaves:
            for state in sorted(self.states_at(leaf, side) & bad):
                out.append((leaf, state))
        return out

    def sign_sides(self) -> dict[str, set[str | None]]:
        """Every sign seen (possible ones too), with its sides."""
        out: dict[str, set[str | None]] = defaultdict(set)
        for _, sign, side in self.seen:
            out[sign].add(side)
        return out

    def sign_places(self) -> dict[NeedKey, str]:
        """Each sign seen and its checkpoint (conditions and red flags are not places)."""
        kb, out = self.kb, {}
        for key in self.signs:
            sign = key[1]
            if sign in kb.signs:
                out[key] = kb.signs[sign].checkpoint
            else:
                question = kb.questions.get(sign)
                if question is not None and question.category not in ("condition", "red_flag"):
                    out[key] = question.region
        return out

    def checkpoints(self, region_checkpoints: dict[str, str]) -> dict[NeedKey, float]:
        """Checkpoints involved: those of the signs seen, else those of the muscles found."""
        kb = self.kb
        out: dict[NeedKey, float] = {}
        for key, place in self.sign_places().items():
            if place in kb.checkpoints:
                cp: NeedKey = ("checkpoint", place, None)
                out[cp] = max(out.get(cp, 0.0), self.signs[key])
        if not out:
            for state in self.muscle.values():
                for (_, leaf, _), cf in state.items():
                    place = region_checkpoints.get(kb.muscles[leaf].region, "")
                    if place in kb.checkpoints:
                        cp = ("checkpoint", place, None)
                        out[cp] = max(out.get(cp, 0.0), cf)
        return out

    def scored(self, keys: Iterable[NeedKey]) -> dict[str, float]:
        """The findings (or signs) a set of needs stands for, with their certainties."""
        scored: dict[str, float] = {}
        for key in keys:
            if key[0] == "sign":
                label = f"{key[1]}@{key[2]}" if key[2] else key[1]
                scored[label] = max(scored.get(label, 0.0), self.signs.get(key, 0.0))
            for cf, label in self.labels.get(key, ()):
                scored[label] = max(scored.get(label, 0.0), cf)
        return scored

    def addressed(self, keys: Iterable[NeedKey]) -> tuple[str, ...]:
        """The findings (or signs) a set of needs stands for, strongest first, once each."""
        scored = self.scored(keys)
        return tuple(sorted(scored, key=lambda lb: (-scored[lb], lb)))
