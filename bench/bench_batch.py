"""Benchmark of ``imbalance batch`` on the case library.

Throughput: the library (examples/cases) repeated to ``--cases`` cases (each copy with its own
id) in a temporary JSON Lines file, run by the real command in a fresh process with ``--jobs 1``
and ``--jobs 2``, with and without ``--no-program``, records to /dev/null. Reports cases/s as
the command measures it (from the start of the worker pool to the last record: reading, parsing,
reasoning, building the programme, judging, writing) and as wall-clock time of the whole process
(with interpreter start-up and loading the knowledge base).

Memory: ``--stream`` cases (default 100,000) streamed from a generated JSON Lines file through
the same pipeline; peak RSS of the main process and of the worker processes, compared with a
run of 1,000 cases, so the growth is what the number of cases costs.

    python bench/bench_batch.py [--cases 10000] [--stream 100000] [--repeat 3] [--skip-memory]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIBRARY = REPO / "examples" / "cases"


def library() -> list[dict[str, object]]:
    from expert import yamlio
    paths = sorted(p for p in LIBRARY.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    return [yamlio.load(p) for p in paths]


def write_jsonl(path: Path, n: int) -> None:
    cases = library()
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            case = dict(cases[i % len(cases)])
            case["id"] = f"{case['id']}.{i // len(cases)}"
            handle.write(json.dumps(case) + "\n")


def throughput(path: Path, jobs: int, *extra: str) -> tuple[float, float, int]:
    """(cases/s measured by the command, cases/s over the wall-clock time, cases)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "expert", "batch", str(path), "--jobs",
                           str(jobs), "--out", os.devnull, "--check", *extra],
                          capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"batch failed ({done.returncode}):\n{done.stderr}")
    found = re.search(r"([\d,]+) cases in ([\d.]+) s", done.stderr)
    assert found, done.stderr
    cases = int(found.group(1).replace(",", ""))
    return cases / float(found.group(2)), cases / wall, cases


MEMORY_CHILD = """
import json, os, resource, sys
from pathlib import Path
import expert.compat
from expert.batch.records import Output
from expert.batch.runner import Evaluator, Settings, run
from expert.knowledge.locate import knowledge_base

def rss(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
kb = knowledge_base()
base = rss("VmRSS:")
with Evaluator(Settings(jobs=int(sys.argv[2]))) as ev, Output(Path(os.devnull)) as out:
    board = run([sys.argv[1]], ev, kb, out.write)
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"cases": board.counts["total"], "base": base, "peak": rss("VmHWM:"),
                  "workers": children}))
"""


def memory(path: Path, jobs: int) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", MEMORY_CHILD, str(path), str(jobs)],
                          capture_output=True, text=True, cwd=REPO, check=True)
    return json.loads(done.stdout)


def loop_unit(repeat: int = 7) -> float:
    """Seconds a fixed pure-Python loop takes here (median): per-case costs divided by it
    compare across machines."""
    def work() -> int:
        total = 0
        for i in range(200_000):
            total += i * i % 7
        return total
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--stream", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{len(library())} library cases")
    with tempfile.TemporaryDirectory() as tmp:
        cases = Path(tmp) / "cases.jsonl"
        write_jsonl(cases, args.cases)
        for extra in ((), ("--no-program",)):
            rates: dict[int, float] = {}
            for jobs in (1, 2):
                runs = [throughput(cases, jobs, *extra) for _ in range(args.repeat)]
                rate = statistics.median(r[0] for r in runs)
                wall = statistics.median(r[1] for r in runs)
                rates[jobs] = rate
                label = " ".join(("--jobs", str(jobs), *extra))
                print(f"{label}: {rate:,.0f} cases/s ({wall:,.0f} "
                      f"cases/s wall-clock including start-up) on {runs[0][2]:,} cases, "
                      f"median of {args.repeat}")
            print(f"speed-up with 2 jobs: {rates[2] / rates[1]:.2f}x")
            unit = loop_unit()
            print(f"cost per case with --jobs 1 = {1 / rates[1] / unit:.3f} x a fixed "
                  f"pure-Python loop ({unit * 1000:.1f} ms here; machine-independent)")
        if args.skip_memory:
            return

        small, large = Path(tmp) / "small.jsonl", Path(tmp) / "large.jsonl"
        write_jsonl(small, 1_000)
        write_jsonl(large, args.stream)
        for jobs in (2,):
            a, b = memory(small, jobs), memory(large, jobs)
            print(f"memory, --jobs {jobs}: main process peak RSS {a['peak']:.1f} MB at "
                  f"{a['cases']:,} cases, {b['peak']:.1f} MB at {b['cases']:,} "
                  f"(growth {b['peak'] - a['peak']:+.1f} MB; {b['base']:.1f} MB before the run)")
            print(f"memory, --jobs {jobs}: worker peak RSS {a['workers']:.1f} MB at "
                  f"{a['cases']:,} cases, {b['workers']:.1f} MB at {b['cases']:,} "
                  f"(growth {b['workers'] - a['workers']:+.1f} MB)")
    print(f"(this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
