"""The safety gates a programme passes through once there is no referral: the conditions the case
reports (condition questions answered yes; red-flag history questions that ``safety.yaml`` turns
into precautions when they do not refer; the subject's age; the weeks of pregnancy) and the
restrictions of ``safety.yaml`` they trigger, matched to an exercise by technique and, where a
restriction is scoped, by the muscles the exercise targets, the regions it loads, its id, its
position or its features.

An uncertain yes (``{value: yes, certainty: 0.4}``) counts as yes, and a condition refined by a
subject field that is not given (pregnancy without weeks) takes the data's assumed value (16
weeks or more): a safety gate errs on the safe side."""

from __future__ import annotations

from dataclasses import dataclass

from ..case import Case
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import Exercise, Restriction
from .model import Adaptation

AGE = "age"


def condition_ids(kb: KnowledgeBase) -> list[str]:
    return [q for q, rec in kb.questions.items() if rec.category == "condition"]


def gate_ids(kb: KnowledgeBase) -> list[str]:
    """Every question that can change the programme: the condition questions, then the other
    questions (red-flag history) that a restriction or notice names, in question order."""
    named = ({r.condition for r in kb.restrictions.values() if r.condition is not None}
             | {c for n in kb.notices.values() for c in n.conditions})
    conditions = condition_ids(kb)
    return conditions + [q for q in kb.questions if q in named and q not in conditions]


def stage_weeks(kb: KnowledgeBase, case: Case) -> dict[str, int]:
    """Refined conditions and their weeks (given, or assumed when the field is left out)."""
    out = {}
    for fid, ref in kb.refinements.items():
        given = getattr(case.subject, fid, None)
        out[ref.condition] = ref.assume_when_unknown if given is None else int(given)
    return out


def _staged(r: Restriction, weeks: dict[str, int]) -> bool:
    """Does a restriction's week window (from_week / before_week) hold for the case?"""
    if r.condition is None or r.condition not in weeks:
        return r.from_week is None and r.before_week is None
    week = weeks[r.condition]
    return ((r.from_week is None or week >= r.from_week)
            and (r.before_week is None or week < r.before_week))


@dataclass(frozen=True)
class Screen:
    """The conditions of one case and the restrictions they trigger."""

    present: tuple[str, ...]
    unscreened: tuple[str, ...]
    restrictions: tuple[Restriction, ...]
    age: int | None
    weeks: tuple[tuple[str, int], ...] = ()     # refined conditions present, with their weeks
    notices: tuple[str, ...] = ()               # notice texts the present conditions add
    assumed: tuple[str, ...] = ()               # refined conditions whose weeks were not given

    def stage(self, condition: str) -> dict[str, object]:
        """The weeks of a refined condition, for the programme's ``conditions`` list."""
        weeks = dict(self.weeks)
        if condition not in weeks:
            return {}
        return {"weeks": weeks[condition], "weeks_assumed": condition in self.assumed}

    @classmethod
    def of(cls, kb: KnowledgeBase, case: Case) -> Screen:
        present, unscreened = [], []
        conditions = set(condition_ids(kb))
        for cid in gate_ids(kb):
            answer = case.answers.get(cid)
            if answer is not None and answer.positive:
                present.append(cid)
            elif cid in conditions and (answer is None or answer.value == "unknown"):
                unscreened.append(cid)
        age = case.subject.age
        weeks = {c: w for c, w in stage_weeks(kb, case).items() if c in present}
        triggered = tuple(
            r for r in kb.restrictions.values()
            if (r.condition is not None and r.condition in present and _staged(r, weeks))
            or (r.min_age is not None and age is not None and age >= r.min_age))
        notices = tuple(n.text.strip() for n in kb.notices.values()
                        if set(n.conditions) & set(present))
        assumed = tuple(sorted(ref.condition for fid, ref in kb.refinements.items()
                               if ref.condition in weeks
                               and getattr(case.subject, fid, None) is None))
        return cls(tuple(present), tuple(unscreened), triggered, age,
                   tuple(sorted(weeks.items())), notices, assumed)

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
    if r.condition is None:
        return f"age {r.min_age}+"
    name = kb.name(r.condition)
    if r.from_week is not None:
        return f"{name} from {r.from_week} weeks"
    if r.before_week is not None:
        return f"{name} before {r.before_week} weeks"
    return name


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
    if exercise.position in r.positions or set(exercise.features) & set(r.features):
        return True
    return bool(r.regions and exercise_regions(kb, exercise) & set(r.regions))
