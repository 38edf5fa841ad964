"""``imbalance batch --scheduler`` on a Dask cluster, as a user meets it: the same records byte for
byte and in input order as the local pool (the case library, a 5,000-case JSON Lines file, bad
inputs), bounded read-ahead, a worker killed in the middle of a run, a worker with another
knowledge base, an unreachable scheduler, SIGTERM, and the exit codes of --check.

The clusters are real: ``LocalCluster`` with worker processes (2 workers), as ``local:N`` starts.
The shared one runs the tiny fixture knowledge base (fast); the library runs on a snapshot of the
real one (the working tree may change during the run, and a changed file is another knowledge
base to the workers).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed  # in the test extra: these tests are never skipped
import pytest
from click.testing import CliRunner, Result
from distributed.diagnostics.plugin import SchedulerPlugin

from expert.batch.cluster import ClusterEvaluator, Plan, Refused, evaluate_chunk
from expert.batch.sources import Task
from expert.cli import main
from expert.knowledge.identity import Identity

from .conftest import CASES, FIXTURE_KB, REPO


def local_cluster(kb: Path) -> Any:
    return distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                    dashboard_address=":0", env={"IMBALANCE_KB": str(kb)},
                                    silence_logs=logging.CRITICAL)


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A cluster of 2 worker processes with the fixture knowledge base; its address."""
    with local_cluster(FIXTURE_KB) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A snapshot of the real knowledge base."""
    copy = tmp_path_factory.mktemp("kb")
    for folder in ("facts", "rules"):
        shutil.copytree(REPO / folder, copy / folder)
    return copy


def batch(*args: str, kb: Path | None = FIXTURE_KB) -> Result:
    prefix = ["--kb", str(kb)] if kb else []
    return CliRunner().invoke(main, [*prefix, "batch", *args], catch_exceptions=False)


def imbalance(kb: Path, *args: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "expert", "--kb", str(kb), *args], cwd=REPO,
                            **kwargs)


def fixture_lines(path: Path, count: int) -> Path:
    """``count`` cases of the fixture knowledge base as JSON Lines, with a malformed line, a
    duplicate id, an unknown answer and a case that misses its expectation among them."""
    answers: list[dict[str, Any]] = [
        {"tilt": "yes"}, {"carry": "left"}, {"sitting": "yes", "back_pain": "yes"},
        {"shrug": "right", "tilt": {"value": "yes", "certainty": 0.6}},
        {"numb": "yes", "tilt": "yes"}, {"hip_shift": "left", "lean": "yes"}, {}]
    lines = [json.dumps({"id": f"c{i}", "answers": answers[i % len(answers)]})
             for i in range(count)]
    lines[7] = '{"id": "broken", "answers": {'
    lines[100] = lines[99]
    lines[2000] = json.dumps({"id": "unknown", "answers": {"no_such_question": "yes"}})
    lines[3000] = json.dumps({"id": "miss", "answers": {"carry": "left"},
                              "expected": {"overactive": ["upper_trap@right"]}})
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def library_lines(path: Path, count: int) -> Path:
    """``count`` cases of the library with their own ids, as JSON Lines."""
    from expert import yamlio
    cases = [yamlio.load(p) for p in sorted(CASES.iterdir()) if p.suffix in (".yaml", ".json")]
    path.write_text("".join(json.dumps(dict(cases[i % len(cases)],
                                            id=f"{cases[i % len(cases)]['id']}.{i}")) + "\n"
                            for i in range(count)), encoding="utf-8")
    return path


# -- the same records ----------------------------------------------------------------------
def test_the_library_gives_the_same_records_and_report_on_a_local_cluster(
        tmp_path: Path, real: Path) -> None:
    local = batch(str(CASES), "--check", "--jobs", "1", "--report", str(tmp_path / "a.html"),
                  kb=real)
    out = tmp_path / "r.jsonl"
    done = subprocess.run([sys.executable, "-m", "expert", "--kb", str(real), "batch",
                           str(CASES), "--check", "--scheduler", "local:2", "--chunk", "8",
                           "--out", str(out), "--report", str(tmp_path / "b.html"),
                           "--progress"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert local.exit_code == done.returncode == 0, done.stderr
    assert out.read_text() == local.stdout
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    cases = len(local.stdout.splitlines())
    assert f"{cases}/{cases}" in done.stderr  # the progress bar
    assert f"{cases} cases in" in done.stderr and "a local Dask cluster, 2 workers" in done.stderr
    assert f"{cases} of {cases} cases agree" in done.stderr
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr


def test_5000_cases_with_bad_inputs_give_the_same_records_in_order(
        tmp_path: Path, scheduler: str) -> None:
    lines = fixture_lines(tmp_path / "cases.jsonl", 5000)
    (tmp_path / "bad.yaml").write_text("id: [unclosed\n")
    (tmp_path / "bin.yaml").write_bytes(b"\x00\x01binary")
    (tmp_path / "good.yaml").write_text("id: g\nanswers: {carry: left}\n")
    inputs = [str(lines), str(tmp_path / "bad.yaml"), str(tmp_path / "bin.yaml"),
              str(tmp_path / "missing.yaml"), str(tmp_path / "good.yaml")]
    local = batch(*inputs, "--jobs", "2", "-q")
    remote = batch(*inputs, "--scheduler", scheduler, "--chunk", "16", "-q")
    assert local.exit_code == remote.exit_code == 1  # the bad inputs
    assert remote.stdout == local.stdout
    out = [json.loads(line) for line in remote.stdout.splitlines()]
    assert len(out) == 5004 and out[7]["status"] == "error" and out[100]["status"] == "error"
    assert [r["line"] for r in out[:5000]] == list(range(1, 5001))
    assert [r["status"] for r in out[5000:]] == ["error", "error", "error", "ok"]


def test_a_missed_expectation_exits_3_as_locally(tmp_path: Path, scheduler: str) -> None:
    case = tmp_path / "miss.yaml"
    case.write_text("id: miss\nanswers: {carry: left}\nexpected:\n"
                    "  overactive: [upper_trap@right]\n")
    remote = batch(str(case), "--check", "--scheduler", scheduler, "-q")
    assert remote.exit_code == 3, remote.stderr
    assert remote.stdout == batch(str(case), "--check", "--jobs", "1", "-q").stdout


# -- streaming -----------------------------------------------------------------------------
def test_the_cluster_reads_ahead_only_a_window_of_chunks(scheduler: str) -> None:
    pulled = 0

    def stream() -> Iterator[Task]:
        nonlocal pulled
        for i in range(600):
            pulled += 1
            yield Task("line", "mem", i + 1, json.dumps({"id": f"c{i}", "answers": {}}))

    with ClusterEvaluator(Plan(scheduler, str(FIXTURE_KB), chunksize=4)) as ev:
        ahead = ev.window() * 4
        assert ahead == (2 * 2 + 2) * 4  # 2 workers of 1 thread
        for i, record in enumerate(ev.records(stream())):
            assert record["case_id"] == f"c{i}"
            assert pulled <= i + 1 + ahead + 4, (i, pulled)
    assert pulled == 600


# -- faults --------------------------------------------------------------------------------
def test_a_worker_killed_in_the_middle_costs_a_retry_not_a_record(tmp_path: Path,
                                                                   real: Path) -> None:
    lines = library_lines(tmp_path / "cases.jsonl", 1500)
    expected = batch(str(lines), "--jobs", "1", "-q", kb=real).stdout.encode().splitlines(True)
    got: list[bytes] = []
    started: Counter[str] = Counter()  # how often each chunk was started on a worker

    class Starts(SchedulerPlugin):
        def transition(self, key: str, start: str, finish: str, *args: Any,
                       **kwargs: Any) -> None:
            if finish == "processing":
                started[key] += 1

    with local_cluster(real) as cluster, distributed.Client(cluster) as client:
        cluster.scheduler.add_plugin(Starts())  # the scheduler runs in this process
        pids = client.run(os.getpid)
        process = imbalance(real, "batch", str(lines), "--scheduler", cluster.scheduler_address,
                            "--chunk", "4", "-q", stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        assert process.stdout is not None and process.stderr is not None
        reader = threading.Thread(target=lambda: got.extend(process.stdout or ()), daemon=True)
        reader.start()  # the output drains all the time, so both workers are always busy
        deadline = time.monotonic() + 60
        while len(got) < 100:
            assert time.monotonic() < deadline and process.poll() is None
            time.sleep(0.01)
        victim = min(pids.values())
        os.kill(victim, signal.SIGKILL)  # in the middle of a chunk
        at_kill = len(got)
        err = process.stderr.read()
        assert process.wait(timeout=120) == 0, err
        reader.join(10)
        assert victim not in client.run(os.getpid).values()  # it really died (and came back)
    assert len(expected) - at_kill > 500  # the run was far from done
    assert any(n > 1 for n in started.values())  # a chunk was run again: the retry
    assert got == expected  # nothing lost, nothing twice, in order


def test_a_worker_with_another_knowledge_base_refuses(tmp_path: Path, scheduler: str) -> None:
    copy = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, copy)
    rules = copy / "rules" / "fixture.yaml"
    rules.write_text(rules.read_text() + "\n# edited, same version number\n")
    out = tmp_path / "r.jsonl"
    out.write_text("old\n")
    result = batch(str(CASES), "--scheduler", scheduler, "--out", str(out), kb=copy)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    message = result.stderr
    assert message.startswith("worker tcp://") and "refuses the run" in message
    assert message.count("knowledge base 9.9.9 (digest ") == 2  # both versions, told apart
    assert str(FIXTURE_KB) in message and str(copy) in message and "IMBALANCE_KB" in message
    assert out.read_text() == "old\n"


def test_a_chunk_for_another_knowledge_base_is_refused_by_the_worker() -> None:
    theirs = Identity("9.9.9", "0" * 64, "0.1.0", "/elsewhere")
    with pytest.raises(Refused, match=r"is not this run's knowledge base 9\.9\.9 "
                                      r"\(digest 000000000000, /elsewhere\)"):
        evaluate_chunk([Task("line", "mem", 1, '{"id": "x", "answers": {}}')], theirs, True,
                       False)


def test_an_unreachable_scheduler_is_one_line_within_the_timeout() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = batch(str(CASES), "--scheduler", f"tcp://127.0.0.1:{port}",
                   "--connect-timeout", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"tcp://127.0.0.1:{port}: no Dask scheduler answered "
                                    "within 1 s"), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "dask scheduler" in result.stderr
    assert time.monotonic() - started < 15


def test_a_scheduler_without_workers_says_so() -> None:
    with distributed.LocalCluster(n_workers=0, processes=True, dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster:
        address = cluster.scheduler_address
        result = batch(str(CASES), "--scheduler", address, "--connect-timeout", "1")
    assert result.exit_code == 1
    assert result.stderr == (f"{address}: the scheduler has no workers (start `dask worker "
                             f"{address} --nthreads 1` on each machine, with imbalance-expert "
                             "installed)\n")


def test_a_worker_that_cannot_load_its_knowledge_base_is_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, broken)
    (broken / "facts" / "kb.yaml").write_text("version: [\n")
    with local_cluster(broken) as cluster:
        result = batch(str(CASES), "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "a worker cannot run imbalance-expert" in result.stderr


def test_dask_is_imported_only_with_a_scheduler(tmp_path: Path) -> None:
    case = tmp_path / "g.yaml"
    case.write_text("id: g\nanswers: {carry: left}\n")
    code = ("import sys\nfrom expert.cli import main\n"
            f"sys.argv = ['imbalance', '--kb', {str(FIXTURE_KB)!r}, 'batch', {str(case)!r}, "
            "'-q', '--jobs', '2', '--out', '/dev/null']\n"
            "try:\n    main()\nexcept SystemExit as stop:\n    assert stop.code == 0, stop.code\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


@pytest.mark.parametrize("value", ["nowhere", "local:0", "http://x:8786"])
def test_a_bad_scheduler_value_is_a_command_line_error(value: str) -> None:
    result = batch(str(CASES), "--scheduler", value)
    assert result.exit_code == 2 and "--scheduler" in result.stderr


def test_jobs_do_not_mix_with_a_scheduler() -> None:
    result = batch(str(CASES), "--scheduler", "local:2", "--jobs", "2")
    assert result.exit_code == 2 and "local:N sets the workers" in result.stderr


@pytest.mark.parametrize(("name", "group", "status", "said"),
                         [("SIGTERM", False, 143, "terminated"),
                          ("SIGINT", True, 130, "interrupted")])  # Ctrl-C: the whole group
def test_a_signal_shuts_the_local_cluster_down_cleanly(tmp_path: Path, real: Path, name: str,
                                                       group: bool, status: int,
                                                       said: str) -> None:
    lines = library_lines(tmp_path / "many.jsonl", 20000)
    out = tmp_path / "r.jsonl"
    out.write_text("old\n")
    process = imbalance(real, "batch", str(lines), "--scheduler", "local:2", "--out", str(out),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                        # as from a terminal, even when the tests run where Ctrl-C is ignored
                        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(1.5)  # the workers are busy now
    if group:
        os.killpg(process.pid, getattr(signal, name))
    else:
        process.send_signal(getattr(signal, name))
    _, err = process.communicate(timeout=60)
    assert process.returncode == status, err
    assert err.decode() == f"{said}\n"  # no traceback, from the workers or the cluster
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl", "r.jsonl"]
    assert running(process.pid) == [], "worker processes outlived the run"


def running(group: int) -> list[str]:
    """The processes of a process group still running (exited ones, zombies waiting for init
    to reap them, aside), after a moment's grace."""
    alive: list[str] = []
    for _ in range(20):
        ps = subprocess.run(["ps", "-o", "stat=,cmd=", "-g", str(group)], capture_output=True,
                            text=True).stdout.splitlines()
        alive = [line for line in ps if not line.lstrip().startswith("Z")]
        if not alive:
            break
        time.sleep(0.25)
    return alive
