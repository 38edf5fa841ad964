"""The safety gates a programme passes through once there is no referral: the conditions the case
reports (condition questions answered yes, and the subject's age) and the restrictions of
``safety.yaml`` they trigger, matched to an exercise by technique and, where a restriction is
scoped, by the muscles the exercise targets, the regions it loads or its id.

An uncertain yes (``{value: yes, certainty: 0.4}``) counts as yes: a safety gate errs on the safe
side."""

from __future__ import annotations

from dataclasses import dataclass

from ..case import Case
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import Exercise, Restriction
from .model import Adaptation

AGE = "age"


def condition_ids(kb: KnowledgeBase) -> list[str]:
    return [q for q, rec in kb.questions.items() if rec.category == "condition"]


@dataclass(frozen=True)
class Screen:
    """The conditions of one case and the restrictions they trigger."""

    present: tuple[str, ...]
    unscreened: tuple[str, ...]
    restrictions: tuple[Restriction, ...]
    age: int | None

    @classmethod
    def of(cls, kb: KnowledgeBase, case: Case) -> Screen:
        present, unscreened = [], []
        for cid in condition_ids(kb):
            answer = case.answers.get(cid)
            if answer is not None and answer.positive:
                present.append(cid)
            elif answer is None or answer.value == "unknown":
                unscreened.append(cid)
        age = case.subject.age
        triggered = tuple(
            r for r in kb.restrictions.values()
            if (r.condition is not None and r.condition in present)
            or (r.min_age is not None and age is not None and age >= r.min_age))
        return cls(tuple(present), tuple(unscreened), triggered, age)

    def matching(self, kb: KnowledgeBase, exercise: Exercise, technique: str,
                 status: str) -> list[Restriction]:
        return [r for r in self.restrictions
                if r.status == status and technique in r.techniques
                and applies(kb, r, exercise)]

    def forbids(self, kb: KnowledgeBase, exercise: Exercise,
                technique: str | None = None) -> Restriction | None:
        found = self.matching(kb, exercise, technique or exercise.technique, "contraindicated")
        return found[0] if found else None

    def adaptations(self, kb: KnowledgeBase, exercise: Exercise,
                    techniques: list[str]) -> tuple[Adaptation, ...]:
        seen: dict[str, Adaptation] = {}
        for technique in techniques:
            for r in self.matching(kb, exercise, technique, "precaution"):
                seen.setdefault(r.id, Adaptation(
                    r.condition or AGE, label(kb, r), r.advice, r.reason, tuple(r.sources)))
        return tuple(seen.values())


def label(kb: KnowledgeBase, r: Restriction) -> str:
    if r.condition is not None:
        return kb.name(r.condition)
    return f"age {r.min_age}+"


def exercise_regions(kb: KnowledgeBase, exercise: Exercise) -> set[str]:
    leaves = {leaf for t in exercise.targets for leaf in kb.expand(t)}
    return {kb.muscles[leaf].region for leaf in leaves} | set(exercise.regions)


def applies(kb: KnowledgeBase, r: Restriction, exercise: Exercise) -> bool:
    """Does a restriction reach this exercise (its scope, when it has one)?"""
    if not r.scoped:
        return True
    if exercise.id in r.exercises:
        return True
    if r.muscles:
        leaves = {leaf for t in exercise.targets for leaf in kb.expand(t)}
        if leaves & {leaf for m in r.muscles for leaf in kb.expand(m)}:
            return True
    return bool(r.regions and exercise_regions(kb, exercise) & set(r.regions))
