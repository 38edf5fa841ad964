"""Choosing the exercises of one phase: a greedy cover of the phase's needs (the muscles found,
per side; the signs some exercise answers; for integration, the checkpoints involved) by the
catalogue's exercises, each judged first:

1. a condition that contraindicates its technique removes it;
2. a sign in its ``not_with`` list removes it (no hamstring stretch with an anterior pelvic tilt);
3. a target in a forbidden state removes it on that side (never roll or stretch a muscle found
   underactive or uncertain; never activate one found overactive), both sides for an exercise
   done with both sides at once;
4. no equipment option at hand.

A removed exercise's alternatives are tried in order (judged the same way).

The best exercise (at a reassessment one of the last block's, then a one-sided exercise for needs
on one side, then the most certainty covered,
then the most signs answered, then the fewest targets nothing asks for, then catalogue order) is
taken until nothing more is covered; one exercise answers every need it covers (one calf stretch
for two findings). Needs left over are explained by the removed
exercises that would have covered them (conditions first), or reported as not addressed.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace

from ..knowledge import KnowledgeBase
from ..knowledge.exercises import Exercise
from .catalogue import catalogue_of
from .equipment import needs_text, option_for
from .needs import PAIRED_SIDES, UNRESOLVED, NeedKey, Needs, need_order
from .safety import Screen, label

STATE_FOR = {"inhibit": "overactive", "lengthen": "overactive", "activate": "underactive"}
FORBIDDEN = {"inhibit": frozenset({"underactive", UNRESOLVED}),
             "lengthen": frozenset({"underactive", UNRESOLVED}),
             "activate": frozenset({"overactive"})}
VERB = {"inhibit": "roll", "lengthen": "stretch", "activate": "work"}
KIND_RANK = {"condition": 0, "sign": 1, "underactive_target": 2, "overactive_target": 2,
             "equipment": 3}


@dataclass(frozen=True)
class Choice:
    exercise: Exercise                 # what is done: the primary or its alternative
    primary: Exercise
    equipment: tuple[str, ...]
    covers: frozenset[NeedKey]
    missing: str = ""                  # what the primary needed, when an alternative is used
    why: str = ""                      # why the primary was not used, when an alternative is


@dataclass(frozen=True)
class Block:
    exercise: Exercise
    kind: str
    reason: str
    covers: frozenset[NeedKey]
    condition: str | None = None
    sources: tuple[str, ...] = ()


@dataclass
class PhaseChoice:
    chosen: list[Choice] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    remaining: set[NeedKey] = field(default_factory=set)


class Selector:
    def __init__(self, kb: KnowledgeBase, needs: Needs, screen: Screen,
                 at_hand: frozenset[str], prefer: frozenset[str] = frozenset()) -> None:
        self.kb, self.needs, self.screen, self.at_hand = kb, needs, screen, at_hand
        self.prefer = prefer          # a reassessment: the last block's exercises first
        self.catalogue = catalogue_of(kb)
        self.order = self.catalogue.order
        self.signs_seen = frozenset(needs.sign_sides())

    def leaves(self, ex: Exercise) -> tuple[str, ...]:
        return self.catalogue.leaves[ex.id]

    def touched(self, ex: Exercise, wanted: dict[NeedKey, float]) -> frozenset[NeedKey]:
        leaves = self.catalogue.leaf_sets[ex.id]
        return frozenset(
            k for k in wanted
            if (k[0] == "muscle" and k[1] in leaves) or (k[0] == "sign" and k[1] in ex.signs)
            or (k[0] == "checkpoint" and k[1] in ex.checkpoints))

    # -- judging one exercise ------------------------------------------------------------------
    def _sides(self, ex: Exercise, phase: str, touched: frozenset[NeedKey]
               ) -> tuple[frozenset[NeedKey], list[str]]:
        """The needs it may cover given the states of its targets, and why not the others."""
        bad = FORBIDDEN.get(phase)
        if bad is None:
            return touched, []
        leaves = self.leaves(ex)

        def names(leaf: str) -> str:
            name = self.kb.name(leaf)
            return name[:1].lower() + name[1:]

        def why(side: str | None) -> list[str]:
            where = f" on the {side}" if side else ""
            return [f"it would also {VERB[phase]} the {names(leaf)} (found "
                    f"{'uncertain' if state == UNRESOLVED else state}{where})"
                    for leaf, state in self.needs.conflicts(leaves, side, bad)]

        if not ex.sided:
            reasons = why(None)
            return (frozenset(), reasons) if reasons else (touched, [])
        wanted_sides: set[str] = set()
        for k in touched:
            wanted_sides |= {k[2]} if k[2] in PAIRED_SIDES else set(PAIRED_SIDES)
        ok = {s for s in wanted_sides if not why(s)}
        reasons = [r for s in sorted(wanted_sides - ok) for r in why(s)]
        covers = frozenset(k for k in touched
                           if k[2] in ok or (k[2] not in PAIRED_SIDES and ok))
        return covers, reasons

    def judge(self, ex: Exercise, phase: str, wanted: dict[NeedKey, float]
              ) -> Choice | Block | None:
        touched = self.touched(ex, wanted)
        if not touched:
            return None
        forbidden = self.screen.forbids(self.kb, ex)
        if forbidden is not None:
            return Block(ex, "condition", f"{label(self.kb, forbidden)}: {forbidden.reason}",
                         touched, forbidden.condition or "age", tuple(forbidden.sources))
        seen = [s for s in ex.not_with if s in self.signs_seen]
        if seen:
            signs = ", ".join(self.kb.name(s) for s in seen)
            return Block(ex, "sign", f"{ex.not_with_reason.strip()} (seen: {signs})", touched,
                         sources=tuple(ex.sources))
        covers, reasons = self._sides(ex, phase, touched)
        if not covers:
            kind = "overactive_target" if phase == "activate" else "underactive_target"
            text = "; ".join(dict.fromkeys(reasons))
            return Block(ex, kind, text[:1].upper() + text[1:], touched)
        option = option_for(ex, self.at_hand)
        if option is None:
            return Block(ex, "equipment",
                         f"Needs {needs_text(ex)}, which the subject does not have", covers)
        return Choice(ex, ex, option, covers)

    def resolve(self, ex: Exercise, phase: str, wanted: dict[NeedKey, float]
                ) -> Choice | Block | None:
        verdict = self.judge(ex, phase, wanted)
        if isinstance(verdict, Block):
            for alt in ex.alternatives:
                other = self.judge(self.kb.exercises[alt], phase, wanted)
                if isinstance(other, Choice):
                    missing = needs_text(ex) if verdict.kind == "equipment" else ""
                    return replace(other, primary=ex, missing=missing, why=verdict.reason)
        return verdict

    # -- covering a phase ----------------------------------------------------------------------
    def _specific(self, c: Choice, gain: AbstractSet[NeedKey]) -> int:
        sides = {k[2] for k in gain if k[0] == "muscle"}
        return int(c.exercise.sided and len(sides) == 1 and sides <= set(PAIRED_SIDES))

    def _extra(self, c: Choice, wanted: dict[NeedKey, float]) -> int:
        """How many of its targets nothing asks for (fewer is more precise)."""
        needed = {k[1] for k in wanted if k[0] == "muscle"}
        return len(self.catalogue.leaf_sets[c.exercise.id] - needed)

    def _signs_matched(self, c: Choice) -> int:
        return len(self.signs_seen.intersection(c.primary.signs))

    def select(self, phase: str, wanted: dict[NeedKey, float]) -> PhaseChoice:
        result = PhaseChoice(remaining=set(wanted))
        choices: list[Choice] = []
        blocks: list[Block] = []
        for ex in self.catalogue.candidates.get(phase, ()):
            verdict = self.resolve(ex, phase, wanted)
            if isinstance(verdict, Choice):
                choices.append(verdict)
            elif isinstance(verdict, Block):
                blocks.append(verdict)
        chosen: dict[str, Choice] = {}
        while True:
            best: Choice | None = None
            best_key: tuple[float, ...] | None = None
            for c in choices:
                gain = c.covers & result.remaining
                if not gain:
                    continue
                score = round(sum(wanted[k] for k in sorted(gain, key=need_order)), 6)
                kept = int(c.exercise.id in self.prefer or c.primary.id in self.prefer)
                key = (-kept, -self._specific(c, gain), -score, -self._signs_matched(c),
                       self._extra(c, wanted), self.order[c.primary.id])
                if best_key is None or key < best_key:
                    best, best_key = c, key
            if best is None:
                break
            choices.remove(best)
            result.remaining -= best.covers
            prev = chosen.get(best.exercise.id)
            chosen[best.exercise.id] = (best if prev is None
                                        else replace(prev, covers=prev.covers | best.covers))
        result.chosen = sorted(chosen.values(), key=lambda c: self.order[c.exercise.id])
        # explain what is left with the removed exercises that would have covered it
        while True:
            pick: Block | None = None
            pick_key: tuple[int, float, int] | None = None
            for b in blocks:
                gain = b.covers & result.remaining
                if not gain:
                    continue
                weight = sum(wanted[k] for k in sorted(gain, key=need_order))
                rank = (KIND_RANK[b.kind], -round(weight, 6), self.order[b.exercise.id])
                if pick_key is None or rank < pick_key:
                    pick, pick_key = b, rank
            if pick is None:
                break
            blocks.remove(pick)
            result.blocks.append(pick)
            result.remaining -= pick.covers
        return result
