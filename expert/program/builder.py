"""Building the programme of one case: no programme under a referral; otherwise the four phases
in order (inhibit and lengthen the overactive muscles, activate the underactive ones, integrate
the checkpoints involved), with what conditions, findings or missing equipment removed, the
findings no technique answers, the schedule, the doses used and the safety notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ..case import Case
from ..findings import Outcome
from ..focus import is_key
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import PHASES, Exercise
from ..screening import screen_status
from .catalogue import catalogue_of
from .core import Candidate, choose
from .dosing import dose_for, dose_summary
from .equipment import available
from .model import CoreSummary, Item, Option, PhasePlan, Program, Removed, Unaddressed
from .needs import PAIRED_SIDES, NeedKey, Needs, need_order
from .progression import Previous, progress
from .safety import Screen, label
from .schedule import schedule_for
from .selection import STATE_FOR, Choice, PhaseChoice, Selector
from .timing import minutes, span


def fold(kb: KnowledgeBase, leaves: set[str]) -> tuple[str, ...]:
    """Muscles as shown: a group replaces its members when all of them are there."""
    return catalogue_of(kb).fold(leaves)


def _side(ex: Exercise, covers: frozenset[NeedKey]) -> str | None:
    if not ex.sided:
        return None
    sides: set[str] = set()
    for kind, _, side in covers:
        if kind in ("muscle", "sign"):
            sides |= {side} if side in PAIRED_SIDES else set(PAIRED_SIDES)
    if len(sides) == 1:
        return sides.pop()
    return "both"


class _Builder:
    def __init__(self, kb: KnowledgeBase, case: Case, outcome: Outcome,
                 previous: Previous | None = None) -> None:
        self.kb, self.case, self.outcome, self.previous = kb, case, outcome, previous
        self.plan = next(iter(kb.plans.values()))
        self.needs = Needs(kb, outcome)
        self.screen = Screen.of(kb, case)
        self.at_hand, self.assumed = available(case, self.plan)
        # at a reassessment the exercises of the last block come first where they still answer
        # a need (and pass every gate), so that they can be progressed
        self.selector = Selector(kb, self.needs, self.screen, self.at_hand,
                                 frozenset(previous.levels) if previous else frozenset())
        self.removed: list[Removed] = []
        # (phase, exercise) -> what the item answers and how certainly (for the core's priority)
        self.answers: dict[tuple[str, str], dict[str, float]] = {}

    def wanted(self, phase: str) -> dict[NeedKey, float]:
        if phase == "integrate":
            return self.needs.checkpoints(self.plan.region_checkpoints)
        wanted = dict(self.needs.muscle[STATE_FOR[phase]])
        signs = catalogue_of(self.kb).signs.get(phase, frozenset())
        if wanted:   # sign-triggered extras (the thoracic roll) only alongside muscle needs
            wanted.update({k: cf for k, cf in self.needs.signs.items() if k[1] in signs})
        return wanted

    def item(self, c: Choice, phase: str) -> Item:
        kb, ex, age = self.kb, c.exercise, self.screen.age
        side = _side(ex, c.covers)
        options = []
        for tech in ex.options:
            forbidden = self.screen.forbids(kb, ex, tech)
            if forbidden is not None:
                self.removed.append(Removed(
                    ex.id, ex.name, phase, "condition",
                    f"{label(kb, forbidden)}: {forbidden.reason}", forbidden.condition or "age",
                    tech, kb.doses[tech].name, (), tuple(forbidden.sources)))
            else:
                options.append(Option(tech, kb.doses[tech].name,
                                       dose_for(kb, tech, None, age, side == "both")))
        leaves = {k[1] for k in c.covers if k[0] == "muscle"}
        targets = fold(kb, leaves)
        addresses = (self.integrates(c) if phase == "integrate"
                     else self.needs.addressed(c.covers))
        places = tuple(k[1] for k in sorted(c.covers, key=need_order) if k[0] == "checkpoint")
        instead = None
        if c.primary.id != ex.id:
            instead = {"exercise": c.primary.id, "name": c.primary.name,
                       "missing": c.missing or None, "reason": c.why}
        return Item(
            ex.id, ex.name, phase, ex.technique, targets, tuple(kb.name(t) for t in targets),
            side, not ex.sided, dose_for(kb, ex.technique, ex, age, side == "both"),
            c.equipment, instead, tuple(options), addresses, places,
            tuple(kb.checkpoints[p].name for p in places), tuple(ex.cues),
            tuple(ex.regressions), tuple(ex.progressions), tuple(ex.precautions),
            self.screen.adaptations(kb, ex, [ex.technique, *(o.technique for o in options)]),
            ex.confidence, tuple(ex.sources), ex.notes.strip())

    def phase(self, phase: str) -> tuple[PhasePlan, PhaseChoice]:
        wanted = self.wanted(phase)
        picked = self.selector.select(phase, wanted)
        items = tuple(self.item(c, phase) for c in picked.chosen)
        for c in picked.chosen:
            # the core's priority weighs the findings an item answers; a sign-only item (the
            # thoracic roll for shoulder elevation) answers none, and integration answers the
            # signs and checkpoints it integrates
            kinds = ("sign", "checkpoint") if phase == "integrate" else ("muscle",)
            answers = self.needs.scored(k for k in c.covers if k[0] in kinds)
            for k in c.covers:
                if k[0] == "checkpoint":
                    answers[k[1]] = max(answers.get(k[1], 0.0), wanted[k])
            self.answers[(phase, c.exercise.id)] = answers
        for b in picked.blocks:
            leaves = {k[1] for k in b.covers if k[0] == "muscle"}
            self.removed.append(Removed(b.exercise.id, b.exercise.name, phase, b.kind, b.reason,
                                        b.condition, None, None, fold(self.kb, leaves),
                                        b.sources))
        note = ""
        if not items:
            if not wanted:
                note = {"inhibit": "No overactive muscle was found.",
                        "lengthen": "No overactive muscle was found.",
                        "activate": "No underactive muscle was found.",
                        "integrate": "No region to integrate."}[phase]
            elif picked.blocks:
                note = "Everything this phase would hold was left out (see below)."
            else:
                note = "No catalogue technique for the muscles found."
        return PhasePlan(phase, items, note), picked

    def integrates(self, c: Choice) -> tuple[str, ...]:
        """The signs seen that an integration item answers (by name or by checkpoint)."""
        places = {k[1] for k in c.covers}
        out = []
        for (_, sign, side), place in self.needs.sign_places().items():
            if sign in c.exercise.signs or sign in c.primary.signs or place in places:
                out.append(f"{sign}@{side}" if side else sign)
        return tuple(dict.fromkeys(out))

    def focus(self, phases: list[PhasePlan]) -> tuple[list[PhasePlan], CoreSummary | None]:
        """Every item timed and marked core or extra (``core.py``); the core's summary."""
        kb, spec = self.kb, self.plan.core
        timed: list[PhasePlan] = []
        candidates: list[Candidate] = []
        for p in phases:
            items = []
            for item in p.items:
                sides = 2 if item.side == "both" else 1
                item = replace(item, seconds=span(item.dose, kb.doses[item.technique].timing,
                                                  sides))
                candidates.append(Candidate(len(candidates), p.phase,
                                            self.answers[(p.phase, item.exercise)],
                                            item.seconds[1]))
                items.append(item)
            timed.append(replace(p, items=tuple(items)))
        if not candidates:
            return timed, None
        core = set(choose(candidates, spec.max_items, spec.target_minutes * 60))
        marked, n, totals = [], 0, [0, 0, 0]
        for p in timed:
            items = []
            for item in p.items:
                if n in core:
                    totals = [t + s for t, s in zip(totals, item.seconds, strict=True)]
                items.append(replace(item, core=n in core))
                n += 1
            marked.append(replace(p, items=tuple(items)))
        summary = CoreSummary(spec.max_items, spec.target_minutes, len(core), n - len(core),
                              (minutes(totals[0]), minutes(totals[1]), minutes(totals[2])),
                              spec.why.strip())
        return marked, summary

    def unaddressed(self, picks: dict[str, PhaseChoice]) -> list[Unaddressed]:
        """Key findings (or the muscles of a group finding) that no item and no removed exercise
        covers in any of their phases."""
        kb, out = self.kb, []
        open_needs = {
            "overactive": picks["inhibit"].remaining & picks["lengthen"].remaining,
            "underactive": picks["activate"].remaining}
        what = {"overactive": "inhibit or lengthen", "underactive": "activate"}
        for f in self.outcome.findings:
            if not is_key(kb, f.certainty):
                continue
            keys = {("muscle", leaf, side) for leaf in kb.expand(f.muscle)
                    for side in self.needs.sides_of(leaf, f.side)}
            still = keys & open_needs[f.state]
            if not still:
                continue
            muscles = ([f.muscle] if still == keys
                       else list(dict.fromkeys(k[1] for k in sorted(still, key=need_order))))
            for m in muscles:
                out.append(Unaddressed(m, kb.name(m), f.state, f.side,
                                       f"no catalogue technique to {what[f.state]} it safely"))
        return out

    def avoided(self) -> list[dict[str, Any]]:
        over = {k[1] for k in self.needs.muscle["overactive"]}
        out = []
        for av in self.kb.avoided.values():
            concerns = {leaf for c in av.concerns for leaf in self.kb.expand(c)}
            if concerns & over:
                out.append({"id": av.id, "name": av.name, "reason": av.reason.strip(),
                            "instead": [self.kb.exercises[e].name for e in av.instead],
                            "sources": list(av.sources)})
        return out

    def build(self, start: dt.date | None) -> Program:
        kb = self.kb
        phases, picks = [], {}
        if not self.needs.empty:
            for phase in PHASES:
                plan, picks[phase] = self.phase(phase)
                phases.append(plan)
        else:
            none = ("No key finding." if self.outcome.findings
                    else "No probable imbalance was found.")
            phases = [PhasePlan(p, (), none) for p in PHASES]
        if self.previous is not None:
            phases = progress(kb, phases, self.previous, bool(self.screen.present),
                              self.screen.age)
        phases, core = self.focus(phases)
        items = [i for p in phases for i in p.items]
        techniques = list(dict.fromkeys((d.technique, d.variant) for i in items
                                        for d in (i.dose, *(o.dose for o in i.options))))
        notes = []
        if self.needs.empty and self.outcome.findings:
            notes.append("No finding is certain enough to be a key finding (certainty "
                         f"{kb.meta.inference.key_threshold:g} or more), so there is nothing to "
                         "correct yet: the possible findings get no exercises. Reassess, or add "
                         "what an assessment shows.")
        elif self.needs.empty:
            notes.append("No probable imbalance was found from these answers, so there is "
                         "nothing to correct.")
        if self.assumed:
            notes.append("The case does not list the subject's equipment; the programme "
                         "assumes " + ", ".join(e.replace("_", " ") for e in sorted(self.at_hand))
                         + ". Add subject.equipment to the case to tailor it.")
        notes += list(self.screen.notices)
        if self.screen.unscreened and items:
            notes.append("Not asked in this case: " + ", ".join(
                kb.name(c) for c in self.screen.unscreened)
                + ". Check none applies before starting.")
        return Program(
            phases=phases, removed=self.removed,
            unaddressed=self.unaddressed(picks) if picks else [],
            schedule=schedule_for(kb, self.case, self.plan, [
                replace(p, items=tuple(i for i in p.items if i.core)) for p in phases], start)
            if items else None,
            conditions=[{"condition": c, "name": kb.name(c), **self.screen.stage(c)}
                        for c in self.screen.present],
            unscreened=list(self.screen.unscreened),
            equipment=sorted(self.at_hand), equipment_assumed=self.assumed,
            doses=dose_summary(kb, techniques), avoided=self.avoided() if items else [],
            safety=[n.text.strip() for n in kb.safety_notes.values()], notes=notes,
            core=core)


def build_program(kb: KnowledgeBase, case: Case, outcome: Outcome,
                  start: dt.date | None = None, previous: Previous | None = None
                  ) -> Program | None:
    """The corrective programme of a case, or None under a referral, while the safety screen
    is incomplete (a red-flag question that could refer the case is unanswered), or when the
    knowledge base has no exercise catalogue. Without ``start`` the programme starts on the
    case's assessment ``date`` (when given). With ``previous`` (a reassessment: the last
    block and which findings persist, ``progression.Previous``) the last block's exercises are
    preferred where they still pass every gate, and the items that carry on are progressed."""
    if outcome.referral is not None or not kb.exercises or not kb.plans:
        return None
    if not screen_status(kb, case).complete:
        return None
    return _Builder(kb, case, outcome, previous).build(start or case.date)
