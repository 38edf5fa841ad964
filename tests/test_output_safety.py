"""What the program writes and prints, when the output or the data is hostile (issue 10, the
output side): --out onto FIFOs, links and inputs; missing folders; terminal escape codes, HTML
and spreadsheet formulas from a case; SIGTERM in the middle of a batch; a closed or broken
stdout; and the --jobs cap."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from expert.cli import main
from expert.escaping import csv_cell, json_text, markdown_cell, printable
from expert.output import AtomicFile, OutputError, write_atomic

from .conftest import FIXTURE_KB

CASE = "id: demo\ntitle: Demo case\nanswers:\n  tilt: yes\n  carry: left\n"
HOSTILE_TITLE = "\x1b]0;OWNED\x07\x1b[2J\x9b31m\u202eevil"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def invoke(*args: str, kb: Path = FIXTURE_KB) -> Result:
    return CliRunner().invoke(main, ["--kb", str(kb), *args], catch_exceptions=False)


def imbalance(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "expert", "--kb", str(FIXTURE_KB), *args]
    return subprocess.Popen(command, **kwargs)  # type: ignore[call-overload,no-any-return]


def case_file(tmp_path: Path, text: str = CASE, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"c{i}", "answers": {"tilt": "yes"}}) + "\n"
                            for i in range(count)))
    return path


# -- item 1: --out onto what is not a regular file ------------------------------------------
def _read_fifo(fifo: Path, into: list[bytes]) -> threading.Thread:
    thread = threading.Thread(target=lambda: into.append(fifo.read_bytes()), daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("command", [["run", "{case}", "--format", "json"],
                                     ["batch", "{case}", "--jobs", "1", "-q"],
                                     ["kb", "graph"]])
def test_out_writes_straight_through_a_fifo_and_keeps_it(tmp_path: Path,
                                                         command: list[str]) -> None:
    case = case_file(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = invoke(*[a.format(case=case) for a in command], "--out", str(fifo))
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a regular file
    assert got and (b"demo" in got[0] or b"digraph" in got[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml", "pipe"]  # no .tmp


def test_out_onto_a_link_writes_its_target_atomically_and_keeps_the_link(tmp_path: Path) -> None:
    case = case_file(tmp_path)
    (tmp_path / "reports").mkdir()
    real = tmp_path / "reports" / "report.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    assert invoke("run", str(case), "--format", "json", "--out", str(link)).exit_code == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert json.loads(real.read_text())["case_id"] == "demo"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file's own permissions are kept
    assert invoke("batch", str(case), "--jobs", "1", "-q", "--out", str(link)).exit_code == 0
    assert link.is_symlink() and json.loads(real.read_text())["case_id"] == "demo"
    dangling = tmp_path / "new.json"
    dangling.symlink_to(tmp_path / "reports" / "created.json")
    assert invoke("run", str(case), "--format", "json", "--out", str(dangling)).exit_code == 0
    assert dangling.is_symlink() and (tmp_path / "reports" / "created.json").is_file()


def test_atomic_file_writes_through_special_files_and_keeps_old_files_on_failure(
        tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), AtomicFile(target) as handle:
        handle.write("half")
        raise KeyboardInterrupt
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["r.txt"]
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    write_atomic(fifo, "through\n")
    reader.join(10)
    assert got == [b"through\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


# -- item 7: --out equal to an input --------------------------------------------------------
def test_out_equal_to_an_input_is_refused(tmp_path: Path) -> None:
    case = case_file(tmp_path)
    (tmp_path / "other").mkdir()
    link = tmp_path / "link.yaml"
    link.symlink_to(case)
    lines = jsonl(tmp_path / "in.jsonl", 3)
    json_case = case_file(tmp_path, '{"id": "j", "answers": {"tilt": "yes"}}', name="j.json")
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, kb)
    muscles = kb / "facts" / "muscles.yaml"
    before = {p: p.read_bytes() for p in (case, lines, json_case, muscles)}
    attempts = [
        ("run", str(case), "--out", str(case)),
        ("run", str(case), "--format", "json", "--out", str(tmp_path / "other" / ".." /
                                                             "case.yaml")),
        ("run", str(case), "--out", str(link)),
        ("explain", "hip_flexor", "--case", str(case), "--out", str(case)),
        ("batch", str(lines), "--out", str(lines)),
        ("batch", str(tmp_path), "--out", str(case)),  # a case inside a folder given
        ("batch", str(json_case), "--report", str(json_case)),
        ("kb", "graph", "--out", str(muscles)),
        ("run", str(case), "--out", str(muscles)),
    ]
    for args in attempts:
        result = invoke(*args, kb=kb)
        assert result.exit_code == 1, (args, result.output)
        assert "is an input of this command" in result.stderr, args
        assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in before} == before
    assert os.path.islink(link)
    both = invoke("batch", str(case), "--out", str(tmp_path / "r.json"), "--report",
                  str(tmp_path / "other" / ".." / "r.json"))
    assert both.exit_code == 1 and "is also the --out file" in both.stderr
    assert not (tmp_path / "r.json").exists()


# -- item 17: --out into a missing or unwritable folder -------------------------------------
def test_out_into_a_missing_folder_names_the_path_and_what_to_do(tmp_path: Path) -> None:
    case = case_file(tmp_path)
    out = tmp_path / "missing" / "x.json"
    for args in [("run", str(case), "--out", str(out)),
                 ("explain", "hip_flexor", "--case", str(case), "--out", str(out)),
                 ("kb", "graph", "--out", str(out)),
                 ("schema", "--out", str(out)),
                 ("batch", str(case), "--out", str(out)),
                 ("batch", str(case), "--report", str(tmp_path / "missing" / "r.html"))]:
        result = invoke(*args)
        assert result.exit_code == 1, (args, result.output)
        line = result.stderr.strip().splitlines()[-1]
        assert line.startswith(str(tmp_path / "missing")), line
        assert "does not exist" in line and "create the folder" in line, line
        assert ".tmp" not in line and "Error" not in line, line
    assert not (tmp_path / "missing").exists()


def test_an_unwritable_folder_is_said_plainly(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    case = case_file(tmp_path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.json.abc.tmp"))

    monkeypatch.setattr("tempfile.mkstemp", refuse)  # as root, a read-only folder is writable
    for args in [("run", str(case), "--out", str(tmp_path / "x.json")),
                 ("batch", str(case), "-q", "--out", str(tmp_path / "x.json"))]:
        result = invoke(*args)
        assert result.exit_code == 1
        assert result.stderr == (f"{tmp_path / 'x.json'}: cannot be written: permission denied "
                                 f"in {tmp_path} (choose a folder you can write to)\n")


# -- item 3: terminal escape codes ----------------------------------------------------------
def test_escape_codes_from_a_case_never_reach_the_terminal(tmp_path: Path) -> None:
    case = case_file(tmp_path, f"id: demo\ntitle: {json.dumps(HOSTILE_TITLE)}\n"
                               "answers: {tilt: yes}\n")
    for fmt in ("text", "markdown", "html", "json"):
        result = invoke("run", str(case), "--format", fmt)
        assert result.exit_code == 0, result.output
        assert not any(c in result.output for c in RAW), fmt
    text = invoke("run", str(case)).output
    assert "\\x1b]0;OWNED\\x07\\x1b[2J\\u009b31m\\u202eevil" in text  # shown, not acted on
    data = json.loads(invoke("run", str(case), "--format", "json").output)
    assert data["title"] == HOSTILE_TITLE  # JSON keeps the value, escaped
    out = tmp_path / "report.md"
    invoke("run", str(case), "--format", "markdown", "--out", str(out))
    assert not any(c in out.read_text() for c in RAW)


def test_escape_codes_in_errors_and_the_batch_summary_are_escaped(tmp_path: Path) -> None:
    bad = case_file(tmp_path, 'id: x\nanswers: {"\\e]8;;http://evil\\a": yes}\n',
                    name="\x1b[2Jcase.yaml")
    run = invoke("run", str(bad))
    assert run.exit_code == 1 and "\\x1b[2J" in run.stderr and "\\x1b]8" in run.stderr
    result = invoke("batch", str(tmp_path), "--jobs", "1", "--format", "csv")
    assert result.exit_code == 1
    for text in (run.stderr, result.stderr, result.stdout):
        assert not any(c in text for c in RAW), text


# -- item 4: HTML and table syntax in the batch reports -------------------------------------
def test_reports_escape_html_and_table_syntax_from_file_names_and_messages(
        tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    case_file(cases, "id: a\nanswers: {'<script>alert(1)</script>': yes}\n",
              name="<img src=x onerror=alert(1)>.yaml")
    case_file(cases, "id: b\nanswers: {tilt: maybe}\n", name="a|b.yaml")
    for suffix in ("md", "html"):
        report = tmp_path / f"report.{suffix}"
        assert invoke("batch", str(cases), "--jobs", "1", "-q", "--report",
                      str(report)).exit_code == 1
        text = report.read_text()
        assert "<img" not in text and "<script" not in text, suffix
        assert "&lt;img src=x onerror=alert(1)&gt;" in text, suffix
    md = (tmp_path / "report.md").read_text()
    row = next(line for line in md.splitlines() if "a\\|b.yaml" in line)
    assert row.count(" | ") == 2  # three cells: the | in the file name does not add one
    handout = invoke("run", str(case_file(tmp_path, "id: h\ntitle: '<script>x</script> | y'\n"
                                                    "answers: {tilt: yes}\n")),
                     "--format", "html", "--audience", "trainer").output
    assert "<script>" not in handout and "&lt;script&gt;" in handout


def test_markdown_cells_escape_html_pipes_and_newlines() -> None:
    assert markdown_cell("<b>x</b> | y\nz") == "&lt;b&gt;x&lt;/b&gt; \\| y z"


# -- item 5: formulas in CSV ----------------------------------------------------------------
def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    lines = tmp_path / "f.jsonl"
    lines.write_text("".join(json.dumps({"id": i, "answers": {"tilt": "yes"}}) + "\n" for i in
                             ['=HYPERLINK("http://evil","x")', "+1+1", "-2", "@SUM(A1)"]))
    result = invoke("batch", str(lines), "--format", "csv", "--jobs", "1", "-q")
    ids = [row["case_id"] for row in csv.DictReader(io.StringIO(result.stdout))]
    assert ids == ["'=HYPERLINK(\"http://evil\",\"x\")", "'+1+1", "'-2", "'@SUM(A1)"]
    assert csv_cell("\tx") == "'\tx" and csv_cell("\rx") == "'\\x0dx" and csv_cell(0.5) == 0.5
    assert csv_cell("plain") == "plain"


# -- item 12: SIGTERM in the middle of a batch ----------------------------------------------
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sigterm_stops_a_batch_cleanly_and_keeps_the_old_output(tmp_path: Path,
                                                                jobs: str) -> None:
    cases = jsonl(tmp_path / "many.jsonl", 30000)
    out = tmp_path / "r.jsonl"
    out.write_text("old\n")
    process = imbalance("batch", str(cases), "--jobs", jobs, "--out", str(out),
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    time.sleep(0.5)  # the workers are busy now
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert err.decode() == "terminated\n"  # no traceback from the workers
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.jsonl", "r.jsonl"]


# -- item 13: stdout closed or gone ---------------------------------------------------------
@pytest.mark.parametrize("command", [["run", "{case}"], ["run", "{case}", "--format", "json"],
                                     ["batch", "{case}", "-q"], ["kb", "questions"]])
def test_a_closed_stdout_is_an_error_not_a_lost_report(tmp_path: Path,
                                                       command: list[str]) -> None:
    case = case_file(tmp_path)
    process = imbalance(*[a.format(case=case) for a in command], stderr=subprocess.PIPE,
                        preexec_fn=lambda: os.close(1))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.decode() == ("standard output: is closed, so the output would be lost (redirect "
                            "it to a file, or give --out FILE)\n")


def test_batch_from_a_closed_stdin_says_so(tmp_path: Path) -> None:
    process = imbalance("batch", "-", stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                        preexec_fn=lambda: os.close(0))
    _, err = process.communicate(timeout=60)
    assert process.returncode == 1
    assert err.decode() == ("<stdin>: is closed, so there are no cases to read (pipe JSON Lines "
                            "into it, or give files)\n")


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_goes_away_stops_the_batch_quietly(tmp_path: Path, jobs: str) -> None:
    cases = jsonl(tmp_path / "many.jsonl", 5000)
    process = imbalance("batch", str(cases), "--jobs", jobs, "-q", stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().startswith(b"{")
    process.stdout.close()  # | head -1
    _, err = process.communicate(timeout=60)
    assert process.returncode == 141 and err == b""


# -- --jobs ---------------------------------------------------------------------------------
def test_jobs_are_capped_at_four_per_cpu_and_at_the_number_of_cases(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("expert.batch.runner.cpu_count", lambda: 2)
    lines = jsonl(tmp_path / "l.jsonl", 20)
    many = invoke("batch", str(lines), "--jobs", "1000", "--out", os.devnull)
    assert many.exit_code == 0
    assert "note: --jobs 1000 is more than 4 per CPU; using 8 (2 CPUs)" in many.stderr
    assert ", 8 jobs)" in many.stderr
    few = invoke("batch", str(case_file(tmp_path)), "--jobs", "6", "--out", os.devnull)
    assert "note" not in few.stderr and ", 1 job)" in few.stderr


# -- the escaping functions -----------------------------------------------------------------
def test_printable_escapes_controls_but_keeps_tabs_newlines_and_text() -> None:
    assert printable("a\tb\nc — é ←") == "a\tb\nc — é ←"
    assert printable("\x1b[31m\x07\r\x7f\x9b\u202e") == \
        "\\x1b[31m\\x07\\x0d\\u007f\\u009b\\u202e"
    raw = json.dumps({"k": "\x9b\x7f"}, ensure_ascii=False)
    assert json.loads(printable(raw)) == {"k": "\x9b\x7f"}  # JSON stays JSON
    text = json.dumps({"t": "\x9b\u202e\x1b"}, ensure_ascii=False)
    assert json.loads(json_text(text)) == {"t": "\x9b\u202e\x1b"}
    assert not any(c in json_text(text) for c in RAW)


def test_output_errors_read_as_a_problem_line(tmp_path: Path) -> None:
    error = OutputError(tmp_path / "x", "is a folder", "give a file name")
    assert str(error) == f"{tmp_path / 'x'}: is a folder (give a file name)"
    with pytest.raises(OutputError, match="is a folder"):
        write_atomic(tmp_path, "x")


@pytest.mark.parametrize("command", [["run", "{case}", "--format", "json"], ["schema"],
                                     ["batch", "{case}"]])
def test_out_dash_means_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        command: list[str]) -> None:
    case = tmp_path / "c.yaml"
    case.write_text("id: c\nanswers: {tilt: yes}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(*[a.format(case=case) for a in command], "--out", "-")
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert not (tmp_path / "-").exists()
