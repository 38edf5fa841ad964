"""The engine against the reference evaluator (bench/reference.py, plain Python over the same
compiled rules): identical reports on every library case and on random cases."""

from __future__ import annotations

import importlib.util
import random
import sys
from typing import Any

import pytest

from expert.case import Case, load_case, parse_case
from expert.findings import resolve
from expert.inference.reasoner import Reasoner, positive_answers
from expert.knowledge import KnowledgeBase
from expert.report import to_data

from .conftest import CASES, REPO


@pytest.fixture(scope="module")
def reference(real_kb: KnowledgeBase) -> Any:
    spec = importlib.util.spec_from_file_location("reference", REPO / "bench" / "reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["reference"] = module
    spec.loader.exec_module(module)
    return module.Reference(real_kb)


def _same(kb: KnowledgeBase, engine: Reasoner, reference: Any, case: Case,
          full: bool = True) -> None:
    """The same report (``full``), or the same findings, signs, rules and referral."""
    ledger, signs = reference.evaluate(positive_answers(case), case.subject.age)
    expected, got = resolve(kb, ledger, signs), engine.evaluate(case)
    if full:
        assert to_data(case, kb, got) == to_data(case, kb, expected), case.id
        return
    def summary(o: Any) -> Any:
        return ([(f.muscle, f.state, f.side, f.certainty, f.conflict, f.inferred, f.members,
                  sorted(f.support)) for f in o.findings],
                [(f.muscle, f.side) for f in o.unresolved],
                o.referral and (o.referral.level, o.referral.red_flags),
                {k: v[0] for k, v in o.signs.items()}, o.fired)
    assert summary(got) == summary(expected), case.id


def test_engine_and_reference_agree_on_the_library(real_kb: KnowledgeBase, real: Reasoner,
                                                   reference: Any) -> None:
    files = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))
    assert files
    for path in files:
        _same(real_kb, real, reference, load_case(path, real_kb))


def test_engine_and_reference_agree_on_random_cases(real_kb: KnowledgeBase, real: Reasoner,
                                                    reference: Any) -> None:
    rng = random.Random(20261202)
    questions = sorted(real_kb.questions.values(), key=lambda q: q.id)
    plain = [q for q in questions if q.category != "red_flag"]
    for n in range(600):
        answers: dict[str, Any] = {}
        pool = questions if n % 10 == 0 else plain
        for q in rng.sample(pool, rng.randint(1, 9)):
            value = rng.choice(["left", "right", "both", "yes"]) if q.sided else "yes"
            cf = rng.choice([1.0, 1.0, 0.8, 0.5, 0.25])
            answers[q.id] = value if cf == 1.0 else {"value": value, "certainty": cf}
        data: dict[str, Any] = {"id": f"r{n}", "answers": answers}
        if rng.random() < 0.5:
            data["subject"] = {"age": rng.randint(12, 80)}
        _same(real_kb, real, reference, parse_case(data, "random", real_kb), full=False)
