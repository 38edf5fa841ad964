"""Fuzzing the input side (issue 10): random bytes, random YAML-like text and random JSON
structures, as case files for ``imbalance run`` and as files and JSON Lines records for
``imbalance batch``. Whatever comes in, the answer is a report (exit 0) or clean problem lines
naming the file (exit 1): never a traceback, an "internal error", a hang or a memory blow-up."""

from __future__ import annotations

import json
import resource
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from expert.batch import worker
from expert.batch.sources import Task
from expert.cli import main
from expert.knowledge.locate import knowledge_base

from .conftest import FIXTURE_KB

OBSERVATIONS = sorted(knowledge_base(FIXTURE_KB).questions)
SECONDS = 5.0  # per input, far above the few milliseconds a case takes
FUZZ = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

scalars = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=20) | st.sampled_from(["yes", "no", "left", "both", "?"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)
answers = st.dictionaries(
    st.sampled_from(OBSERVATIONS) | st.text(max_size=12),
    st.sampled_from(["yes", "no", "unknown", "left", "right", "both", "maybe"]) | values
    | st.fixed_dictionaries({"value": st.sampled_from(["yes", "left", "no"])},
                            optional={"certainty": scalars, "extra": values}),
    max_size=6)
cases = st.fixed_dictionaries(
    {}, optional={"id": st.sampled_from(["c1", "bad id", ""]) | st.text(max_size=10),
                  "answers": answers | values, "subject": values
                  | st.fixed_dictionaries({}, optional={"age": scalars, "sex": scalars,
                                                        "equipment": values}),
                  "expected": values, "title": scalars, "extra": values})
documents = cases | values
# text made of YAML's syntax: anchors, aliases, tags, flow and block collections
yaml_text = st.lists(st.sampled_from([
    *"&*!|>[]{}:,-#?'\"\n\t  abyes01.%@`\x00", "&a ", "*a", "<<: ", "!!str ",
    "!!python/object:os.system ", "id: c\n", "answers:\n  ", "tilt: ", "carry: left\n",
    "2020-13-45 ", "9" * 5000, "1e999 "]),
    max_size=80).map("".join)


def check_cli(path: Path) -> None:
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "run", str(path)])
    assert time.perf_counter() - started < SECONDS
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 1:
        lines = result.stderr.splitlines()
        assert lines and all(line.startswith(str(path)) for line in lines), result.stderr
        assert all(len(line) < 1200 for line in lines)


def check_record(record: dict[str, Any]) -> None:
    assert record["status"] in ("ok", "error")
    for error in record["errors"]:
        assert "internal error" not in error["message"], error
        assert len(error["message"]) <= 1000


@pytest.fixture(scope="module", autouse=True)
def engine() -> None:
    worker.start(str(FIXTURE_KB))


def run_all(path: Path, line: str | None = None) -> None:
    started = time.perf_counter()
    check_cli(path)
    check_record(worker.evaluate(Task("file", str(path))))
    if line is not None:
        check_record(worker.evaluate(Task("line", "fuzz.jsonl", 1, line)))
    assert time.perf_counter() - started < 3 * SECONDS


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".yaml", ".json"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"case{suffix}"
    path.write_bytes(data)
    run_all(path, data.decode("utf-8", "replace"))


@FUZZ
@given(text=yaml_text)
def test_random_yaml_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    run_all(path)


@FUZZ
@given(doc=documents, flow=st.booleans())
def test_random_yaml_structures(tmp_path: Path, doc: Any, flow: bool) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(doc, default_flow_style=flow, allow_unicode=True),
                    encoding="utf-8")
    run_all(path)


@FUZZ
@given(doc=documents)
def test_random_json_structures(tmp_path: Path, doc: Any) -> None:
    path = tmp_path / "case.json"
    text = json.dumps(doc, allow_nan=True)
    path.write_text(text, encoding="utf-8")
    run_all(path, text)


@settings(FUZZ, max_examples=40)
@given(lines=st.lists(documents.map(json.dumps) | st.binary(max_size=80).map(
    lambda b: b.decode("latin-1")), min_size=1, max_size=5))
def test_random_json_lines_through_batch(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogateescape"))
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "batch", str(path), "-j", "1",
                                       "-q"])
    assert time.perf_counter() - started < SECONDS
    assert result.exit_code in (0, 1), (result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    for line in result.stdout.splitlines():
        check_record(json.loads(line))


def test_memory_stays_bounded() -> None:
    """After the fuzzing above (same process), the peak resident size is modest: nothing was
    expanded or read without bound."""
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mib < 1500
