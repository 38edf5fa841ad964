"""The real program in a pseudo-terminal (pexpect), answered as a person would: colour on a
terminal, a killed process and a closed terminal that both resume at the same question, and
plain output with NO_COLOR."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURE_KB

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")


def spawn(*args: str, no_color: bool = False) -> tuple[object, io.StringIO]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["TERM"] = "xterm-256color"
    if no_color:
        env["NO_COLOR"] = "1"
    log = io.StringIO()
    child = pexpect.spawn(sys.executable, ["-m", "expert", "--kb", str(FIXTURE_KB), "consult",
                                           *args], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 120))
    child.logfile_read = log
    return child, log


def pending(session: Path) -> dict[str, str]:
    data: dict[str, str] = json.loads(session.read_text())["pending"]
    return data


def test_a_person_at_a_terminal(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    child, log = spawn("--session", str(session))
    child.expect(r"Any numbness in the saddle area\?")
    child.expect(r"> ")
    child.sendline("why")
    child.expect(r"referral \(emergency\)")
    child.sendline("n")
    child.expect(r"Do you have low back pain\?")
    child.sendline("Y")
    child.expect(r"How old are you")
    child.sendline("40")
    child.expect(r"Do you sit most of the day\?")
    assert "\x1b[" in log.getvalue()  # colour on a terminal
    child.kill(signal.SIGKILL)  # the process is killed while a question waits
    child.expect(pexpect.EOF)
    child.close()
    assert pending(session) == {"question": "sitting", "part": "answer"}

    child, log = spawn("--resume", str(session))
    child.expect(r"Resuming .*: 3 answers so far")
    child.expect(r"4\. .*Do you sit most of the day\?")
    child.sendline("n")
    child.expect(r"5\. .*Do you carry loads on one side\?")
    child.sendline("y")
    child.expect(r"Which side\?")
    child.expect(r"> ")
    child.close(force=True)  # the terminal is closed (the program gets SIGHUP)
    assert pending(session) == {"question": "carry", "part": "side"}

    child, log = spawn("--resume", str(session))
    child.expect(r"Which side\?")
    child.expect(r"> ")
    child.sendline("right")
    child.expect(r"6\. .*Is your pelvis tilted forward\?")
    child.sendline("no")
    child.expect(r"Consultation complete")
    child.expect(r"Upper trap")
    child.expect(r"Save this consultation as a case file")
    child.sendline("")
    child.expect(r"File name")
    child.sendline("")
    child.expect(r"Saved .*s\.yaml")
    child.expect(r"Save your exercise sheet")
    child.sendline("n")
    child.expect(r"press\s+Enter\s+to\s+finish")
    child.sendline("how 1")
    child.expect(r"you answered right to")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in log.getvalue()
    assert (tmp_path / "s.yaml").read_text().count("carry: right") == 1


def test_no_color_and_end_of_input(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    child, log = spawn("--session", str(session), no_color=True)
    child.expect(r"Any numbness in the saddle area\?")
    child.expect(r"> ")
    child.sendline("n")
    child.expect(r"Do you have low back pain\?")
    child.expect(r"> ")
    child.sendeof()
    child.expect(r"End of input\. Your 1 answer so far is saved in")
    child.expect(r"consult --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "\x1b[" not in log.getvalue()

    child, log = spawn("--resume", str(session), "--no-color")
    child.expect(r"2\. Do you have low back pain\?")
    child.sendline("quit")
    child.expect(r"Stopped\.")
    child.expect(pexpect.EOF)
    child.close()
    assert "\x1b[" not in log.getvalue() and child.exitstatus == 0


def test_sigterm_saves_and_says_how_to_resume(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    child, log = spawn("--session", str(session))
    child.expect(r"Any numbness in the saddle area\?")
    child.sendline("n")
    child.expect(r"Do you have low back pain\?")
    child.expect(r"> ")
    child.kill(signal.SIGTERM)
    child.expect(r"Stopped\. Your 1 answer so far is saved")
    child.expect(r"consult --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 128 + signal.SIGTERM
    assert pending(session) == {"question": "back_pain", "part": "answer"}
    assert "Traceback" not in log.getvalue()


def test_a_checklist_at_a_terminal_resumes_at_the_same_list(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    args = ["-m", "expert", "consult", "--no-color"]  # the real knowledge base
    child = pexpect.spawn(sys.executable, [*args, "--session", str(session)], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 120))
    child.expect(r"1\. Back and legs: Do any of these apply to you\?")
    child.expect(r"6\) legs getting weaker")
    child.expect(r"no / numbers / yes / \? > ")
    child.sendline("why")
    child.expect(r"These are red flags")
    child.sendline("n")
    child.expect(r"2\. About the pain: Does any of this describe your pain\?")
    child.expect(r"> ")
    child.kill(signal.SIGKILL)  # killed at the second list
    child.expect(pexpect.EOF)
    child.close()
    assert pending(session) == {"checklist": "about_the_pain", "part": "answer"}

    child = pexpect.spawn(sys.executable, [*args, "--resume", str(session)], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 120))
    child.expect(r"Resuming .*: 1 answer so far")
    child.expect(r"2\. About the pain: Does any of this describe your pain\?")
    child.expect(r"> ")
    child.sendline("1")  # a red flag: read back once, then the referral
    child.expect(r"You ticked 1: back pain for over 3 months")
    child.expect(r"yes / no > ")
    child.sendline("y")
    child.expect(r"REFERRAL \(REFER\)")  # at once: no side is asked under a referral
    child.expect(r"Save this consultation")
    child.sendline("n")
    child.expect(r"Save your exercise sheet")  # under a referral, the sheet says what to do
    child.sendline("n")
    child.expect(r"press\s+Enter\s+to\s+finish")
    child.sendline("")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    answers = json.loads(session.read_text())["answers"]
    assert answers[1]["checklist"] == "about_the_pain" and answers[2]["value"] == "yes"


def test_a_second_terminal_cannot_take_a_session_in_use(tmp_path: Path) -> None:
    # issue 10 item 8: `--session s.json` in one terminal, `--resume s.json` in another
    session = tmp_path / "s.json"
    child, _ = spawn("--session", str(session), no_color=True)
    child.expect(r"Any numbness in the saddle area\?")
    child.expect(r"> ")
    second, log = spawn("--resume", str(session), no_color=True)
    second.expect(pexpect.EOF)
    second.close()
    out = " ".join(log.getvalue().split())
    assert second.exitstatus == 1
    assert f"{session} is in use by another imbalance consult (process {child.pid})" in out
    child.sendline("n")  # the first goes on, and its answers are all there
    child.expect(r"Do you have low back pain\?")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    child.close()
    assert json.loads(session.read_text())["answers"] == [{"question": "numb", "value": "no"}]
    third, _ = spawn("--resume", str(session), no_color=True)  # free again once it is done
    third.expect(r"Resuming .*: 1 answer so far")
    third.sendline("quit")
    third.expect(pexpect.EOF)
    third.close()
    assert third.exitstatus == 0


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
SEED_A_TYPED = {"low_back_pain": "y", "subject.age": "38", "prolonged_sitting": "yes",
                "anterior_pelvic_tilt": "Y"}


@pytest.mark.parametrize(("mode", "columns"), [("self", 60), ("self", 80), ("trainer", 60)])
def test_a_whole_consultation_breaks_no_word_at_60_or_80_columns(
        real_kb: Any, tmp_path: Path, mode: str, columns: int) -> None:
    """Issue 11: the screen's words are the words of the same consultation laid out wide, and
    no line is longer than the terminal (which would wrap it wherever the edge falls)."""
    from click.testing import CliRunner

    from expert.cli import main

    from .test_consult_dialogue import typed_answers
    typed = typed_answers(real_kb, mode, SEED_A_TYPED, tmp_path / "scratch.json")
    # the end: the case file, the client sheet (and the trainer's report) under their
    # suggested names
    documents = ["y", ""] * (2 if mode == "trainer" else 1)
    script = ["why", "help", typed[0], "review", *typed[1:-1], "why", typed[-1],
              "y", "", *documents, "how 1", "review", ""]
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env.update(TERM="xterm-256color", COLUMNS=str(columns), LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "expert", "consult", "--mode", mode,
                                           "--session", "s.json"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, columns),
                          cwd=str(tmp_path))
    log = io.StringIO()
    child.logfile_read = log
    for line in script:
        child.expect([r"> ", r"\]: ", r"\] "])
        child.sendline(line)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, log.getvalue()[-2000:]
    screen = ANSI.sub("", log.getvalue()).replace("\r", "")
    assert "\x1b[" in log.getvalue()  # in colour, on a terminal
    assert "Consultation complete" in screen and "Saved s.yaml" in screen
    long = [line for line in screen.splitlines() if len(line) > columns]
    assert long == []
    # the consultation ends with the client sheet printed: one page and the log
    assert "Saved s-sheet.pdf" in screen
    from pypdf import PdfReader
    sheet = PdfReader(tmp_path / "s-sheet.pdf")
    assert len(sheet.pages) == 2 and "Your exercise plan" in sheet.pages[0].extract_text()
    assert "Your log" in sheet.pages[1].extract_text()
    if mode == "trainer":
        assert "Saved s-report.pdf" in screen
        assert "Key findings" in PdfReader(tmp_path / "s-report.pdf").pages[0].extract_text()
        (tmp_path / "s-report.pdf").unlink()

    for name in ("s.json", "s.yaml", "s-sheet.pdf"):
        (tmp_path / name).unlink()
    wide = CliRunner(env={"COLUMNS": "250"}).invoke(
        main, ["consult", "--mode", mode, "--session", str(tmp_path / "s.json")],
        input="\n".join(script).replace("\n\n", f"\n{tmp_path / 's.yaml'}\n", 1) + "\n")
    assert wide.exit_code == 0
    known = {w.lower() for w in WORD.findall(wide.output + " ".join(script))}
    cut = sorted({w for w in WORD.findall(screen) if w.lower() not in known})
    assert cut == []
