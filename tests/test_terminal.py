"""The terminal (issue 11): text wrapped to the terminal's width with no word broken, the
voice of each mode, question numbers without gaps, back over a side question, change N then
Enter, the weeks of a pregnancy, run's short report and --detail, and examples in every
command's help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from expert import terminal
from expert.case import load_case
from expert.cli import main
from expert.consultation import numbering
from expert.consultation.questionnaire import Questionnaire
from expert.consultation.session import Item
from expert.knowledge import KnowledgeBase

from .conftest import CASES
from .test_consult_dialogue import SEED_A, consult, lines, typed_answers
from .test_consult_units import build_checklist_kb

SEED_A_CASE = CASES / "seed_a_low_back_pain_apt.yaml"
COMMAND = re.compile(r"^\s*imbalance \S+ \S+")  # a command line is never broken (copied whole)
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")


def words(text: str) -> set[str]:
    return set(WORD.findall(text))


def broken(narrow: str, wide: str, width: int) -> list[str]:
    """Problems of ``narrow`` (the same text laid out for ``width`` columns) against ``wide``
    (laid out with room to spare): lines longer than the width, and words that are not words of
    the wide text (the pieces of a word cut across lines)."""
    problems = [f"line of {len(line)} columns: {line!r}" for line in narrow.splitlines()
                if len(line.rstrip()) > width and not COMMAND.match(line)]
    known = {w.lower() for w in words(wide)}
    problems += [f"not a word of the text: {w!r}" for w in sorted(words(narrow))
                 if w.lower() not in known]
    return problems


# -- wrapping --------------------------------------------------------------------------------
TEXT = ("Standing posture: stand relaxed and barefoot in front of a full-length mirror, first "
        "facing it and then side-on; a file /tmp/a-very-long-folder-name/session-file.json "
        "stays whole.")


@pytest.mark.parametrize("width", [40, 60, 80])
def test_wrapping_keeps_words_whole(width: int) -> None:
    out = terminal.wrap(TEXT, width, "     ", "  1. ")
    assert out[0].startswith("  1. Standing") and all(o.startswith("     ") for o in out[1:])
    assert " ".join(" ".join(out).split()) == "1. " + TEXT
    long_word = "/tmp/a-very-long-folder-name/session-file.json"
    assert all(len(line) <= width or long_word in line for line in out)
    folded = terminal.fold("kb_question_id      habit      " + TEXT, width)
    assert folded[0].startswith("kb_question_id      habit")  # the spacing of columns kept
    assert all(len(line) <= width or long_word in line for line in folded)


def test_the_width_is_the_terminals_within_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    assert terminal.columns() == 60 and terminal.width() == 60  # not a terminal: COLUMNS
    monkeypatch.setenv("COLUMNS", "20")
    assert terminal.columns() == terminal.MINIMUM
    monkeypatch.setenv("COLUMNS", "300")
    assert terminal.columns() == 300 and terminal.width() == terminal.PROSE
    monkeypatch.delenv("COLUMNS")
    assert terminal.columns() == terminal.PIPED


# -- question numbers -------------------------------------------------------------------------
def test_picks_share_their_checklists_number() -> None:
    items = [Item("checklist.screen", "no", items=("numb", "fever")),
             Item("checklist.habits", "picked", items=("sitting", "carry")),
             Item("sitting", "yes", picked="checklist.habits"),
             Item("carry", "left", picked="checklist.habits", side_asked=True),
             Item("tilt", "no")]
    assert numbering.numbers(items) == [1, 2, 2, 2, 3]
    assert numbering.asked(items) == 3
    assert numbering.position(items, 3) == 4 and numbering.position(items, 2) == 1
    assert numbering.position(items, 4) is None
    assert numbering.last_step(items) == 4
    assert numbering.last_step(items[:4]) == 3  # the side of the pick
    items[3].side_asked, items[3].side_pending = False, True
    assert numbering.last_step(items[:4]) == 1  # its side still to come: the checklist


def test_numbers_do_not_jump_and_review_shows_picks_under_their_list(tmp_path: Path) -> None:
    kb = build_checklist_kb(tmp_path / "kb")
    out = consult("--session", str(tmp_path / "s.json"), kb=kb, input=lines(
        "n",                 # 1 the screen
        "y", "40",           # 2 back pain, 3 the age
        "1 2", "l",          # 4 habits: both picked, the carry's side
        "review", "n",       # 5 tilt
        "n", "")).output
    assert "  5. Is your pelvis tilted forward?" in out  # not 7: the picks have no number
    assert "       · the sitting habit — yes" in out and "       · the carry habit — left" in out
    assert "  6." not in out


# -- back, change ------------------------------------------------------------------------------
def test_back_returns_to_the_side_asked_after_a_yes(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    out = consult("--session", str(session), input=lines(
        "n", "y", "40", "n",          # numb, back pain, age, sitting
        "y", "left",                  # 5 carry: yes, then its side
        "back",                       # at the tilt: back to the side, not to the yes
        "right", "n", "n", "")).output
    assert out.count("Which side?") == 2
    assert out.count("left / right / both / ? > ") == 2  # the side asked again, not the yes
    answers = json.loads(session.read_text())["answers"]
    assert answers[4] == {"question": "carry", "value": "right", "side_asked": True}


def test_back_returns_to_the_side_of_a_pick_then_to_the_list(tmp_path: Path) -> None:
    kb = build_checklist_kb(tmp_path / "kb")
    session = tmp_path / "s.json"
    out = consult("--session", str(session), kb=kb, input=lines(
        "n", "y", "40",
        "2", "l",            # 4 habits: the carry picked, its side
        "back",              # at the tilt: back to the carry's side
        "back",              # at that side: back to the list
        "n", "n", "n", "")).output
    assert out.count("Which side?") == 2
    assert out.count("  4. Habits: Do any of these apply to you?") == 2
    answers = json.loads(session.read_text())["answers"]
    assert answers[3] == {"checklist": "habits", "value": "no", "items": ["sitting", "carry"]}


def test_change_then_enter_says_which_question_is_waiting(tmp_path: Path) -> None:
    out = consult("--session", str(tmp_path / "s.json"), input=lines(
        "n", "y", "40",
        "change 2", "",      # at question 4: nothing changed
        "quit")).output
    assert "Unchanged. Back to question 4:" in out
    assert out.count("  4. Do you sit most of the day?") == 2  # put again in full


# -- the voice of each mode ------------------------------------------------------------------
def test_instructions_and_help_speak_to_whoever_answers(real_kb: KnowledgeBase) -> None:
    person, trainer = Questionnaire(real_kb, "self"), Questionnaire(real_kb, "trainer")
    mirror = "look at how you normally stand"
    assert any(mirror in t.instructions for t in person.topics.values())
    for topic in trainer.topics.values():
        assert mirror not in topic.instructions and "you normally stand" not in topic.help
    posture = next(t for t in trainer.topics.values() if t.category == "posture" and
                   t.instructions)
    assert "the client" in posture.instructions
    for key, topic in trainer.topics.items():  # the lines of a trainer's lists: no "you"
        if topic.checklist:
            assert not re.search(r"\byou\b|\byour\b", trainer.item(key)), key


def test_a_person_alone_sees_no_ids_and_one_disclaimer(real_kb: KnowledgeBase,
                                                       tmp_path: Path) -> None:
    typed = typed_answers(real_kb, "self", SEED_A, tmp_path / "scratch.json")
    out = consult("--session", str(tmp_path / "s.json"), kb=None,
                  input=lines("why", *typed[:6], "why", *typed[6:], "n", "how 1", "")).output
    assert out.count("not a diagnosis") == 1
    ids = {*real_kb.rules, *real_kb.questions, *real_kb.muscles, *real_kb.red_flags}
    shown = set(re.findall(r"[a-z]+(?:[._][a-z0-9]+)+", out))
    assert not shown & ids, shown & ids


# -- the weeks of a pregnancy ---------------------------------------------------------------
@pytest.mark.parametrize("weeks", ["20", "?"])
def test_the_weeks_of_a_pregnancy_are_asked_and_saved(real_kb: KnowledgeBase, tmp_path: Path,
                                                      weeks: str) -> None:
    answers = {**SEED_A, "pregnancy": "y", "subject.pregnancy_weeks": weeks}
    typed = typed_answers(real_kb, "self", answers, tmp_path / "scratch.json")
    case_path = tmp_path / "case.yaml"
    out = consult("--session", str(tmp_path / "s.json"), kb=None,
                  input=lines(*typed, "y", str(case_path), "")).output
    conditions = next(i for i, line in enumerate(typed) if line != "n" and i > 7)
    assert typed[conditions + 1] == weeks  # right after the yes to pregnancy
    assert "How many weeks pregnant are you (whole weeks)?" in out
    case = load_case(case_path, real_kb)
    assert case.subject.pregnancy_weeks == (20 if weeks == "20" else None)
    text = case_path.read_text()
    assert ("pregnancy_weeks: 20" in text) == (weeks == "20")
    shown = "pregnancy (20 weeks)" if weeks == "20" else "16 or more assumed"
    assert shown in " ".join(out.split())


# -- imbalance run: short and --detail -------------------------------------------------------
def run_text(*args: str, columns: int) -> str:
    result = CliRunner(env={"COLUMNS": str(columns)}).invoke(main, ["run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_run_leads_with_the_key_findings_and_the_core() -> None:
    short = run_text(str(SEED_A_CASE), columns=80)
    detail = run_text(str(SEED_A_CASE), "--detail", columns=80)
    assert short.index("Key findings") < short.index("Strongest reasons") < \
        short.index("Core: ")
    for hidden in ("Possible findings", "Extras if you have time", "Each session runs"):
        assert hidden not in short and hidden in detail
    assert "5 possible findings below 0.5 get no exercises" in short
    assert f"imbalance run {SEED_A_CASE} --detail" in short
    assert "--detail" not in detail
    assert len(short.splitlines()) < 75 < len(detail.splitlines())  # 292 lines before
    assert short.count("not a diagnosis") == 1 == detail.count("not a diagnosis")


@pytest.mark.parametrize("case", ["seed_a_low_back_pain_apt.yaml", "seed_b_groceries_left.yaml"])
@pytest.mark.parametrize("detail", [(), ("--detail",)])
@pytest.mark.parametrize("columns", [60, 80])
def test_run_breaks_no_word_at_60_or_80_columns(case: str, detail: tuple[str, ...],
                                                columns: int) -> None:
    wide = run_text(str(CASES / case), *detail, columns=250)
    narrow = run_text(str(CASES / case), *detail, columns=columns)
    assert broken(narrow, wide, columns) == []


# -- help ----------------------------------------------------------------------------------------
def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand, as the help lists them (the group may load them lazily)."""
    ctx = click.Context(group)
    out = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        out.append((*path, name))
        if isinstance(command, click.Group):
            out += commands(command, (*path, name))
    return out


@pytest.mark.parametrize("path", commands(main), ids=" ".join)
def test_every_command_has_examples(path: tuple[str, ...]) -> None:
    out = CliRunner().invoke(main, [*path, "--help"]).output
    found = re.search(r"^\s*Examples?:\n", out, re.M)
    assert found, out
    section = out[found.start():]
    assert re.search(rf"^\s+imbalance .*\b{path[-1]}\b", section, re.M), section


def test_the_top_level_help_shows_consult_and_batch() -> None:
    out = CliRunner().invoke(main, ["--help"]).output
    section = out[out.index("Examples:"):out.index("Options:")]
    assert "imbalance consult" in section and "imbalance batch" in section


def test_explain_on_a_terminal_wraps_whole_words() -> None:
    pexpect = pytest.importorskip("pexpect")
    import os
    import sys
    args = ["-m", "expert", "explain", "psoas_major", "--case", str(SEED_A_CASE)]
    env = {**os.environ, "COLUMNS": "60", "LINES": "40", "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 60))
    child.expect(pexpect.EOF)
    child.close()
    screen = (child.before or "").replace("\r", "")
    piped = CliRunner().invoke(main, args[2:]).output
    assert max(len(line) for line in piped.splitlines()) > 200  # a file gets whole lines
    assert child.exitstatus == 0 and "Psoas major" in screen
    assert broken(screen, piped, 60) == []
