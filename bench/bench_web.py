"""Benchmark of ``imbalance serve``: the answer → next question round trip, in process.

Runs whole consultations through the ASGI application (Starlette's test client, a temporary
SQLite database; both modes; answers drawn at random: checklists mostly nothing ticked, now and
then one item, a few that refer; yes/no questions mostly no) and times, for every answer, the
POST of the answer and the GET of the next question page it redirects to: everything the server
does (CSRF check, loading the session from the store, the version check, recording the answer,
re-deriving the findings and the next question, saving, rendering the page), plus the test
client's own overhead, so the figures are an upper bound of the server's time. Target: p95
under 30 ms.

    python bench/bench_web.py [--consultations 40] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import expert.compat  # noqa: F401


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consultations", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from expert.knowledge.locate import knowledge_base
    from expert.store import open_store
    from expert.web.app import create_app

    rng = random.Random(args.seed)
    kb = knowledge_base(None)
    folder = Path(tempfile.mkdtemp())
    store = open_store(f"sqlite:///{folder / 'bench.db'}")
    times: list[float] = []
    with TestClient(create_app(kb, store)) as web:
        web.get("/clients")
        token = web.cookies["imbalance_csrf"]
        for n in range(args.consultations):
            r = web.post("/clients", data={"csrf": token, "name": f"client {n}"},
                         follow_redirects=False)
            ident = int(r.headers["location"].rsplit("/", 1)[1])
            mode = "trainer" if n % 2 else "self"
            r = web.post(f"/clients/{ident}/consultation", data={"csrf": token, "mode": mode})
            while "/assessments/" not in str(r.url):
                data = answer(r.text, rng)
                data["csrf"] = token
                start = time.perf_counter()
                r = web.post(f"/clients/{ident}/consultation/answer", data=data)
                if "You ticked" in r.text:
                    data["confirm"] = "yes"
                    r = web.post(f"/clients/{ident}/consultation/answer", data=data)
                times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"{len(times)} answers in {args.consultations} consultations: median "
          f"{statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
          "(answer POST + next question GET, in process)")
    return 0


def answer(page: str, rng: random.Random) -> dict[str, object]:
    kind = re.search(r'data-kind="([^"]+)"', page)
    version = re.search(r'name="version" value="([^"]+)"', page)
    assert kind and version, page[:500]
    data: dict[str, object] = {"version": version.group(1)}
    if kind.group(1) in ("checklist", "equipment"):
        picks = re.findall(r'name="pick" value="(\d+)"', page)
        data["pick"] = [rng.choice(picks)] if picks and rng.random() < 0.2 else []
        data["answer"] = "picked"
    elif kind.group(1) == "number":
        data["number"] = str(rng.randint(20, 70))
    elif kind.group(1) == "side":
        data["answer"] = rng.choice(["left", "right", "both", "unknown"])
    else:
        data["answer"] = "yes" if rng.random() < 0.2 else "no"
    return data


if __name__ == "__main__":
    sys.exit(main())
