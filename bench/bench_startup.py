"""Benchmark of start-up: how long a person waits before a command does anything.

Measures, as wall time of fresh processes, ``python -c pass`` (the floor: the interpreter
alone), ``imbalance --help``, ``imbalance run CASE`` (text and ``--format json``), ``imbalance
run`` with an empty knowledge-base cache (the first run after an install or an edit of the
knowledge base), and the consultation up to its first question (in a pseudo-terminal, with
pexpect). Each figure is a median over the rounds and is reported as a ratio to ``python -c
pass`` measured in the same run, so that figures from different or busy machines compare. The
commands run interleaved, in a shuffled order each round, so a burst of load from other
processes spreads over all of them.

The modules run byte-compiled, as from an installed wheel (``PYTHONDONTWRITEBYTECODE`` is
dropped for the measured processes). ``--before DIR`` measures another source tree (say ``git
archive`` of an older commit unpacked in DIR) in the same rounds, for before/after figures;
``--tree DIR`` measures a source tree instead of the installed package.

Targets: ``run`` and the first question at most 15x ``python -c pass``, ``--help`` at most 6x.

    python bench/bench_startup.py [--rounds 21] [--case FILE] [--seed 7] [--before DIR]
                                  [--tree DIR]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASE = HERE.parent / "examples" / "cases" / "seed_a_low_back_pain_apt.yaml"
TARGETS = {"imbalance --help": 6.0, "imbalance run CASE": 15.0,
           "consult: first question": 15.0}


def command() -> list[str]:
    script = Path(sys.executable).with_name("imbalance")
    return [str(script)] if script.exists() else [sys.executable, "-m", "expert"]


def timed(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def first_question(args: list[str], env: dict[str, str], session: Path) -> float:
    import pexpect

    start = time.perf_counter()
    child = pexpect.spawn(args[0], [*args[1:], "consult", "--session", str(session)],
                          env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))
    child.expect(r"\? > ")  # the answer prompt under the first question
    elapsed = time.perf_counter() - start
    child.terminate(force=True)
    child.close()
    session.unlink(missing_ok=True)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--case", type=Path, default=CASE)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="also measure the source tree in DIR (e.g. a `git archive` of an "
                             "older commit), interleaved with this one")
    parser.add_argument("--tree", type=Path, metavar="DIR",
                        help="measure the source tree in DIR instead of the installed package")
    args = parser.parse_args()
    exe = command()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    # as an installed package runs: with its modules byte-compiled (a wheel install compiles
    # them; PYTHONDONTWRITEBYTECODE would make every run compile every module again)
    env = {k: v for k, v in os.environ.items()
           if k not in ("IMBALANCE_KB", "NO_COLOR", "PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    env["TERM"] = "xterm-256color"
    case = str(args.case.resolve())
    trees = {"": env if args.tree is None else {**env, "PYTHONPATH": str(args.tree.resolve())}}
    if args.before is not None:
        trees["before: "] = {**env, "PYTHONPATH": str(args.before.resolve())}
    probes: dict[str, Callable[[], float]] = {
        "python -c pass": lambda: timed([sys.executable, "-c", "pass"], env)}
    for label, base in trees.items():
        warm = {**base, "IMBALANCE_CACHE_DIR": str(work / f"cache{len(label)}")}
        session = work / f"session{len(label)}.json"

        def cold(base: dict[str, str] = base) -> float:  # an empty cache: YAML, then written
            folder = Path(tempfile.mkdtemp(dir=work))
            try:
                return timed([*exe, "run", case], {**base, "IMBALANCE_CACHE_DIR": str(folder)})
            finally:
                shutil.rmtree(folder, ignore_errors=True)


        probes |= {
            f"{label}imbalance --help": lambda w=warm: timed([*exe, "--help"], w),
            f"{label}imbalance run CASE": lambda w=warm: timed([*exe, "run", case], w),
            f"{label}imbalance run CASE --format json": lambda w=warm: timed(
                [*exe, "run", case, "--format", "json"], w),
            f"{label}imbalance run CASE, empty cache": cold,
            f"{label}consult: first question": lambda w=warm, s=session: first_question(
                exe, w, s),
        }
        timed([*exe, "run", case], warm)  # fills the caches (knowledge base, bytecode, files)
        first_question(exe, warm, session)
    try:
        rng = random.Random(args.seed)
        times: dict[str, list[float]] = {name: [] for name in probes}
        for _ in range(args.rounds):
            order = list(probes)
            rng.shuffle(order)
            for name in order:
                times[name].append(probes[name]())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    floor = statistics.median(times["python -c pass"])
    print(f"{args.rounds} rounds, interleaved; medians; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"{'':44} {'median ms':>10} {'x python':>9} {'target':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        ratio = median / floor
        target = TARGETS.get(name.removeprefix("before: "))
        verdict = "" if target is None else f"{'<=' if ratio <= target else '> '}{target:.0f}x"
        print(f"{name:44} {median * 1000:10.1f} {ratio:8.1f}x {verdict:>7}")


if __name__ == "__main__":
    main()
