"""Benchmark of the consultation's feel: the time from an answer to the next question.

Simulates whole consultations on the real knowledge base (both modes; answers drawn at random:
mostly no, some yes with a side or a certainty, the odd ?; checklists answered no, with one or two
numbers, or yes or ? (their items then asked one by one); the equipment, when asked, with some
numbers, none or ?; a few hit a red flag). For every
answer it times what ``imbalance consult`` does between reading the line and showing the next
question: parse the answer, record it, re-evaluate the case with the reasoner, work out which
questions can still matter, run the agenda engine, save the session atomically (with fsync),
and format the next question (building the programme whenever the conditions or the equipment
may be asked). Reports median, p95 and max (target: under 50 ms), the share of
each step, and the wall time from starting the program to its first question.

    python bench/bench_consult.py [--consultations 60] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import expert.compat  # noqa: F401
from expert.consultation.answers import (
    parse_age,
    parse_answer,
    parse_checklist,
    parse_equipment,
    parse_side,
    parse_weeks,
)
from expert.consultation.consultant import Consultant, Prompt
from expert.consultation.relevance import Relevance
from expert.consultation.session import Session
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.knowledge.locate import knowledge_base


def typed(rng: random.Random, prompt: Prompt, red_flags: bool,
          kit: random.Random | None = None) -> str:
    """What a simulated person types; the equipment (asked last) draws from ``kit``, so that the
    other answers are the same whether or not the knowledge base asks about equipment."""
    topic = prompt.topic
    count = len(prompt.items)
    if topic.is_checklist:
        if topic.stratum == "screen":
            if red_flags and rng.random() < 0.1:
                return rng.choice(["y", "?", str(rng.randint(1, count))])
            return "n"
        roll = rng.random()
        if roll < 0.4:
            return "n"
        if roll < 0.8:
            picks = rng.sample(range(1, count + 1), min(count, rng.randint(1, 2)))
            return " ".join(map(str, picks))
        return rng.choice(["y", "?"])
    if topic.is_equipment:
        kit = kit or rng
        roll = kit.random()
        if roll < 0.6:
            picks = kit.sample(range(1, count + 1), kit.randint(1, min(count, 4)))
            return " ".join(map(str, picks))
        return "none" if roll < 0.8 else "?"
    if topic.is_age:
        return str(rng.randint(20, 60))
    if topic.is_refinement:  # the weeks of a pregnancy (no draw: the stream stays as it was)
        return "20"
    if prompt.part == "side":
        return rng.choice(["l", "r", "both"])
    if topic.category == "red_flag":
        return "y" if red_flags and rng.random() < 0.03 else "n"
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(["l", "r", "y"]) if topic.sided else "y"
    if roll < 0.2:
        return "yes 0.6"
    return "?" if roll < 0.25 else "n"


def consultation(kb: KnowledgeBase, reasoner: Reasoner, relevance: Relevance, folder: Path,
                 rng: random.Random, n: int, steps: dict[str, list[float]],
                 kit: random.Random | None = None) -> list[float]:
    mode = "trainer" if n % 2 else "self"
    session = Session(folder / f"c{n}.json", mode, kb.version)
    c = Consultant(kb, session, reasoner, relevance)
    times = []
    prompt = c.current()
    red_flags = rng.random() < 0.2
    while prompt is not None:
        line = typed(rng, prompt, red_flags, kit)
        start = time.perf_counter()
        topic = prompt.topic
        reply = (parse_checklist(line, len(prompt.items)) if topic.is_checklist else
                 parse_equipment(line, len(prompt.items)) if topic.is_equipment else
                 parse_age(line) if topic.is_age else
                 parse_weeks(line) if topic.is_refinement else
                 parse_side(line) if prompt.part == "side" else parse_answer(line, topic.sided))
        c.answer(reply)
        prompt = c.current()
        if prompt is not None:
            f"{prompt.number:>3}. {prompt.topic.text}"
        times.append((time.perf_counter() - start) * 1000)
    # where the time goes, on the finished consultation's answers
    for name, step in (("reasoner.evaluate", lambda: reasoner.evaluate(c.case())),
                       ("relevance of every open question",
                        lambda: [c.snapshot().matters(k) for k in c.open_keys()]),
                       ("agenda engine", c._decide), ("save (atomic, fsync)", session.save)):
        c._changed()
        c.outcome()
        start = time.perf_counter()
        step()
        steps[name].append((time.perf_counter() - start) * 1000)
    return times


def startup(folder: Path) -> float:
    exe = Path(sys.executable).with_name("imbalance")
    best = float("inf")
    for i in range(5):
        start = time.perf_counter()
        subprocess.run([str(exe), "consult", "--session", str(folder / f"start{i}.json"),
                        "--no-color"], input="", text=True, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultations", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng, kit = random.Random(args.seed), random.Random(args.seed + 1)
    kb = knowledge_base()
    start = time.perf_counter()
    reasoner, relevance = Reasoner(kb), Relevance(kb)
    build = (time.perf_counter() - start) * 1000
    steps: dict[str, list[float]] = defaultdict(list)
    times: list[float] = []
    counts = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(args.consultations):
            run = consultation(kb, reasoner, relevance, folder, rng, n, steps, kit)
            times += run
            counts.append(len(run))
        first = startup(folder)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{args.consultations} consultations, {len(times)} answers "
          f"({min(counts)}-{max(counts)} per consultation, median {statistics.median(counts)})")
    print(f"reasoner + relevance index built once: {build:.0f} ms")
    print(f"answer -> next question: median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms (target < 50 ms; "
          f"{sum(t >= 50 for t in times)} of {len(times)} at 50 ms or more)")
    for name, values in steps.items():
        print(f"  {name}: median {statistics.median(values):.2f} ms")
    print(f"program start -> first question (wall, best of 5): {first:.0f} ms")


if __name__ == "__main__":
    main()
