"""Progressing a programme at a reassessment: what the last block did for each exercise, which of
its findings persist, and how far each item of the new programme moves on.

The new programme is built by ``build_program`` from the new assessment, so every safety gate
applies as always; ``Previous`` only (1) makes the selector prefer the exercises of the last block
for the needs that are still there, and (2) moves the items that carry on one step along their
ladder: the exercise's catalogue progressions (one per reassessment, when the technique's
``progression.catalogue`` allows and the subject has no condition, see ``Reassessment``), then
the technique's dose steps (``doses.yaml``: ``progression.steps``). A finding that became more
certain by the plan's ``reassessment.worse_by`` steps its item back instead (the regression
rule, domain.md §1). Items of the last block that no longer appear are listed by the comparison
(``expert.reassessment``), not here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from ..findings import Outcome
from ..focus import is_key
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import DoseStep
from .dosing import dose_for
from .model import Item, PhasePlan

Leaf = tuple[str, str | None, str]      # (muscle, side, state); side left/right/None


def leaves(kb: KnowledgeBase, outcome: Outcome, key_only: bool = False
           ) -> dict[Leaf, float]:
    """Findings per muscle, side and state (groups expanded, ``both`` split)."""
    out: dict[Leaf, float] = {}
    for f in outcome.findings:
        if key_only and not is_key(kb, f.certainty):
            continue
        for m in kb.expand(f.muscle):
            for side in (("left", "right") if f.side == "both" else (f.side,)):
                out[(m, side, f.state)] = f.certainty
    return out


@dataclass(frozen=True)
class Previous:
    """The last block as a reassessment sees it."""

    levels: dict[str, int]              # exercise id -> its progression level in the last block
    persisting: frozenset[Leaf]         # key before, still found now (same side and state)
    worse: frozenset[Leaf]              # ... and more certain by the plan's worse_by

    @classmethod
    def of(cls, kb: KnowledgeBase, program: dict[str, Any] | None, before: Outcome,
           after: Outcome) -> Previous:
        levels: dict[str, int] = {}
        for phase in (program or {}).get("phases", []):
            for item in phase.get("items", []):
                level = (item.get("progression") or {}).get("level", 0)
                levels[item["exercise"]] = int(level) if isinstance(level, int) else 0
        old, new = leaves(kb, before, key_only=True), leaves(kb, after)
        plan = next(iter(kb.plans.values()), None)
        worse_by = (plan.reassessment.worse_by if plan is not None and plan.reassessment
                    else 1.0)
        persisting = frozenset(k for k in old if k in new)
        worse = frozenset(k for k in persisting if new[k] - old[k] >= worse_by - 1e-9)
        return cls(levels, persisting, worse)


def _answers(item: Item) -> set[tuple[str, str | None]]:
    out: set[tuple[str, str | None]] = set()
    for label in item.addresses:
        muscle, _, side = label.partition("@")
        out.add((muscle, side or None))
    return out


def _touches(kb: KnowledgeBase, item: Item, found: Iterable[Leaf]) -> bool:
    # integration items answer signs and observations too; only muscles and groups count here
    answered = {(n, w) for n, w in _answers(item) if n in kb.muscles or n in kb.groups}
    for muscle, side, _ in found:
        for node, where in answered:
            if muscle in kb.expand(node) and (where in (None, "both") or where == side):
                return True
    return False


def _ladder(kb: KnowledgeBase, item: Item, conditions: bool) -> tuple[list[str], list[DoseStep]]:
    prog = kb.doses[item.technique].progression
    if prog is None:
        return [], []
    plan = next(iter(kb.plans.values()))
    with_conditions = plan.reassessment.catalogue_with_conditions if plan.reassessment else False
    own = (prog.catalogue and item.instead_of is None and not item.adaptations
           and (with_conditions or not conditions))
    return (list(item.progressions) if own else []), list(prog.steps)


def _stepped(kb: KnowledgeBase, item: Item, step: DoseStep, age: int | None) -> Item:
    exercise = kb.exercises[item.exercise]
    dose = dose_for(kb, item.technique, exercise, age, item.side == "both", step)
    return replace(item, dose=dose)


def progress(kb: KnowledgeBase, phases: list[PhasePlan], previous: Previous,
             conditions: bool, age: int | None) -> list[PhasePlan]:
    """The items moved along their ladders; each says how (``Item.progression``)."""
    out = []
    for p in phases:
        items = []
        for item in p.items:
            items.append(_progressed(kb, item, previous, conditions, age))
        out.append(replace(p, items=tuple(items)))
    return out


def _progressed(kb: KnowledgeBase, item: Item, previous: Previous, conditions: bool,
                age: int | None) -> Item:
    before = previous.levels.get(item.exercise)
    if before is None:
        return replace(item, progression={"status": "new", "level": 0, "from_level": None,
                                          "exercise_step": None, "dose_step": None,
                                          "why": "Answers a finding the last block did not "
                                                 "have, or replaces an exercise."})
    catalogue, steps = _ladder(kb, item, conditions)
    if _touches(kb, item, previous.worse):
        level = max(before - 1, -1 if item.regressions else 0)
        status = "regressed" if level < before else "kept"
        why = ("A finding it answers is more certain than at the last assessment: step back "
               "(regress when form fails)." if level < before else
               "A finding it answers is more certain than at the last assessment, and there "
               "is no easier version: keep it as it was.")
    elif item.phase == "integrate" or _touches(kb, item, previous.persisting):
        top = len(catalogue) + len(steps)
        level = min(max(before, 0) + 1, top)
        status = "progressed" if level > before else "kept"
        why = ("A finding it answers is still there: one step on." if status == "progressed"
               else "A finding it answers is still there, and it is at the last step of its "
                    "ladder: keep it; the next assessment decides what follows.")
        if top == 0:
            why = ("A finding it answers is still there; its technique is not progressed: "
                   + (kb.doses[item.technique].progression.why.strip()   # type: ignore[union-attr]
                      if kb.doses[item.technique].progression else "the dose is kept."))
    else:
        status, level = "kept", before
        why = "Kept at the same step: it now answers other findings."
    exercise_step: str | None = None
    dose_step: str | None = None
    if level < 0:
        exercise_step = item.regressions[0]
    elif level > 0:
        if catalogue:
            exercise_step = catalogue[min(level, len(catalogue)) - 1]
        if level > len(catalogue):
            step = steps[level - len(catalogue) - 1]
            dose_step = step.label
            item = _stepped(kb, item, step, age)
    return replace(item, progression={"status": status, "level": level, "from_level": before,
                                      "exercise_step": exercise_step, "dose_step": dose_step,
                                      "why": why})
