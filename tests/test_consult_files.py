"""The consultation's files under trouble (issue 10 items 8, 9, 19, 20): one consultation per
session file (a lock), the case file written in the format its name says and never over the
session, a session folder that stops being writable, and a very long session file name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from expert.case import load_case
from expert.consultation import session as session_module
from expert.consultation.answered import case_id
from expert.consultation.consultant import Consultant
from expert.consultation.lock import SessionInUse, SessionLock, lock_path
from expert.consultation.session import Session
from expert.knowledge import KnowledgeBase

from .test_consult_dialogue import consult, lines, typed_answers


def everything_no(kb: KnowledgeBase, tmp_path: Path) -> list[str]:
    """The lines that answer a whole fixture consultation: back pain yes at 40, the rest no."""
    return typed_answers(kb, "self", {"back_pain": "y", "subject.age": "40"},
                         tmp_path / "scratch.json")


# -- item 8: two consultations on one session file ---------------------------------------------
def test_a_session_file_is_used_by_one_consultation_at_a_time(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    first, second = SessionLock(), SessionLock()
    first.acquire(session)
    with pytest.raises(SessionInUse, match=r"s\.json is in use by another imbalance consult"):
        second.acquire(session, "imbalance consult --resume s.json")
    # the other terminal is told which file and what to do, and nothing is written
    result = consult("--session", str(session), input=lines("n", "quit"))
    assert result.exit_code == 1
    assert "is in use by another imbalance consult" in result.output
    assert "finish or quit that consultation first" in result.output
    assert not session.exists()
    first.release()
    assert not lock_path(session).exists()
    assert consult("--session", str(session), input=lines("quit")).exit_code == 0
    resumed = consult("--resume", str(session), input=lines("quit"))
    assert resumed.exit_code == 0 and "Resuming" in resumed.output


def test_a_resumed_session_is_locked_too(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    assert consult("--session", str(session), input=lines("n", "quit")).exit_code == 0
    lock = SessionLock()
    lock.acquire(session)
    result = consult("--resume", str(session), input=lines("y"))
    assert result.exit_code == 1 and "in use" in result.output
    assert "continue it with: imbalance --kb" in result.output  # the command to use after
    assert json.loads(session.read_text())["answers"][0]["value"] == "no"  # untouched
    lock.release()


# -- item 9: the case file's format and name ------------------------------------------------------
def test_the_case_file_is_written_in_the_format_its_name_says(tiny_kb: KnowledgeBase,
                                                              tmp_path: Path) -> None:
    typed = everything_no(tiny_kb, tmp_path)
    session = tmp_path / "s.json"
    result = consult("--session", str(session), input=lines(
        *typed, "y",
        str(session),                 # the session itself: refused, asked again
        str(tmp_path / "case.txt"),   # no case-file format: refused, asked again
        str(tmp_path / "case.json"),  # JSON
        "n", ""))                     # no sheet; finish
    assert result.exit_code == 0, result.output
    out = result.output
    assert "is this consultation's session file" in out
    assert "a case file is YAML or JSON; end the name in .yaml (or .yml) or .json" in out
    assert f"Saved {tmp_path / 'case.json'}" in out
    data = json.loads((tmp_path / "case.json").read_text())  # JSON, not YAML
    assert data["answers"]["back_pain"] == "yes" and data["subject"] == {"age": 40}
    assert load_case(tmp_path / "case.json", tiny_kb).answers["back_pain"].value == "yes"
    assert json.loads(session.read_text())["format"] == "imbalance-consultation"  # intact
    assert not (tmp_path / "case.txt").exists()
    # .yml is YAML
    again = consult("--resume", str(session), input=lines("y", str(tmp_path / "case.yml"), "n",
                                                              ""))
    assert again.exit_code == 0, again.output
    assert (tmp_path / "case.yml").read_text().startswith("# Written by imbalance consult")


# -- item 19: the session folder stops being writable ------------------------------------------
def _failing_after(monkeypatch: pytest.MonkeyPatch, folder: Path, saves: int) -> None:
    """Saves into ``folder`` fail (permission denied) after the first ``saves``."""
    real = session_module.write_atomic
    count = {"n": 0}

    def write(path: Path, text: str) -> Any:
        if Path(path).parent == folder:
            count["n"] += 1
            if count["n"] > saves:
                raise PermissionError(13, "Permission denied", str(path))
        return real(path, text)

    monkeypatch.setattr(session_module, "write_atomic", write)


def test_answers_are_kept_and_saved_elsewhere_when_the_folder_turns_read_only(
        tiny_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    session, other = folder / "s.json", tmp_path / "other.json"
    _failing_after(monkeypatch, folder, 2)  # the start and the first answer are saved
    typed = everything_no(tiny_kb, tmp_path)
    result = consult("--session", str(session), input=lines(
        typed[0], typed[1],   # the second answer cannot be saved
        str(other),           # another file: everything so far is saved there
        *typed[2:], "n", ""))
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert f"Your answers could not be saved to {session} (Permission denied)" in out
    assert "They are kept here and the consultation goes on" in out
    assert f"Saved to {other}. Continue later with: imbalance --kb" in out
    assert "Traceback" not in out and "Consultation complete." in out
    saved = json.loads(other.read_text())
    assert saved["complete"] is True and len(saved["answers"]) >= 3
    assert json.loads(session.read_text())["answers"][0]["value"] == "no"  # the old one


def test_a_stop_with_an_unwritable_session_saves_to_the_temporary_folder(
        tiny_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, temp = tmp_path / "ro", tmp_path / "temp"
    folder.mkdir()
    temp.mkdir()
    monkeypatch.setattr("tempfile.gettempdir", lambda: str(temp))
    _failing_after(monkeypatch, folder, 1)
    result = consult("--session", str(folder / "s.json"), input=lines("n", "", "y"))
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert out.count("File name (Enter: go on)") == 1  # Enter: not asked again, only noted
    assert "(not saved:" in out
    assert f"they were saved to {temp / 's.json'} instead" in out
    assert f"--resume {temp / 's.json'}" in out
    answers = json.loads((temp / "s.json").read_text())["answers"]
    assert [a["value"] for a in answers] == ["no", "yes"]  # nothing lost


# -- item 20: a long session file name --------------------------------------------------------
def test_any_session_file_name_gives_a_valid_case_id(tiny_kb: KnowledgeBase,
                                                     tmp_path: Path) -> None:
    long_name = "a" * 210 + ".json"
    result = consult("--session", str(tmp_path / long_name), input=lines("n", "quit"))
    assert result.exit_code == 0, result.output
    assert "Do you have low back pain?" in result.output
    ids = [case_id(Session(tmp_path / name, "self", "1")) for name in
           (long_name, "a" * 210 + "b.json", "é ü.json", "---.json", "x" * 200 + ".json")]
    assert ids[0] != ids[1] and ids[2:4] == ["consultation", "consultation"]
    assert ids[4] == "x" * 200 and all(0 < len(i) <= 200 for i in ids)
    consultant = Consultant(tiny_kb, Session(tmp_path / long_name, "self", tiny_kb.version))
    assert len(consultant.case().id) <= 200
