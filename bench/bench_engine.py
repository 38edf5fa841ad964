"""Benchmark of the inference core on the real knowledge base.

Reports: knowledge-base load and engine build time; median and p95 time per case for
``reset + declare + run`` and for a whole evaluation (including resolving findings) over a few
hundred generated cases; how per-case time changes when the rule base is 2x and 4x larger
(dormant copies of every rule on observations no case answers, and busy copies that fire on the
same answers); and the wall time of ``imbalance --help``.

    python bench/bench_engine.py [--cases 400] [--seed 7]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import expert.compat  # noqa: F401
from expert.case import Case, parse_case
from expert.findings import resolve
from expert.inference.reasoner import Reasoner, positive_answers
from expert.knowledge import KnowledgeBase, load
from expert.knowledge.locate import default_root
from expert.knowledge.rulebook import AnyOfPremise, ObservationPremise, SignPremise


def generate_cases(kb: KnowledgeBase, n: int, seed: int) -> list[Case]:
    rng = random.Random(seed)
    ordinary = [q for q in kb.questions.values() if q.category not in ("red_flag", "condition")]
    flags = [q for q in kb.questions.values() if q.category == "red_flag"]
    cases = []
    for i in range(n):
        answers: dict[str, Any] = {}
        for q in rng.sample(ordinary, rng.randint(2, 8)):
            value = rng.choice(["left", "right", "both", "yes"]) if q.sided else "yes"
            answers[q.id] = value if rng.random() < 0.8 else {"value": value, "certainty": 0.6}
        for q in rng.sample(ordinary, 3):
            answers.setdefault(q.id, "no")
        if rng.random() < 0.05:
            answers[rng.choice(flags).id] = "yes"
        data = {"id": f"gen{i}", "answers": answers, "subject": {"age": rng.randint(18, 70)}}
        cases.append(parse_case(data, f"gen{i}", kb))
    return cases


def _premise_copy(p: Any, suffix: str, dormant: bool) -> Any:
    if not dormant:
        return p
    if isinstance(p, ObservationPremise):
        return ObservationPremise(observation=p.observation + suffix)
    if isinstance(p, AnyOfPremise):
        return AnyOfPremise(any_of=[ObservationPremise(observation=o.observation + suffix)
                                    for o in p.any_of])
    if isinstance(p, SignPremise):
        return SignPremise(sign=p.sign + suffix)
    return p


def scaled(kb: KnowledgeBase, factor: int, dormant: bool) -> KnowledgeBase:
    """The knowledge base with (factor - 1) extra copies of every inference rule."""
    rules = dict(kb.rules)
    questions = dict(kb.questions)
    signs = dict(kb.signs)
    for k in range(1, factor):
        suffix = f"_copy{k}"
        if dormant:
            for qid, q in kb.questions.items():
                questions[qid + suffix] = q.model_copy(update={"id": qid + suffix})
            for sid, s in kb.signs.items():
                signs[sid + suffix] = s.model_copy(update={"id": sid + suffix})
        for rid, r in kb.rules.items():
            conclude = [c.model_copy(update={"sign": c.sign + suffix})
                        if dormant and hasattr(c, "sign") else c for c in r.conclude]
            rules[f"{rid}{suffix}"] = r.model_copy(update={
                "id": f"{rid}{suffix}", "conclude": conclude,
                "when": [_premise_copy(p, suffix, dormant) for p in r.when]})
    return dataclasses.replace(kb, rules=rules, questions=questions, signs=signs)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def time_cases(reasoner: Reasoner, cases: list[Case]) -> dict[str, float]:
    engine_ms, total_ms, firings = [], [], []
    for case in cases[:20]:  # warm-up
        reasoner.evaluate(case)
    for case in cases:
        answers = positive_answers(case)
        t0 = time.perf_counter()
        ledger = reasoner.engine.consult(answers, case.subject.age)
        t1 = time.perf_counter()
        reasoner.evaluate(case)
        t2 = time.perf_counter()
        engine_ms.append((t1 - t0) * 1000)
        total_ms.append((t2 - t1) * 1000)
        firings.append(len(ledger.fired))
    return {"engine_median": statistics.median(engine_ms), "engine_p95": percentile(engine_ms, .95),
            "total_median": statistics.median(total_ms), "total_p95": percentile(total_ms, .95),
            "firings": statistics.mean(firings)}


def against_reference(kb: KnowledgeBase, cases: list[Case], rounds: int = 5) -> dict[str, float]:
    """Per case, the engine and the reference evaluator (bench/reference.py, plain Python over
    the same compiled rules) measured interleaved in one run: the engine's cost over the floor."""
    sys.path.insert(0, str(Path(__file__).parent))
    from reference import Reference

    reasoner, reference = Reasoner(kb), Reference(kb)
    prepared = [(positive_answers(c), c.subject.age) for c in cases]
    engine, floor, engine_all, floor_all = [], [], [], []
    for _ in range(rounds):
        for answers, age in prepared:
            t0 = time.perf_counter()
            ledger = reasoner.engine.consult(answers, age)
            t1 = time.perf_counter()
            resolve(kb, ledger, reasoner.engine.sign_support)
            t2 = time.perf_counter()
            ref_ledger, signs = reference.evaluate(answers, age)
            t3 = time.perf_counter()
            resolve(kb, ref_ledger, signs)
            t4 = time.perf_counter()
            engine.append(t1 - t0)
            engine_all.append(t2 - t0)
            floor.append(t3 - t2)
            floor_all.append(t4 - t2)
    return {"engine": statistics.median(engine) * 1000, "floor": statistics.median(floor) * 1000,
            "ratio": sum(engine) / sum(floor), "ratio_all": sum(engine_all) / sum(floor_all)}


def help_wall_ms(runs: int = 10) -> float:
    exe = Path(sys.executable).with_name("imbalance")
    cmd = [str(exe), "--help"] if exe.exists() else [sys.executable, "-m", "expert", "--help"]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    t0 = time.perf_counter()
    kb = load(default_root())
    t1 = time.perf_counter()
    Reasoner(kb)
    t2 = time.perf_counter()
    cases = generate_cases(kb, args.cases, args.seed)
    print(f"knowledge base {kb.version}: {len(kb.rules)} rules, {len(kb.red_flags)} red flags, "
          f"{len(kb.questions)} questions, {len(kb.muscles)} muscles")
    print(f"load knowledge base: {(t1 - t0) * 1000:.1f} ms; build engine: "
          f"{(t2 - t1) * 1000:.1f} ms")
    print(f"\n{args.cases} generated cases (2-8 positive answers each, 5% with a red flag)\n")
    print("| rule base | rules | build ms | firings/case | reset+declare+run median / p95 ms "
          "| whole evaluation median / p95 ms |")
    print("|---|---|---|---|---|---|")
    for label, factor, dormant in (("1x", 1, True), ("2x dormant", 2, True),
                                   ("4x dormant", 4, True), ("2x busy", 2, False),
                                   ("4x busy", 4, False)):
        base = kb if factor == 1 else scaled(kb, factor, dormant)
        b0 = time.perf_counter()
        r = Reasoner(base)
        build = (time.perf_counter() - b0) * 1000
        s = time_cases(r, cases)
        print(f"| {label} | {len(base.rules)} | {build:.0f} | {s['firings']:.1f} | "
              f"{s['engine_median']:.2f} / {s['engine_p95']:.2f} | "
              f"{s['total_median']:.2f} / {s['total_p95']:.2f} |")
    ref = against_reference(kb, cases)
    print(f"\nengine vs the reference evaluator (plain Python, same rules), interleaved: "
          f"median {ref['engine']:.3f} ms vs {ref['floor']:.3f} ms per case; engine / reference "
          f"= {ref['ratio']:.2f}x (with resolving the findings: {ref['ratio_all']:.2f}x)")
    print(f"\n`imbalance --help` wall time (median of 10): {help_wall_ms():.0f} ms")


if __name__ == "__main__":
    main()
