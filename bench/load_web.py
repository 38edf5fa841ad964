"""Bounded load test of ``imbalance serve``: many people in consultations at once, over HTTP.

Starts ``imbalance serve`` as a real subprocess (uvicorn) on a free 127.0.0.1 port with a
temporary SQLite database, adds one client per simulated person, then runs the people
concurrently for a fixed time (asyncio + httpx, one cookie jar each). Each goes through
consultations page by page as a browser does (arriving at random within the first think
time, not all in the same millisecond): the client's page, the start form, then for
every question a think time, the POST of a random valid answer (the form's CSRF token and
version, the cookie sent back) and the GET of the page it redirects to; a referring tick is
confirmed as the read-back asks; at the end the results page, then a new consultation (the
mode alternates). Answers: checklists mostly nothing ticked, now and then one item (a few
refer) or "ask me one by one"; yes/no and sided questions mostly no; ages 18-80.

The same load runs for a warm-up first (30 s by default), which is not counted: the server's
memory grows while its caches fill (SQLite's page cache of each pooled connection, up to 2 MiB,
as the database grows; the consultants kept between requests) and then levels off. Reported,
for the measured seconds: requests, errors (any status but 200/303, a refused connection or a
timeout; must be 0; counted in the warm-up too), latency of every request (p50/p95/p99/max; the
bar: p95 under 200 ms), the answer → next page round trip (POST + GET), the server's CPU time
per answer, and its resident memory (VmRSS of /proc/PID/status) sampled every second. Memory is
*flat* when the highest sample of the last 10 s is at most 2 MiB (noise: allocator pools, one
more consultation in flight) above the highest of the 10 s before them. Each bar gets a
verdict; the exit status is 0 when all pass.

    python bench/load_web.py [--users 50] [--seconds 30] [--warm-up 30] [--think 0.5-1.5]
    python bench/load_web.py --think 0          # the worst case: no think time at all

The load generator runs on the same machine and takes CPU from the server: the figures are an
upper bound of what a person at a browser on another machine would see.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
OK = (200, 303)
P95_BAR_MS = 200.0
NOISE_MIB = 2.0
WINDOW_S = 10


# -- the server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def rss_mib(self) -> float | None:
        """The server's resident memory (VmRSS), None once it has gone."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        return int(found.group(1)) / 1024 if found else None

    def cpu_seconds(self) -> float:
        """The CPU time the server has used (user + system), 0 once it has gone."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def serve(folder: Path, timeout: float = 60.0) -> Iterator[Server]:
    """``imbalance serve`` on a free loopback port with a new SQLite database in ``folder``,
    stopped (SIGINT, as Ctrl-C) on the way out."""
    port = free_port()
    log = folder / "serve.log"
    env = {k: v for k, v in os.environ.items() if k != "IMBALANCE_DB"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "expert", "serve", "--port", str(port),
             "--db", str(folder / "load.db")], cwd=REPO, env=env, stdout=out, stderr=out)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"imbalance serve exited ({process.returncode}):\n"
                                   + log.read_text(errors="replace")[-2000:])
            try:
                if httpx.get(f"{server.url}/clients", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"imbalance serve did not answer within {timeout:g} s")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(2)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- one person at a browser ----------------------------------------------------------------------
@dataclass
class Person:
    """What one simulated person did."""

    client: int
    requests: list[float] = field(default_factory=list)  # ms, every request
    pages: list[tuple[str, float]] = field(default_factory=list)  # (page, ms), every request
    round_trips: list[float] = field(default_factory=list)  # ms, answer POST + the next GET
    errors: list[str] = field(default_factory=list)
    answers: int = 0  # answers the server recorded (the question moved on)
    finished: int = 0  # consultations that reached their results


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    if found is None:
        raise ValueError(f"the page has no {name} field")
    return found.group(1)


def question_form(page: str) -> str | None:
    """The question's form (not the back button's), None when the page asks nothing."""
    found = re.search(r'<form method="post" action="[^"]*/answer" class="question".*?</form>',
                      page, re.S)
    return found.group(0) if found else None


def choose(form: str, rng: random.Random) -> dict[str, str | list[str]]:
    """A random valid answer to the question ``form`` asks, as the browser would post it."""
    kind = re.search(r'data-kind="([^"]+)"', form)
    data: dict[str, str | list[str]] = {"csrf": hidden(form, "csrf"),
                                        "version": hidden(form, "version")}
    picks = re.findall(r'name="pick" value="(\d+)"', form)
    k = kind.group(1) if kind else ""
    if k == "checklist":
        roll = rng.random()
        data["answer"] = "unknown" if roll < 0.05 else "picked"
        data["pick"] = [rng.choice(picks)] if 0.05 <= roll < 0.2 and picks else []
    elif k == "equipment":
        data["answer"] = "picked"
        data["pick"] = [p for p in picks if rng.random() < 0.5] or picks[:1]
    elif k == "number":
        weeks = ">Weeks<" in form
        data["number"] = str(rng.randint(6, 30) if weeks else rng.randint(18, 80))
    else:
        options = re.findall(r'type="radio" name="answer" value="([^"]+)"', form)
        yes = [o for o in options if o not in ("no", "unknown")]
        data["answer"] = ("no" if "no" in options and rng.random() < 0.75
                          else rng.choice(yes or options))
        certainties = re.findall(r'<option value="([^"]+)"', form)
        if certainties:
            data["certainty"] = rng.choice(certainties)
    return data


def page_of(path: str) -> str:
    """The route a path is of: numbers as N."""
    return re.sub(r"/\d+", "/N", path)


class Browser:
    """One person's browser: a cookie jar, timing every request."""

    def __init__(self, url: str, person: Person, counting: float) -> None:
        self.web = httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=30.0)
        self.person, self.counting = person, counting

    def counted(self) -> bool:
        """Past the warm-up: what happens now counts."""
        return time.monotonic() >= self.counting

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response | None:
        start, counted = time.perf_counter(), self.counted()
        try:
            r = await self.web.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.person.errors.append(f"{method} {path}: {exc.__class__.__name__} {exc}")
            return None
        took = (time.perf_counter() - start) * 1000
        if counted:
            self.person.requests.append(took)
            self.person.pages.append((f"{method} {page_of(path)}", took))
        if r.status_code not in OK:
            self.person.errors.append(f"{method} {path}: status {r.status_code}")
            return None
        return r

    async def follow(self, r: httpx.Response | None) -> httpx.Response | None:
        while r is not None and r.status_code == 303:
            r = await self.request("GET", r.headers["location"])
        return r


async def person(url: str, who: Person, counting: float, stop: float,
                 think: tuple[float, float], rng: random.Random) -> None:
    b = Browser(url, who, counting)
    base = f"/clients/{who.client}"
    await asyncio.sleep(rng.uniform(0, think[1]))  # people arrive over one think time
    try:
        n = 0
        while time.monotonic() < stop:
            page = await b.request("GET", base)
            if page is None:
                return
            mode = ("self", "trainer")[(who.client + n) % 2]
            n += 1
            r = await b.follow(await b.request(
                "POST", f"{base}/consultation",
                data={"csrf": hidden(page.text, "csrf"), "mode": mode}))
            while r is not None and "/assessments/" not in str(r.url):
                form = question_form(r.text)
                if form is None:
                    who.errors.append(f"GET {r.url.path}: no question on the page")
                    return
                await asyncio.sleep(rng.uniform(*think))
                if time.monotonic() >= stop:
                    return
                data = choose(form, rng)
                start, counted = time.perf_counter(), b.counted()
                r = await b.request("POST", f"{base}/consultation/answer", data=data)
                if r is not None and r.status_code == 200 and 'name="confirm"' in r.text:
                    data["confirm"] = "yes"  # the read-back of a referring tick
                    r = await b.request("POST", f"{base}/consultation/answer", data=data)
                if r is not None and counted:
                    who.answers += 1
                r = await b.follow(r)
                if counted:
                    who.round_trips.append((time.perf_counter() - start) * 1000)
            if r is None:
                return
            who.finished += b.counted()
    except ValueError as exc:
        who.errors.append(f"unexpected page: {exc}")
    finally:
        await b.web.aclose()


async def add_clients(url: str, count: int) -> list[int]:
    async with httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=30.0) as web:
        page = await web.get("/clients")
        token = hidden(page.text, "csrf")
        idents = []
        for n in range(count):
            r = await web.post("/clients", data={"csrf": token, "name": f"Load person {n}"})
            if r.status_code != 303:
                raise RuntimeError(f"adding a client: status {r.status_code}")
            idents.append(int(r.headers["location"].rsplit("/", 1)[1]))
        return idents


@dataclass
class Run:
    """A load test's results."""

    users: int
    seconds: float
    think: tuple[float, float]
    people: list[Person]
    rss: list[tuple[float, float]]  # (seconds since the start, warm-up included; MiB)
    elapsed: float  # seconds measured (after the warm-up)
    cpu: float  # the server's CPU seconds in them
    warm_up: float = 0.0

    @property
    def requests(self) -> list[float]:
        return sorted(t for p in self.people for t in p.requests)

    @property
    def errors(self) -> list[str]:
        return [e for p in self.people for e in p.errors]


async def load(server: Server, users: int, seconds: float, think: tuple[float, float],
               seed: int = 7, warm_up: float = 0.0) -> Run:
    """``users`` people in consultations on ``server`` for ``warm_up`` seconds, not counted,
    then ``seconds`` measured."""
    people = [Person(c) for c in await add_clients(server.url, users)]
    rss: list[tuple[float, float]] = []
    begin = time.monotonic()
    counting = begin + warm_up
    stop = counting + seconds
    cpu: list[float] = []

    async def mark() -> None:
        await asyncio.sleep(warm_up)
        cpu.append(server.cpu_seconds())

    async def sample() -> None:
        while True:
            mib = server.rss_mib()
            if mib is not None:
                rss.append((time.monotonic() - begin, mib))
            await asyncio.sleep(1.0)

    sampler = asyncio.create_task(sample())
    rng = random.Random(seed)
    await asyncio.gather(mark(), *(person(server.url, p, counting, stop, think,
                                          random.Random(rng.random())) for p in people))
    sampler.cancel()
    return Run(users, seconds, think, people, rss, time.monotonic() - counting,
               server.cpu_seconds() - cpu[0], warm_up)


# -- the report -----------------------------------------------------------------------------------
def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of an ordered list."""
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * q + 0.999999) - 1))]


def memory_growth(rss: list[tuple[float, float]], end: float,
                  settled: float | None = None) -> float | None:
    """MiB the highest sample of the last ``WINDOW_S`` seconds before ``end`` is above the
    highest of the window before it, after ``settled`` (the warm-up; a third of the run when
    there was none); None when the run is too short to tell."""
    settled = end / 3 if settled is None else settled
    last = [m for t, m in rss if end - WINDOW_S <= t <= end]
    before = [m for t, m in rss if max(settled, end - 2 * WINDOW_S) <= t < end - WINDOW_S]
    if not last or not before:
        return None
    return max(last) - max(before)


def report(run: Run) -> tuple[list[str], bool]:
    """The paste-ready lines, and whether every bar passed."""
    times, trips = run.requests, sorted(t for p in run.people for t in p.round_trips)
    errors = run.errors
    think = ("no think time" if run.think[1] == 0 else
             f"think time {run.think[0]:g}-{run.think[1]:g} s (uniform) before each answer")
    load1, load5, _ = os.getloadavg()
    mibs = [m for _, m in run.rss]
    growth = memory_growth(run.rss, run.warm_up + run.seconds, run.warm_up or None)

    def ms(values: list[float]) -> str:
        return (f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} "
                f"ms, p99 {percentile(values, 0.99):.0f} ms, max "
                f"{values[-1] if values else float('nan'):.0f} ms")

    lines = [
        f"imbalance serve load test: {run.users} concurrent consultations for "
        f"{run.seconds:g} s after a {run.warm_up:g} s warm-up, {think}; 127.0.0.1, SQLite, "
        f"{os.cpu_count()} cores, load average {load1:.2f} (1 min) {load5:.2f} (5 min) at the "
        "end",
        f"requests {len(times)} ({len(times) / run.elapsed:.0f}/s), answers "
        f"{sum(p.answers for p in run.people)}, consultations finished "
        f"{sum(p.finished for p in run.people)}, errors {len(errors)}",
        f"every request: {ms(times)}",
        f"answer -> next page (POST + GET): {ms(trips)}",
        f"server CPU: {run.cpu:.1f} s in {run.elapsed:.0f} s ({run.cpu / run.elapsed:.0%} of "
        f"one core), {run.cpu * 1000 / max(1, len(trips)):.1f} ms per answer (all requests "
        "counted)",
        (f"server RSS: {mibs[0]:.0f} MiB at the start, {max(mibs):.0f} MiB at most; last "
         f"{WINDOW_S} s vs the {WINDOW_S} s before: "
         + ("n/a (run too short)" if growth is None else f"{growth:+.1f} MiB"))
        if mibs else "server RSS: not sampled",
        "server RSS every 5 s (MiB): " + " ".join(f"{m:.0f}" for t, m in run.rss[::5]),
    ]
    by_page: dict[str, list[float]] = {}
    for p in run.people:
        for name, took in p.pages:
            by_page.setdefault(name, []).append(took)
    for name, values in sorted(by_page.items(), key=lambda kv: -len(kv[1])):
        values.sort()
        lines.append(f"  {name}: {len(values)} requests, {ms(values)}")
    p95 = percentile(times, 0.95)
    verdicts = [("p95 under 200 ms", p95 < P95_BAR_MS, f"{p95:.0f} ms"),
                ("no error", not errors, f"{len(errors)}"),
                ("flat memory", growth is not None and growth <= NOISE_MIB,
                 "n/a" if growth is None else f"{growth:+.1f} MiB (noise {NOISE_MIB:g} MiB)")]
    for name, passed, value in verdicts:
        lines.append(f"{'PASS' if passed else 'FAIL'}  {name}: {value}")
    lines += [f"  error: {e}" for e in errors[:10]]
    return lines, all(passed for _, passed, _ in verdicts)


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--think", type=think_range, default=(0.5, 1.5),
                        help="seconds before each answer: LOW-HIGH (uniform) or one number; "
                             "0 for none (default 0.5-1.5)")
    parser.add_argument("--warm-up", type=float, default=30.0,
                        help="seconds of the same load before the measured ones (not counted: "
                             "the database's caches fill, the consultations get going)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as server:
        run = asyncio.run(load(server, args.users, args.seconds, args.think, args.seed,
                               args.warm_up))
        lines, passed = report(run)
        failed = server.log.read_text(errors="replace").count("error serving")
    print("\n".join(lines))
    if failed:
        print(f"the server logged {failed} errors")
    return 0 if passed and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
