"""What an answer not given yet would do, found by evaluating the case again with it: whether a
yes could still change the outcome noticeably (``impact``: relevance probes where its estimate
says a question cannot matter), and the referral a checklist's picks would set off (read back
to the person before it is recorded)."""

from __future__ import annotations

from collections.abc import Iterable

from ..case import Answer, Case
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from .answers import SIDES
from .impact import noticeable


def _with_yes(case: Case, keys: Iterable[str], value: str = "yes") -> Case:
    answers = dict(case.answers)
    for key in keys:
        answers[key] = Answer.model_validate({"value": value})
    return case.model_copy(update={"answers": answers})


def changes_noticeably(kb: KnowledgeBase, reasoner: Reasoner, case: Case, before: Outcome,
                       key: str) -> bool:
    """Would a yes to ``key`` (on any side, for a sided question) change ``before``
    noticeably? Evaluates the case again with each such answer."""
    question = kb.questions.get(key)
    values = ("yes", *SIDES) if question is not None and question.sided else ("yes",)
    return any(noticeable(kb, before, reasoner.evaluate(_with_yes(case, [key], value)))
               for value in values)


def referral_level(reasoner: Reasoner, case: Case, keys: Iterable[str]) -> str | None:
    """The level of the referral a yes to each of ``keys`` would give, or None."""
    outcome = reasoner.evaluate(_with_yes(case, keys))
    return outcome.referral.level if outcome.referral is not None else None
