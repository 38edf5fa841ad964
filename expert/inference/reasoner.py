"""The reasoner: one knowledge base and one engine per process, evaluating case after case."""

from __future__ import annotations

from ..case import Case
from ..findings import Outcome, resolve
from ..knowledge import KnowledgeBase
from .engine import build_engine
from .ledger import Premise


class Reasoner:
    """Builds the engine once; :meth:`evaluate` resets it and runs one case."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.engine, self.screened = build_engine(kb)

    def evaluate(self, case: Case) -> Outcome:
        answers = [Premise("answer", obs, a.side, a.certainty, a.value)
                   for obs, a in case.answers.items() if a.positive]
        ledger = self.engine.consult(answers, case.subject.age, self.screened)
        return resolve(self.kb, ledger, self.engine.sign_support)
