"""Hostile and odd input (issue 10): every command that reads a file reads at most the size
limit, never blocks on a pipe or device, refuses alias bombs, too deep nesting and duplicate
keys, cuts echoed values to a readable length, and reports all of it as one clean problem line
with the file's name and exit status 1."""

from __future__ import annotations

import json
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from expert import yamlio
from expert.case import load_case
from expert.cli import main
from expert.consultation.answers import BadAnswer, parse_answer, parse_checklist
from expert.consultation.session import Session, SessionError
from expert.knowledge import KnowledgeBase
from expert.problems import InputError

from .conftest import FIXTURE_KB

GOOD = "id: good\nanswers:\n  tilt: yes\n"
# each level doubles the one before: 2**20 values from 600 bytes
BOMB = "id: bomb\nl0: &l0 [yes, yes]\n" + "".join(
    f"l{i}: &l{i} [*l{i - 1}, *l{i - 1}]\n" for i in range(1, 21)) + "answers:\n  tilt: *l20\n"


def cli(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), *args], input=stdin,
                              catch_exceptions=False)


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


class Blocked(BaseException):
    """Raised in a read that blocks; a BaseException, so that no ``except Exception`` in the
    code under test can swallow it and block on the next input."""


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail, instead of hanging the suite, when a read blocks (a FIFO without a writer)."""
    def expire(signum: int, frame: object) -> None:
        raise Blocked("blocked reading input")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 20)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


def one_line(result: Result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


# -- alias bombs and nesting -------------------------------------------------------------------

def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    line = one_line(cli("run", str(path)))
    assert line.startswith(str(path)) and "aliases" in line and "100,000 values" in line
    assert len(line) < 300


def test_an_alias_bomb_in_a_batch_is_one_bad_record(tmp_path: Path) -> None:
    (tmp_path / "a_bomb.yaml").write_text(BOMB)
    (tmp_path / "b_good.yaml").write_text(GOOD)
    result = cli("batch", str(tmp_path), "-j", "1", "-q")
    bomb, good = records(result.stdout)
    assert result.exit_code == 1
    assert "aliases" in bomb["errors"][0]["message"] and good["status"] == "ok"


def test_a_few_aliases_are_still_fine(tmp_path: Path, tiny_kb: KnowledgeBase) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("id: c\nanswers:\n  tilt: &y yes\n  sitting: *y\n")
    assert load_case(path, tiny_kb).answers["sitting"].value == "yes"


@pytest.mark.parametrize(("name", "text"), [
    ("deep.json", '{"id": "d", "answers": ' + "[" * 10_000 + "]" * 10_000 + "}"),
    ("deep.json", '{"id": "d", "answers": {"tilt": ' + '{"value": ' * 60 + "1" + "}" * 61 + "}"),
    ("deep.yaml", "id: d\nanswers:\n  tilt: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    ("deep.yaml", "id: d\nanswers:\n  tilt:\n    " + "- " * 500 + "x\n"),
    # aliases nest without writing the brackets: 30 levels of 30 give 900
    ("deep.yaml", "a0: &a0 " + "[" * 30 + "]" * 30 + "\n" + "".join(
        f"a{i}: &a{i} " + "[" * 29 + f"*a{i - 1}" + "]" * 29 + "\n" for i in range(1, 30))
     + "id: d\n"),
])
def test_deep_nesting_names_the_file_and_the_limit(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    line = one_line(cli("run", str(path)))
    assert line.startswith(str(path)) and "nested more than 40 levels deep" in line


def test_deep_json_lines_are_a_bad_record_not_an_internal_error(tmp_path: Path) -> None:
    lines = tmp_path / "cases.jsonl"
    lines.write_text('{"id": "a", "answers": {"tilt": "yes"}}\n'
                     '{"id": "b", "x": ' + "[" * 10_000 + "]" * 10_000 + "}\n")
    good, deep = records(cli("batch", str(lines), "-j", "1", "-q").stdout)
    assert good["status"] == "ok"
    assert deep["line"] == 2 and "nested more than 40 levels" in deep["errors"][0]["message"]


@pytest.mark.parametrize(("name", "text", "message"), [
    ("n.json", '{"id": "c", "subject": {"age": ' + "9" * 5000 + "}}", "more than 4300 digits"),
    ("n.yaml", "id: c\nsubject: {age: " + "9" * 5000 + "}\n", "more than 4300 digits"),
    ("d.yaml", "id: c\ntitle: 2020-13-45\n", "cannot be read: month must be in 1..12"),
])
def test_values_python_cannot_build_are_problems(tmp_path: Path, name: str, text: str,
                                                 message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert message in one_line(cli("run", str(path)))


# -- duplicate keys ------------------------------------------------------------------------------

def test_duplicate_keys_in_json_are_an_error_with_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "dup.json"
    path.write_text('{\n "id": "d",\n "answers": {\n  "tilt": "yes",\n  "tilt": "no"\n }\n}\n')
    line = one_line(cli("run", str(path)))
    assert line.startswith(str(path)) and "duplicate key 'tilt' at line 5" in line


def test_duplicate_keys_in_json_lines_are_a_bad_record(tmp_path: Path) -> None:
    lines = tmp_path / "cases.jsonl"
    lines.write_text('{"id": "a", "answers": {"tilt": "yes"}}\n'
                     '{"id": "b", "answers": {"tilt": "yes", "tilt": "no"}}\n')
    good, dup = records(cli("batch", str(lines), "-j", "1", "-q").stdout)
    assert good["status"] == "ok" and dup["line"] == 2
    assert "duplicate key 'tilt'" in dup["errors"][0]["message"]
    stdin = cli("batch", "-", "-j", "1", "-q", stdin=lines.read_text())
    assert "duplicate key 'tilt'" in records(stdin.stdout)[1]["errors"][0]["message"]


# -- pipes, devices, links, sizes ----------------------------------------------------------------

@pytest.mark.usefixtures("deadline")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    line = one_line(cli("run", str(fifo)))
    assert line == f"{fifo}: is a named pipe (FIFO), not a regular file " \
                   "(save the data to a file and give that file, or pipe it in and give - " \
                   "instead)"
    assert "named pipe" in one_line(cli("explain", "glute", "--case", str(fifo)))


@pytest.mark.usefixtures("deadline")
def test_fifos_in_a_batch_folder_are_bad_inputs_and_the_run_goes_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a.yaml")
    os.mkfifo(tmp_path / "b.jsonl")
    (tmp_path / "c.yaml").write_text(GOOD)
    result = cli("batch", str(tmp_path), "-j", "1", "-q", "--progress")
    fifo, lines, good = records(result.stdout)
    assert result.exit_code == 1 and good["status"] == "ok"
    assert "named pipe" in fifo["errors"][0]["message"]
    assert "named pipe" in lines["errors"][0]["message"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_devices_are_refused_not_read_without_end() -> None:
    assert "is a device, not a regular file" in one_line(cli("run", "/dev/zero"))
    assert "is a device" in records(cli("batch", "/dev/zero", "-j", "1", "-q").stdout)[0][
        "errors"][0]["message"]


def test_standard_input_is_read_with_dash_and_bounded() -> None:
    assert cli("run", "-", "--format", "json", stdin=GOOD).exit_code == 0
    line = one_line(cli("run", "-", stdin="id: big\nnotes: " + "x" * (1024 * 1024) + "\n"))
    assert line.startswith("<stdin>: is larger than the limit of 1 MiB")
    assert one_line(cli("run", "-", stdin="id: c\nanswers: {tilts: yes}\n")).startswith(
        "<stdin>: answers.tilts: unknown observation id")


def test_no_more_than_the_limit_is_ever_read(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that says it is small (as /proc files do) and is not: reading stops at the
    limit."""
    path = tmp_path / "grows.yaml"
    path.write_text("x" * 5000)
    real_fstat, real_read = os.fstat, os.read
    read: list[int] = []

    def fstat(fd: int) -> os.stat_result:
        st = list(real_fstat(fd))
        st[6] = 0  # st_size
        return os.stat_result(st)

    def os_read(fd: int, n: int) -> bytes:
        data = real_read(fd, n)
        read.append(len(data))
        return data

    monkeypatch.setattr(os, "fstat", fstat)
    monkeypatch.setattr(os, "read", os_read)
    with pytest.raises(InputError) as info:
        yamlio.read_bytes(path, max_bytes=100)
    assert "larger than the limit" in info.value.problems[0].message
    assert sum(read) == 101


def test_a_symlink_loop_is_named_as_such(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    assert "symbolic link loop" in one_line(cli("run", str(loop)))
    dangling = tmp_path / "gone.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    assert "symbolic link to a missing file" in one_line(cli("run", str(dangling)))
    out = records(cli("batch", str(loop), str(tmp_path / "absent.yaml"), "-j", "1",
                      "-q").stdout)
    assert "symbolic link loop" in out[0]["errors"][0]["message"]
    assert out[1]["errors"][0]["message"] == "no such file or directory"


# -- echoed values -------------------------------------------------------------------------------

def test_a_huge_answer_gives_a_short_error_line(tmp_path: Path) -> None:
    for case, message in (({"answers": {"tilt": "x" * 900_000}}, "is not an answer"),
                          ({"answers": {"k" * 900_000: "yes"}}, "unknown observation id"),
                          ({"expected": {"overactive": ["m" * 900_000]}}, "unknown muscle"),
                          ({"id": "i" * 900_000}, "String should have at most")):
        path = tmp_path / "big.json"
        path.write_text(json.dumps({"id": "big", **case}))
        line = one_line(cli("run", str(path)))
        assert message in line and len(line) < 400, line
        record = records(cli("batch", str(path), "-j", "1", "-q").stdout)[0]
        assert message in record["errors"][0]["message"]
        assert len(json.dumps(record["errors"])) < 600 and len(record["case_id"]) <= 200


def test_a_huge_typed_answer_or_resumed_session_gives_a_short_message(tmp_path: Path) -> None:
    with pytest.raises(BadAnswer) as info:
        parse_answer("x" * 1_000_000, sided=False)
    assert len(str(info.value)) < 200
    with pytest.raises(BadAnswer) as info:
        parse_checklist("9" * 100_000, 5)  # int() refuses such numbers: no ValueError crash
    assert len(str(info.value)) < 300
    session = tmp_path / "s.json"
    session.write_text(json.dumps({
        "format": "imbalance-consultation", "format_version": 3, "mode": "self",
        "answers": [{"question": "q" * 500_000, "value": "yes"}]}))
    with pytest.raises(SessionError) as err:
        Session.load(session)
    assert len(str(err.value)) < 300


@pytest.mark.usefixtures("deadline")
def test_a_resumed_session_file_obeys_the_input_limits(tmp_path: Path) -> None:
    fifo = tmp_path / "s.json"
    os.mkfifo(fifo)
    with pytest.raises(SessionError, match="named pipe"):
        Session.load(fifo)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 10_000 + "]" * 10_000)
    with pytest.raises(SessionError, match="nested more than"):
        Session.load(deep)


# -- values that are almost right ----------------------------------------------------------------

@pytest.mark.parametrize("certainty", ["true", "false", '"0.5"'])
def test_a_certainty_must_be_a_number(tmp_path: Path, certainty: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"id: c\nanswers:\n  tilt: {{value: yes, certainty: {certainty}}}\n")
    line = one_line(cli("run", str(path)))
    assert "answers.tilt: certainty:" in line and "is not a number" in line


@pytest.mark.parametrize("change", ["tilt=yes:1.5", "tilt=yes:nan", "tilt=yes:high",
                                    "tilt=yes:inf", "tilt=yes:"])
def test_what_if_blames_the_certainty_not_the_answer(tmp_path: Path, change: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(GOOD)
    line = one_line(cli("explain", "glute", "--case", str(path), "--what-if", change))
    assert "is not a number from 0 to 1" in line and "is not an answer" not in line


def test_kb_questions_refuses_an_unknown_category() -> None:
    result = cli("kb", "questions", "--category", "nosuch")
    assert result.exit_code == 2
    assert "'nosuch' is not a category" in result.output and "habit, ohsa" in result.output


# -- kb check: everything at once, causes first ----------------------------------------------------

def faulty_kb(tmp_path: Path, edits: dict[str, tuple[str, str]]) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    for name, (old, new) in edits.items():
        path = root / name
        text = path.read_text()
        assert old in text, (name, old)
        path.write_text(text.replace(old, new, 1))
    return root


def kb_check(root: Path) -> list[str]:
    result = CliRunner().invoke(main, ["--kb", str(root), "kb", "check"])
    assert result.exit_code == 1
    return result.stderr.splitlines()


def test_kb_check_reports_every_kind_of_fault_at_once(tmp_path: Path) -> None:
    root = faulty_kb(tmp_path, {
        "facts/kb.yaml": ("version: 9.9.9", "version: nine"),
        "facts/muscles.yaml": ("{id: core_mid,", "{bogus: 1, id: core_mid,"),
        "facts/groups.yaml": ("members: [hamstring_a, hamstring_b]",
                              "members: [hamstring_a, hamstring_b, ghost, hamstrings]"),
        "facts/relations.yaml": ("b: [glute, hamstrings]", "b: [glute, phantom]"),
        "rules/fixture.yaml": ("  - id: habit.sitting", "  - id: posture.tilt"),
        "facts/sources.yaml": ("{key: SRC-B,", "{key: SRC-Z,"),
    })
    text = "\n".join(kb_check(root))
    for fault in ("kb.yaml: version", "bogus: unknown key", "unknown muscle or group 'ghost'",
                  "group contains itself", "unknown muscle or group 'phantom'",
                  "duplicate id 'posture.tilt'", "unknown source 'SRC-B'"):
        assert fault in text, fault


def test_kb_check_leads_with_the_cause_and_summarises_its_consequences(tmp_path: Path) -> None:
    root = faulty_kb(tmp_path, {"facts/muscles.yaml": ("muscles:\n", "muscles:\n  - [\n")})
    lines = kb_check(root)
    assert "muscles.yaml: malformed YAML" in lines[0]
    assert "more problem(s) elsewhere follow from the problem(s) above in this file" in lines[1]
    assert "e.g. " in lines[1] and "unknown muscle or group" in lines[1]
    assert len(lines) == 3  # the cause, the summary, the count
    (root / "facts/questions.yaml").unlink()
    lines = kb_check(root)
    assert [line.split(": ")[1] for line in lines[:2]] == ["malformed YAML at line 3, column 3",
                                                           "missing knowledge file"]
    assert len(lines) <= 5


@pytest.mark.usefixtures("deadline")
def test_a_knowledge_file_that_is_a_fifo_is_named_not_missing(tmp_path: Path) -> None:
    root = faulty_kb(tmp_path, {})
    (root / "facts/muscles.yaml").unlink()
    os.mkfifo(root / "facts/muscles.yaml")
    lines = kb_check(root)
    assert "muscles.yaml: is a named pipe (FIFO), not a regular file" in lines[0]
    assert "follow from the problem(s) above" in lines[1]
