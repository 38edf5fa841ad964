"""Benchmark of ``imbalance batch --scheduler``: a Dask LocalCluster against the local pool.

Throughput: the case library repeated to ``--cases`` cases (default 20,000, each with its own id)
in a JSON Lines file, run by the real command in a fresh process, records to /dev/null,
``--check``: ``--scheduler local:2`` (a LocalCluster of 2 worker processes) and ``--jobs 2``,
interleaved run by run (A B A B ...), so that the load of anything else on the machine falls on
both alike; medians of ``--repeat`` runs. cases/s is the command's own figure (from starting the
workers to the last record; the cluster's start-up, about 2 s, is in it) and wall-clock time.

Per-task overhead: ``--small`` cases (default 2,000) on the cluster with ``--chunk 1`` and
``--chunk 64``; the extra wall-clock time divided by the extra tasks.

Client ceiling: what the process that starts the run can do on its own per second (read the
tasks and carry the files' bytes, pickle the chunks, unpickle the records, check ids, score,
write JSON Lines), replayed in-process from recorded records: the rate no number of workers can
pass.

    python bench/bench_cluster.py [--cases 20000] [--small 2000] [--repeat 3]
                                  [--parts throughput,overhead,ceiling]
"""

from __future__ import annotations

import argparse
import os
import pickle
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench_batch import library, write_jsonl  # noqa: E402


def command(path: Path, *how: str) -> tuple[float, float, int]:
    """(cases/s measured by the command, cases/s over the wall-clock time, cases)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "expert", "batch", str(path), "--out",
                           os.devnull, "--check", *how], capture_output=True, text=True,
                          cwd=REPO)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"batch {' '.join(how)} failed ({done.returncode}):\n{done.stderr}")
    found = re.search(r"([\d,]+) cases in ([\d.]+) s", done.stderr)
    assert found, done.stderr
    cases = int(found.group(1).replace(",", ""))
    return cases / float(found.group(2)), cases / wall, cases


class Replay:
    """An evaluator that hands back recorded records, doing the client's share of a cluster
    run: the files' bytes carried, chunks pickled, records unpickled."""

    def __init__(self, records: list[dict[str, Any]], chunk: int = 64) -> None:
        self.blobs = [pickle.dumps(records[i:i + chunk]) for i in range(0, len(records), chunk)]
        self.chunk = chunk

    def records(self, items: Iterable[Any]) -> Iterator[dict[str, Any]]:
        from expert.batch.sources import carried

        portable = map(carried, items)
        for blob in self.blobs:
            pickle.dumps(list(islice(portable, self.chunk)))
            yield from pickle.loads(blob)


def client_ceiling(path: Path) -> float:
    import json

    import expert.compat  # noqa: F401
    from expert.batch.records import Output
    from expert.batch.runner import run
    from expert.knowledge.locate import knowledge_base

    kb = knowledge_base()
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl") as out:
        subprocess.run([sys.executable, "-m", "expert", "batch", str(path), "-q", "--out",
                        out.name], cwd=REPO, check=True)
        records = [json.loads(line) for line in Path(out.name).read_text().splitlines()]
    replay = Replay(records)
    started = time.perf_counter()
    with Output(Path(os.devnull)) as output:
        run([str(path)], replay, kb, output.write)  # type: ignore[arg-type]
    return len(records) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--small", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", default="throughput,overhead,ceiling")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"{len(library())} library cases; local pool and cluster interleaved")
    with tempfile.TemporaryDirectory() as tmp:
        cases, small = Path(tmp) / "cases.jsonl", Path(tmp) / "small.jsonl"
        write_jsonl(cases, args.cases)
        write_jsonl(small, args.small)
        if "throughput" in parts:
            throughput(cases, args.repeat)
        if "overhead" in parts:
            overhead(small, args.small, args.repeat)
        if "ceiling" in parts:
            ceiling = statistics.median(client_ceiling(small) for _ in range(args.repeat))
            print(f"client ceiling: {ceiling:,.0f} cases/s (reading, carrying, pickling, ids, "
                  "scoring, writing; no evaluation)")


def throughput(cases: Path, repeat: int) -> None:
    ways = {"--jobs 2": ("--jobs", "2"), "--scheduler local:2": ("--scheduler", "local:2")}
    runs: dict[str, list[tuple[float, float, int]]] = {name: [] for name in ways}
    for _ in range(repeat):
        for name, how in ways.items():
            runs[name].append(command(cases, *how))
    rate = {name: statistics.median(r[0] for r in got) for name, got in runs.items()}
    for name, got in runs.items():
        print(f"{name}: {rate[name]:,.0f} cases/s (runs: "
              f"{', '.join(f'{r[0]:,.0f}' for r in got)}; wall-clock "
              f"{statistics.median(r[1] for r in got):,.0f} cases/s) on {got[0][2]:,} cases")
    print(f"cluster / local pool: {rate['--scheduler local:2'] / rate['--jobs 2']:.2f} "
          "(bar: at least 0.80)")


def overhead(small: Path, count: int, repeat: int) -> None:
    timed: dict[int, list[float]] = {1: [], 64: []}
    for _ in range(repeat):
        for chunk in timed:
            started = time.perf_counter()
            command(small, "--scheduler", "local:2", "--chunk", str(chunk), "--no-program")
            timed[chunk].append(time.perf_counter() - started)
    extra = statistics.median(timed[1]) - statistics.median(timed[64])
    tasks = count - -(-count // 64)
    print(f"per-task overhead: {extra / tasks * 1000:.2f} ms of wall-clock time per extra "
          f"task with 2 workers ({count:,} cases --no-program, --chunk 1 "
          f"{statistics.median(timed[1]):.2f} s, --chunk 64 "
          f"{statistics.median(timed[64]):.2f} s)")


if __name__ == "__main__":
    main()
