"""Building the programme of one case: no programme under a referral; otherwise the four phases
in order (inhibit and lengthen the overactive muscles, activate the underactive ones, integrate
the checkpoints involved), with what conditions, findings or missing equipment removed, the
findings no technique answers, the schedule, the doses used and the safety notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..case import Case
from ..findings import Outcome
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import PHASES, Exercise
from .dosing import dose_for, dose_summary
from .equipment import available
from .model import Item, Option, PhasePlan, Program, Removed, Unaddressed
from .needs import PAIRED_SIDES, NeedKey, Needs, need_order
from .safety import Screen, label
from .schedule import schedule_for
from .selection import STATE_FOR, Choice, PhaseChoice, Selector


def fold(kb: KnowledgeBase, leaves: set[str]) -> tuple[str, ...]:
    """Muscles as shown: a group replaces its members when all of them are there."""
    left = set(leaves)
    out: list[tuple[int, str]] = []
    order = {m: i for i, m in enumerate(kb.muscles)}
    for gid in sorted(kb.groups, key=lambda g: (-len(kb.expand(g)), g)):
        members = set(kb.expand(gid))
        if len(members) > 1 and members <= left:
            out.append((min(order[m] for m in members), gid))
            left -= members
    out += [(order[m], m) for m in left]
    return tuple(node for _, node in sorted(out))


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
    def __init__(self, kb: KnowledgeBase, case: Case, outcome: Outcome) -> None:
        self.kb, self.case, self.outcome = kb, case, outcome
        self.plan = next(iter(kb.plans.values()))
        self.needs = Needs(kb, outcome)
        self.screen = Screen.of(kb, case)
        self.at_hand, self.assumed = available(case, self.plan)
        self.selector = Selector(kb, self.needs, self.screen, self.at_hand)
        self.removed: list[Removed] = []

    def wanted(self, phase: str) -> dict[NeedKey, float]:
        if phase == "integrate":
            return self.needs.checkpoints(self.plan.region_checkpoints)
        wanted = dict(self.needs.muscle[STATE_FOR[phase]])
        signs = {s for e in self.kb.exercises.values() if e.phase == phase for s in e.signs}
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

    def unaddressed(self, picks: dict[str, PhaseChoice]) -> list[Unaddressed]:
        """Findings (or the muscles of a group finding) that no item and no removed exercise
        covers in any of their phases."""
        kb, out = self.kb, []
        open_needs = {
            "overactive": picks["inhibit"].remaining & picks["lengthen"].remaining,
            "underactive": picks["activate"].remaining}
        what = {"overactive": "inhibit or lengthen", "underactive": "activate"}
        for f in self.outcome.findings:
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
            phases = [PhasePlan(p, (), "No probable imbalance was found.") for p in PHASES]
        items = [i for p in phases for i in p.items]
        techniques = list(dict.fromkeys(
            t for i in items for t in (i.technique, *(o.technique for o in i.options))))
        notes = []
        if self.needs.empty:
            notes.append("No probable imbalance was found from these answers, so there is "
                         "nothing to correct.")
        if self.assumed:
            notes.append("The case does not list the subject's equipment; the programme "
                         "assumes " + ", ".join(e.replace("_", " ") for e in sorted(self.at_hand))
                         + ". Add subject.equipment to the case to tailor it.")
        if self.screen.unscreened and items:
            notes.append("Not asked in this case: " + ", ".join(
                kb.name(c) for c in self.screen.unscreened)
                + ". Check none applies before starting.")
        return Program(
            phases=phases, removed=self.removed,
            unaddressed=self.unaddressed(picks) if picks else [],
            schedule=schedule_for(kb, self.case, self.plan, phases, start) if items else None,
            conditions=[{"condition": c, "name": kb.name(c)} for c in self.screen.present],
            unscreened=list(self.screen.unscreened),
            equipment=sorted(self.at_hand), equipment_assumed=self.assumed,
            doses=dose_summary(kb, techniques), avoided=self.avoided() if items else [],
            safety=[n.text.strip() for n in kb.safety_notes.values()], notes=notes)


def build_program(kb: KnowledgeBase, case: Case, outcome: Outcome,
                  start: dt.date | None = None) -> Program | None:
    """The corrective programme of a case, or None under a referral (or when the knowledge base
    has no exercise catalogue)."""
    if outcome.referral is not None or not kb.exercises or not kb.plans:
        return None
    return _Builder(kb, case, outcome).build(start)
