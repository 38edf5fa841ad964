"""Benchmark of the client store on SQLite and on PostgreSQL.

Storing: ``--assessments`` assessments (default 10,000) with the real reports and programmes of
the case library (about 33 KB of JSON each), spread over clients of 200 assessments each, one
transaction per assessment as ``imbalance run --client`` does; the rate in assessments/s.

Reading: ``client show`` of a client with 200 assessments: the query time (the client, the
history without the reports, the consultation in progress: what the command reads), median and
maximum over ``--repeat`` runs, and the whole command in-process (opening the store included).

PostgreSQL is a throwaway server started for the run (tests/pgserver.py), with fsync on as a
real server runs; SQLite is a file in a temporary folder (WAL, synchronous FULL).

    python bench/bench_store.py [--assessments 10000] [--repeat 30] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PER_CLIENT = 200


def library_reports() -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]]:
    """(case as answered, report, programme) for every case of the library."""
    import expert.compat  # noqa: F401
    from expert.case import load_case
    from expert.inference.reasoner import Reasoner
    from expert.knowledge.locate import knowledge_base
    from expert.program import build_program
    from expert.report import to_data

    kb = knowledge_base()
    reasoner = Reasoner(kb)
    out = []
    for path in sorted((REPO / "examples" / "cases").glob("*.yaml")):
        case = load_case(path, kb)
        outcome = reasoner.evaluate(case)
        program = build_program(kb, case, outcome)
        report = to_data(case, kb, outcome, program.to_data() if program else None)
        out.append((case.model_dump(mode="json", exclude_none=True), report,
                    report.get("program")))
    return out


def measure(url: str, count: int, repeat: int, reports: list[Any]) -> dict[str, float]:
    from click.testing import CliRunner

    from expert.cli import main
    from expert.store import open_store

    with open_store(url) as store:
        clients = [store.add_client(f"Client {n}", birth_year=1980).id
                   for n in range(max(1, count // PER_CLIENT))]
        day = dt.date(2025, 1, 1)
        started = time.perf_counter()
        for n in range(count):
            case, report, program = reports[n % len(reports)]
            store.store_assessment(clients[n % len(clients)], case, report, program,
                                   day + dt.timedelta(days=n // len(clients)), "file")
        storing = time.perf_counter() - started
        target = clients[0]
        assert len(store.history(target)) == min(PER_CLIENT, count)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            store.client(target)
            store.history(target)
            store.consultation(target)
            times.append(time.perf_counter() - t0)
    runner = CliRunner()
    command = []
    for _ in range(max(3, repeat // 3)):
        t0 = time.perf_counter()
        result = runner.invoke(main, ["client", "show", str(target), "--db", url])
        command.append(time.perf_counter() - t0)
        assert result.exit_code == 0, result.output
    return {"rate": count / storing, "seconds": storing,
            "query_median_ms": statistics.median(times) * 1000,
            "query_max_ms": max(times) * 1000,
            "command_median_ms": statistics.median(command) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    reports = library_reports()
    size = statistics.mean(len(json.dumps(r)) for _, r, _ in reports)
    print(f"{len(reports)} library reports, about {size / 1000:.0f} KB each")
    results = {}
    with tempfile.TemporaryDirectory(prefix="imbalance-bench-") as folder:
        if args.only != "postgresql":
            results["sqlite"] = measure(f"sqlite:///{folder}/bench.db", args.assessments,
                                        args.repeat, reports)
        if args.only != "sqlite":
            from tests.pgserver import Server, binaries
            bin_dir = binaries()
            if bin_dir is None:
                print("PostgreSQL is not installed: skipped")
            else:
                server = Server(bin_dir)
                server.start(durable=True)
                try:
                    results["postgresql"] = measure(server.new_database(), args.assessments,
                                                    args.repeat, reports)
                finally:
                    server.stop()
    for name, r in results.items():
        print(f"{name}: stored {args.assessments} assessments in {r['seconds']:.1f} s "
              f"({r['rate']:.0f}/s); client show of {PER_CLIENT} assessments: query "
              f"median {r['query_median_ms']:.1f} ms, max {r['query_max_ms']:.1f} ms; "
              f"whole command {r['command_median_ms']:.0f} ms")


if __name__ == "__main__":
    main()
