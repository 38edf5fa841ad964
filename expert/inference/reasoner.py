"""The reasoner: one knowledge base and one engine per process, evaluating case after case."""

from __future__ import annotations

from ..case import Case
from ..findings import Outcome, resolve
from ..knowledge import KnowledgeBase
from .engine import ImbalanceEngine
from .ledger import Premise


def positive_answers(case: Case) -> list[Premise]:
    return [Premise("answer", obs, a.side, a.certainty, a.value)
            for obs, a in case.answers.items() if a.positive]


class Reasoner:
    """Builds the engine once; :meth:`evaluate` resets it and runs one case."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.engine = ImbalanceEngine(kb)

    def evaluate(self, case: Case) -> Outcome:
        ledger = self.engine.consult(positive_answers(case), case.subject.age)
        return resolve(self.kb, ledger, self.engine.sign_support)
