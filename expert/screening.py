"""The safety screen of a case: has every red-flag question that could still refer this case been
answered? Owns the screen status (complete, or the questions still open and how to answer them)
and the red flags a case's own answers set off (for the ``red_flags: none`` contradiction check).

Everything is derived from the red flags' premises in ``rules/`` and the question categories in
``facts/questions.yaml``; no question id is named here. Each premise of a red flag is true,
false or undecided for a case:

- an observation whose question is a safety-screen question (category ``red_flag``) is undecided
  while unanswered or ``unknown``; any other observation (a symptom such as low back pain) counts
  as absent when unanswered, as it does for the findings;
- ``any_of`` is true when a member is, false when all are, undecided otherwise;
- the age premise is undecided while the subject's age is missing.

A red flag that no premise rules out and not all premises settle is undecided. Its open
questions are asked in the order a screen would ask them: a question is open when every other
question premise of the flag holds (so a history flag that refers *with* spinal pain needs its
answer only once spinal pain is yes), and the age is open only when every other premise holds
(new spinal pain makes the age matter). ``red_flags: none`` answers every unanswered
safety-screen question no and declares that the age rule does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .knowledge.rulebook import AgePremise, AnyOfPremise, ObservationPremise, Premise, RedFlag

if TYPE_CHECKING:
    from .case import Answer, Case
    from .knowledge import KnowledgeBase

SCREEN_CATEGORY = "red_flag"  # the question category of the safety screen
AGE = "age"  # the open item that asks for the subject's age
AGE_QUESTION = "How old is the person (in whole years)?"
AGE_HOW = 'add "age: N" (whole years) to the subject block'
WITHHELD = ("Safety screen incomplete: the corrective programme is withheld until the safety "
            "questions below are answered, because any of them could mean that a clinician should "
            "look first. Answer each one in the case file (or, if every safety question was asked "
            "and answered no, add \"red_flags: none\").")

Truth = bool | None  # true, false, or undecided


@dataclass(frozen=True)
class OpenQuestion:
    """A safety question the case leaves open: its id (an observation id, or ``age``), the
    question in plain words and how to answer it in a case file."""

    id: str
    question: str
    how: str

    def to_data(self) -> dict[str, str]:
        return {"id": self.id, "question": self.question, "how": self.how}


@dataclass(frozen=True)
class ScreenStatus:
    """The case's safety screen: ``red_flags_none`` when the case states ``red_flags: none``;
    ``open`` the questions that must be answered before a programme is written."""

    red_flags_none: bool
    open: tuple[OpenQuestion, ...]

    @property
    def complete(self) -> bool:
        return not self.open

    def to_data(self) -> dict[str, Any]:
        return {"complete": self.complete, "red_flags_none": self.red_flags_none,
                "open": [q.to_data() for q in self.open],
                "message": "" if self.complete else WITHHELD}


class _View:
    """The premises of red flags as one case answers them."""

    def __init__(self, kb: KnowledgeBase, answers: Mapping[str, Answer], age: int | None,
                 declared: bool) -> None:
        self.kb, self.answers, self.age, self.declared = kb, answers, age, declared

    def observation(self, oid: str) -> Truth:
        answer = self.answers.get(oid)
        if answer is not None and answer.positive:
            return True
        if answer is not None and answer.value == "no":
            return False
        question = self.kb.questions.get(oid)
        if self.declared or question is None or question.category != SCREEN_CATEGORY:
            return False
        return None

    def premise(self, p: Premise) -> Truth:
        if isinstance(p, ObservationPremise):
            return self.observation(p.observation)
        if isinstance(p, AnyOfPremise):
            members = [self.observation(o.observation) for o in p.any_of]
            if any(members):
                return True
            return False if all(m is False for m in members) else None
        if isinstance(p, AgePremise):
            if self.age is None:
                return False if self.declared else None
            low, high = p.outside
            return not low <= self.age <= high
        return False  # signs are never red-flag premises (rulebook.RedFlag)

    def undecided_ids(self, p: Premise) -> list[str]:
        if isinstance(p, ObservationPremise):
            return [p.observation]
        if isinstance(p, AnyOfPremise):
            return [o.observation for o in p.any_of if self.observation(o.observation) is None]
        return [AGE]


def _open_ids(flag: RedFlag, view: _View) -> list[str]:
    truths = [view.premise(p) for p in flag.when]
    if any(t is False for t in truths):
        return []
    out: list[str] = []
    for i, (p, truth) in enumerate(zip(flag.when, truths, strict=True)):
        if truth is not None:
            continue
        # a question waits for the flag's other questions; the age waits for everything else
        others = [t for j, (q, t) in enumerate(zip(flag.when, truths, strict=True))
                  if j != i and (isinstance(p, AgePremise) or not isinstance(q, AgePremise))]
        if all(t is True for t in others):
            out += view.undecided_ids(p)
    return out


def _how(kb: KnowledgeBase, oid: str) -> str:
    if oid == AGE:
        return AGE_HOW
    other = "left, right or both" if kb.questions[oid].sided else "yes"
    return f'add "{oid}: no" (or {other}) under answers'


def open_questions(kb: KnowledgeBase, answers: Mapping[str, Answer], age: int | None,
                   red_flags_none: bool = False) -> tuple[OpenQuestion, ...]:
    """The safety questions still open for these answers, in the knowledge base's question
    order (the age last). Empty when the screen is complete."""
    view = _View(kb, answers, age, red_flags_none)
    ids: set[str] = set()
    for flag in kb.red_flags.values():
        ids.update(_open_ids(flag, view))
    order = {qid: i for i, qid in enumerate(kb.questions)}
    ordered = sorted(ids, key=lambda q: (q == AGE, order.get(q, 0), q))
    return tuple(OpenQuestion(q, AGE_QUESTION if q == AGE else kb.questions[q].person,
                              _how(kb, q)) for q in ordered)


def screen_status(kb: KnowledgeBase, case: Case) -> ScreenStatus:
    """The safety screen of a case."""
    declared = case.red_flags == "none"
    return ScreenStatus(declared, open_questions(kb, case.answers, case.subject.age, declared))


def firing(kb: KnowledgeBase, answers: Mapping[str, Answer],
           age: int | None) -> list[tuple[RedFlag, list[str]]]:
    """The red flags these answers set off, each with the answers (and age) that do it, in id
    order; what the engine would refer on."""
    view = _View(kb, answers, age, declared=True)
    out = []
    for flag in sorted(kb.red_flags.values(), key=lambda f: f.id):
        if all(view.premise(p) is True for p in flag.when):
            out.append((flag, sorted(_reasons(flag.when, answers, age))))
    return out


def _reasons(premises: Iterable[Premise], answers: Mapping[str, Answer],
             age: int | None) -> set[str]:
    out: set[str] = set()
    for p in premises:
        if isinstance(p, ObservationPremise):
            out.add(f"{p.observation}: {answers[p.observation].value}")
        elif isinstance(p, AnyOfPremise):
            out |= {f"{o.observation}: {answers[o.observation].value}" for o in p.any_of
                    if o.observation in answers and answers[o.observation].positive}
        elif isinstance(p, AgePremise):
            out.add(f"age {age}")
    return out
