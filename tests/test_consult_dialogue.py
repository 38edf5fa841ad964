"""``imbalance consult`` as a person meets it, scripted through click's CliRunner: the seed
scenarios end to end, a red-flag stop, the commands, bad answers, sessions and resuming, and the
saved case file read back by ``imbalance run``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from expert.case import load_case
from expert.cli import main
from expert.consultation import numbering
from expert.consultation.answers import (
    parse_age,
    parse_answer,
    parse_checklist,
    parse_equipment,
    parse_side,
    parse_weeks,
)
from expert.consultation.consultant import Consultant
from expert.consultation.screen import Screen
from expert.consultation.session import Session
from expert.expectations import misses
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.screening import screen_status

from .conftest import CASES, FIXTURE_KB
from .test_consult_units import build_checklist_kb

POSITIVE = ("y", "yes", "l", "left", "r", "right", "b", "both")


def typed_answers(kb: KnowledgeBase, mode: str, answers: dict[str, str], scratch: Path
                  ) -> list[str]:
    """The lines a person types to give ``answers`` (question id -> what is typed; ``id:side``
    for the side asked after a yes; default ``n``), in the order the consultation asks. A
    checklist is answered with the numbers of its items that ``answers`` gives a yes or a side
    (``n`` if none), unless ``answers`` names the checklist itself; the equipment (``EQUIPMENT``)
    with ``?`` unless ``answers`` names it."""
    consultant = Consultant(kb, Session(scratch, mode, kb.version))
    lines = []
    while (prompt := consultant.current()) is not None:
        topic = prompt.topic
        key = topic.key if prompt.part == "answer" else f"{topic.key}:side"
        line = answers.get(key, "?" if topic.is_equipment or topic.is_refinement else "n")
        if topic.is_checklist and key not in answers:
            line = " ".join(str(n) for n, item in enumerate(prompt.items, 1)
                            if answers.get(item, "n").split()[0].lower() in POSITIVE) or "n"
        elif prompt.part == "side" and key not in answers:
            given = answers.get(topic.key, "?")
            line = given if given.lower() in POSITIVE[2:] else "?"
        lines.append(line)
        if topic.is_checklist:
            reply = parse_checklist(line, len(prompt.items))
        elif topic.is_equipment:
            reply = parse_equipment(line, len(prompt.items))
        elif topic.is_age:
            reply = parse_age(line)
        elif topic.is_refinement:
            reply = parse_weeks(line)
        elif prompt.part == "side":
            reply = parse_side(line, consultant.session.items[-1].certainty)
        else:
            reply = parse_answer(line, topic.sided)
        consultant.answer(reply)
    scratch.unlink()
    return lines


def consult(*args: str, input: str = "", kb: Path | None = FIXTURE_KB) -> Any:
    prefix = ["--kb", str(kb)] if kb else []
    return CliRunner().invoke(main, [*prefix, "consult", *args], input=input,
                              catch_exceptions=False)


def lines(*typed: str) -> str:
    return "\n".join(typed) + "\n"


# -- the seed scenarios, end to end, on the real knowledge base ------------------------------
@pytest.mark.parametrize(("seed", "answers"), [
    ("seed_a_low_back_pain_apt", {"low_back_pain": "y", "subject.age": "38",
                                  "prolonged_sitting": "yes", "anterior_pelvic_tilt": "Y"}),
    ("seed_b_groceries_left", {"carry_load_one_hand": "y", "carry_load_one_hand:side": "l",
                               "shoulder_elevated_at_rest": "left"}),
])
def test_seed_scenarios_end_to_end(real_kb: KnowledgeBase, real: Reasoner, tmp_path: Path,
                                   seed: str, answers: dict[str, str]) -> None:
    typed = typed_answers(real_kb, "self", answers, tmp_path / "scratch.json")
    session, case_path = tmp_path / "s.json", tmp_path / "case.yaml"
    result = consult("--session", str(session), kb=None,
                     input=lines(*typed, "y", str(case_path), "n", ""))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Safety screen" in out and "Consultation complete." in out
    assert "Key findings" in out and "Strongest reason" in out  # findings with their reasons
    assert f"Saved {case_path}" in out and "\x1b[" not in out
    # the saved case meets the seed's expectations, and `imbalance run` reads it
    case = load_case(case_path, real_kb)
    seed_case = load_case(CASES / f"{seed}.yaml", real_kb)
    assert {k: a.value for k, a in case.answers.items() if a.positive} == \
        {k: a.value for k, a in seed_case.answers.items() if a.positive}
    assert misses(seed_case.model_copy(update={"answers": case.answers}), real_kb,
                  real.evaluate(case)) == []
    data = json.loads(CliRunner().invoke(main, ["run", str(case_path), "--format", "json"]).output)
    consulted = Consultant(real_kb, Session.load(session), real).report()
    assert [(f["muscle"], f["state"], f["side"], f["certainty"]) for f in data["findings"]] == \
        [(f["muscle"], f["state"], f["side"], f["certainty"]) for f in consulted["findings"]]
    assert data["program"] == consulted["program"]
    assert data["referral"] is None
    # checklists: a no to the screen's checklists answers the red flags no, in the case file
    # too, and the screen is complete: red_flags: none, and a programme
    flags = [q for q, r in real_kb.questions.items() if r.category == "red_flag"]
    assert all(case.answers[q].value == "no" for q in flags if q in case.answers)
    assert case.red_flags == "none" and "red_flags: none" in case_path.read_text()
    assert screen_status(real_kb, case).complete and data["program"] is not None
    assert "Back and legs: Do any of these apply to you?" in out
    assert len(typed) <= 15  # was 48 (seed A) and 47 (seed B), every question one by one
    if data["program"] is not None:  # conditions that adapt the programme come last
        assert out.index("Standing posture") < out.index("Health conditions") < \
            out.index("Consultation complete.")


def test_seed_b_names_the_left_side(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    typed = typed_answers(real_kb, "self", {"carry_load_one_hand": "left",
                                            "shoulder_elevated_at_rest": "l"},
                          tmp_path / "scratch.json")
    out = consult("--session", str(tmp_path / "s.json"), kb=None,
                  input=lines(*typed, "n", "n", "explain upper trapezius", "")).output
    assert "Trapezius, upper (descending) fibres: probably overactive on the left side" in out
    assert "you answered left to “Do you often carry heavy things on one side" in out
    assert "(habit.carry_load_one_hand)" not in out  # no rule ids for a person alone
    assert "(ohsa.shoulders_elevate)" not in out


# -- the safety screen -----------------------------------------------------------------------
def test_a_red_flag_stops_with_the_referral(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    result = consult("--session", str(session), input=lines("y", "n", ""))
    assert result.exit_code == 0
    out = result.output
    assert "Any numbness in the saddle area?" in out
    assert "REFERRAL (EMERGENCY): Seek emergency care now." in out
    assert "Do you have low back pain?" not in out  # nothing more is asked
    data = json.loads(session.read_text())
    assert data["complete"] is True and data["pending"] is None


def test_the_real_screen_comes_first_and_any_yes_refers(tmp_path: Path) -> None:
    # yes to the first checklist: its items one by one, and a yes refers
    result = consult("--session", str(tmp_path / "s.json"), kb=None,
                     input=lines("y", "n", "y", "n", ""))
    assert result.exit_code == 0
    out = result.output
    assert "Safety screen" in out and "  1. Back and legs: Do any of these apply to you?" in out
    assert "  2. Do you have pain, pins and needles or numbness that runs down your leg" in out
    assert "  3. Do you have numbness or tingling around your genitals" in out
    assert "REFERRAL (EMERGENCY)" in out and "Symptoms" not in out
    # a number picked in a checklist is a yes to that red flag, once read back and confirmed
    result = consult("--session", str(tmp_path / "t.json"), kb=None,
                     input=lines("n", "n", "n", "3", "n", "3", "y", "n", ""))
    out = result.output
    assert out.count("You ticked 3: losing weight recently without trying. Is that right?") == 2
    assert "Then answer the list again." in out
    assert "REFERRAL (REFER)" in out and "Symptoms" not in out
    answers = json.loads((tmp_path / "t.json").read_text())["answers"]
    assert answers[3]["checklist"] == "general_health" and answers[3]["value"] == "picked"
    assert answers[4] == {"question": "unexplained_weight_loss", "value": "yes",
                          "picked": "general_health"}


def test_trainer_consultation_of_seed_a_is_short(real_kb: KnowledgeBase, tmp_path: Path) -> None:
    typed = typed_answers(real_kb, "trainer", {"low_back_pain": "y", "subject.age": "38",
                                               "prolonged_sitting": "y",
                                               "anterior_pelvic_tilt": "y"},
                          tmp_path / "scratch.json")
    assert len(typed) <= 15  # was 70 with the screen and the assessments asked one by one


# -- checklists at the prompt ------------------------------------------------------------------
def test_checklists_at_the_prompt(tmp_path: Path) -> None:
    kb = build_checklist_kb(tmp_path / "kb")
    session = tmp_path / "s.json"
    result = consult("--session", str(session), kb=kb, input=lines(
        "why", "help", "3", "left", "n",     # 1 the screen's checklist: no
        "y", "40",                           # 2 back pain, 3 the age
        "2", "l",                            # 4 habits: carry picked (5), then its side
        "review", "change 4", "n",           # the habits: no after all
        "n", "n", "",                        # 5 tilt; no case file; finish
    ))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  1. Warning signs: Do any of these apply to you?" in out
    assert "       1) numbness in the saddle area" in out
    assert "       2) a fever with the pain" in out
    assert "no / numbers / yes / ? >" in out
    assert "These are red flags" in out and "a fever with the pain: a yes means a referral" in out
    assert "A yes to any of them ends the consultation with a referral." in out  # its help
    assert "there is no item 3" in out and "'left' is not an answer here" in out
    assert "  4. Habits: Do any of these apply to you? — the ones picked" in out  # review
    assert "       · the carry habit — left" in out  # a pick, under its checklist
    assert "Changed to no (none of its 2 items); everything is worked out again." in out
    assert "  5. Is your pelvis tilted forward?" in out
    data = json.loads(session.read_text())
    assert data["format_version"] == 3 and data["complete"]
    assert data["answers"][0] == {"checklist": "screen", "value": "no",
                                  "items": ["numb", "fever"]}
    assert data["answers"][3] == {"checklist": "habits", "value": "no",
                                  "items": ["sitting", "carry"]}
    assert [a.get("question") for a in data["answers"]].count("carry") == 0


# -- commands and bad answers ----------------------------------------------------------------
def test_commands_and_bad_answers(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    result = consult("--session", str(session), input=lines(
        "why", "help", "maybe", "n",         # 1 numb
        "yes 1.5", "y",                      # 2 back_pain
        "forty", "40",                       # 3 age
        "review", "back", "30",              # back to the age, answered again
        "change 2", "n",                     # back pain: no; everything re-derived
        "change 9", "y",                     # 4 sitting
        "how 1", "y", "x", "l",              # 5 carry, its side after a yes
        "explain upper trap", "n",           # 6 tilt
        "n", "",                             # do not save a case file; finish
    ))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "  1. Any numbness in the saddle area?" in out
    assert "a yes means a referral (emergency)" in out  # why
    assert "change N" in out and "explain MUSCLE" in out  # help
    assert "'maybe' is not an answer: type yes / no / ?, or help" in out
    assert "a certainty is between 0 and 1" in out
    assert "type the age as a whole number" in out
    assert "  3. How old are you (in years)? — 40" in out  # review
    assert "Changed to no; everything is worked out again." in out
    assert "change N: N is an answer from 1 to 3" in out
    assert "which side? type left / right / both / ?" in out
    assert "  5. Do you carry loads on one side?" in out and "Which side?" in out
    assert "Upper trap: probably overactive on the left side" in out  # explain
    assert "you answered left to “Do you carry loads on one side?”" in out
    assert "Traceback" not in out and "\x1b[" not in out
    answers = {a.get("question", "age"): a["value"] for a in json.loads(session.read_text())
               ["answers"]}
    assert answers == {"numb": "no", "back_pain": "no", "age": "30", "sitting": "yes",
                       "carry": "left", "tilt": "no"}


def test_how_before_there_are_findings_and_back_at_the_start(tmp_path: Path) -> None:
    out = consult("--session", str(tmp_path / "s.json"),
                  input=lines("back", "how 1", "explain glute", "quit")).output
    assert "nothing to go back to" in out
    assert out.count("No findings yet") == 2
    assert "Stopped. Your 0 answers so far are saved in" in out


# -- sessions ---------------------------------------------------------------------------------
def test_end_of_input_keeps_the_session_and_resume_continues(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    first = consult("--session", str(session), input=lines("n", "y", "40", "y"))
    assert first.exit_code == 0
    assert "End of input. Your 4 answers so far are saved in" in first.output
    assert f"consult --resume {session}" in first.output
    saved = json.loads(session.read_text())
    assert saved["pending"] == {"question": "carry", "part": "answer"}
    second = consult("--resume", str(session), input=lines("y", "r", "n", "n", ""))
    assert second.exit_code == 0, second.output
    out = second.output
    assert "Resuming" in out and "4 answers so far" in out
    assert "  5. Do you carry loads on one side?" in out  # the same question, same number
    assert "Any numbness" not in out
    assert "Consultation complete." in out
    data = json.loads(session.read_text())
    assert data["complete"] and data["answers"][4] == {"question": "carry", "value": "right",
                                                      "side_asked": True}


def test_resume_at_the_side_of_a_yes(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    consult("--session", str(session), input=lines("n", "n", "n", "y 0.6"))
    assert json.loads(session.read_text())["pending"] == {"question": "carry", "part": "side"}
    out = consult("--resume", str(session), input=lines("b", "n", "n", "")).output
    assert "Which side?" in out
    carry = json.loads(session.read_text())["answers"][3]
    assert carry == {"question": "carry", "value": "both", "certainty": 0.6, "side_asked": True}


def test_ctrl_c_saves_and_names_the_resume_command(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    typed = iter(["n", "y"])

    def person(screen: Screen, prompt: str) -> str:
        try:
            return next(typed)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(Screen, "read", person)
    session = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--session",
                                       str(session)])
    assert result.exit_code == 130
    assert "Interrupted. Your 2 answers so far are saved" in result.output
    assert "Traceback" not in result.output
    assert json.loads(session.read_text())["pending"]["subject"] == "age"


def test_the_default_session_file_is_named_at_the_start(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = consult(input=lines("n")).output
    [created] = list(tmp_path.glob("consultation-*.json"))
    assert f"Your answers are saved as you go in {created}" in out


def test_bad_session_files_exit_1_with_one_line(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "imbalance-consultation", "format_version": 1, "mod')
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--resume",
                                       str(corrupt)])
    assert result.exit_code == 1 and "corrupt JSON" in result.output
    assert len(result.output.strip().splitlines()) == 1
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({"format": "imbalance-consultation", "format_version": 4,
                                 "mode": "self", "answers": []}))
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--resume",
                                       str(newer)])
    assert result.exit_code == 1 and "format version 4" in result.output
    alien = tmp_path / "alien.json"
    alien.write_text(json.dumps({"format": "imbalance-consultation", "format_version": 1,
                                 "mode": "self", "answers": [{"question": "no_such_question",
                                                              "value": "yes"}]}))
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--resume",
                                       str(alien)])
    assert result.exit_code == 1 and "does not know" in result.output
    missing = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--resume",
                                        str(tmp_path / "nope.json")])
    assert missing.exit_code == 1 and "no such session file" in missing.output
    taken = consult("--session", str(corrupt))
    assert taken.exit_code == 1 and "already exists" in taken.output
    both = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", "--resume",
                                     str(corrupt), "--session", str(newer)])
    assert both.exit_code == 2


def test_resume_in_trainer_mode_adds_the_assessments(tmp_path: Path) -> None:
    session = tmp_path / "s.json"
    consult("--session", str(session), input=lines("n", "n", "n", "n", "n", "n", ""))
    assert json.loads(session.read_text())["complete"] is True
    out = consult("--resume", str(session), "--mode", "trainer",
                  input=lines(*["n"] * 8, "n", "")).output
    assert "Overhead squat assessment" in out and "Shoulders elevate?" in out
    assert "barefoot" not in out or "Overhead squat:" in out
    assert json.loads(session.read_text())["mode"] == "trainer"


def test_the_saved_case_runs_with_the_same_findings(tmp_path: Path) -> None:
    session, case_path = tmp_path / "s.json", tmp_path / "saved.yaml"
    result = consult("--session", str(session), "--mode", "trainer", input=lines(
        "n", "y", "70", "", "", ""))
    assert "REFERRAL (REFER)" in result.output  # the age rule: back pain at 70
    typed = typed_answers(load_kb(), "trainer", {"sitting": "y .7", "subject.age": "35",
                                                 "carry": "l", "shrug": "y", "shrug:side": "r"},
                          tmp_path / "scratch.json")
    result = consult("--session", str(tmp_path / "t.json"), "--mode", "trainer",
                     input=lines(*typed, "y", str(case_path), "n", ""))
    assert result.exit_code == 0, result.output
    text = case_path.read_text()
    assert "carry: left" in text and "sitting: {value: yes, certainty: 0.7}" in text
    assert "shrug: right" in text and "subject: {age: 35}" in text
    run = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "run", str(case_path), "--format",
                                    "json"])
    assert run.exit_code == 0, run.output
    findings = json.loads(run.output)["findings"]
    consulted = Consultant(load_kb(), Session.load(tmp_path / "t.json")).report()["findings"]
    assert findings == consulted and findings


def load_kb() -> KnowledgeBase:
    from expert.knowledge import load
    return load(FIXTURE_KB)


# -- the equipment at hand ---------------------------------------------------------------------
SEED_A = {"low_back_pain": "y", "subject.age": "38", "prolonged_sitting": "yes",
          "anterior_pelvic_tilt": "Y"}


def _uses(program: dict[str, Any]) -> set[str]:
    return {e for p in program["phases"] for i in p["items"] for e in i["equipment"]}


def _run_json(case_path: Path) -> dict[str, Any]:
    run = CliRunner().invoke(main, ["run", str(case_path), "--format", "json"])
    assert run.exit_code == 0, run.output
    data: dict[str, Any] = json.loads(run.output)
    return data


@pytest.mark.parametrize(("typed", "equipment"), [
    ("none", []), ("1 3", ["foam_roller", "resistance_band"]), ("?", None)])
def test_the_equipment_answer_changes_the_programme(real_kb: KnowledgeBase, tmp_path: Path,
                                                    typed: str, equipment: list[str] | None
                                                    ) -> None:
    answers = {**SEED_A, "subject.equipment": typed}
    lines_typed = typed_answers(real_kb, "self", answers, tmp_path / "scratch.json")
    assert lines_typed[-1] == typed  # asked last, after the health conditions
    session, case_path = tmp_path / "s.json", tmp_path / "case.yaml"
    result = consult("--session", str(session), kb=None,
                     input=lines(*lines_typed, "y", str(case_path), "n", ""))
    assert result.exit_code == 0, result.output
    out = result.output
    record = real_kb.equipment_question
    assert record is not None
    # the wording and the plain-word names come from facts/equipment.yaml
    number = numbering.asked(Session.load(session).items)  # picks are part of a checklist
    assert f" {number}. {record.person}" in out
    assert out.index("Health conditions") < out.index(record.person) < \
        out.index("Consultation complete.")
    for n, piece in enumerate(real_kb.equipment.values(), 1):
        assert f"      {n:>2}) {piece.item}" in out
    assert "numbers / none / ? >" in out
    consulted = Consultant(real_kb, Session.load(session)).report()["program"]
    saved = json.loads(session.read_text())["answers"][-1]
    assert saved["subject"] == "equipment"
    case = load_case(case_path, real_kb)
    data = _run_json(case_path)
    assert data["program"] == consulted  # imbalance run on the saved case: the same programme
    if equipment is None:  # not said: the programme keeps its stated assumption
        assert saved == {"subject": "equipment", "value": "unknown"}
        assert "equipment" not in case.subject.model_fields_set
        assert "equipment:" not in case_path.read_text()
        assert consulted["equipment"]["assumed"] is True
        assert "foam_roller" in _uses(consulted)
        return
    assert case.subject.equipment == equipment
    # the age is not asked: the back pain is not new, so the age rule cannot apply
    assert f"subject: {{equipment: [{', '.join(equipment)}]}}" in case_path.read_text()
    assert consulted["equipment"] == {"available": equipment, "assumed": False}
    assert _uses(consulted) <= set(equipment)
    if not equipment:  # body weight only: no foam-roller (or any equipment) items
        assert saved == {"subject": "equipment", "value": "none"}
        assert _uses(consulted) == set()
        assert any(r["kind"] == "equipment" for r in consulted["removed"])
    else:
        assert saved == {"subject": "equipment", "value": "picked", "items": equipment}
        assert "foam_roller" in _uses(consulted)


def test_the_equipment_is_not_asked_after_a_referral_or_with_nothing_found(
        real_kb: KnowledgeBase, tmp_path: Path) -> None:
    record = real_kb.equipment_question
    assert record is not None
    nothing = consult("--session", str(tmp_path / "a.json"), kb=None,
                      input=lines(*["n"] * 8, "n", ""))
    assert nothing.exit_code == 0 and "Consultation complete." in nothing.output
    assert "No probable" in nothing.output or "nothing to correct" in nothing.output
    assert record.person not in nothing.output
    referral = consult("--session", str(tmp_path / "b.json"), kb=None,
                       input=lines("1", "y", "n", ""))  # a red flag picked, confirmed
    assert "REFERRAL" in referral.output and record.person not in referral.output
    for name in ("a.json", "b.json"):
        answers = json.loads((tmp_path / name).read_text())["answers"]
        assert all(a.get("subject") != "equipment" for a in answers)


def test_why_review_change_and_back_at_the_equipment(real_kb: KnowledgeBase,
                                                     tmp_path: Path) -> None:
    typed = typed_answers(real_kb, "self", SEED_A, tmp_path / "scratch.json")
    session, case_path = tmp_path / "s.json", tmp_path / "case.yaml"
    result = consult("--session", str(session), kb=None, input=lines(
        *typed[:-1],
        "why", "help", "yes", "9",           # 10 the equipment: why, help, bad answers
        "back", "n",                          # back to the health conditions, no again
        "2",                                  # 10 the equipment: a massage ball only
        "n", "n",                             # no case file (yet), no sheet
        "review", "change 10", "none",        # body weight only after all
        "y", str(case_path), "n", ""))        # save it; no sheet; finish
    assert result.exit_code == 0, result.output
    out = result.output
    record = real_kb.equipment_question
    assert record is not None
    assert " ".join(record.why.split())[:60] in " ".join(out.split())  # why, from the data
    assert "If you do not say (?), it assumes: foam roller, massage ball" in out
    assert "With that kit, the programme so far uses:" in out and "  • foam roller: " in out
    assert " ".join(record.help.split())[:50] in " ".join(out.split())  # help, from the data
    assert "'yes' is not an answer here" in out and "there is no item 9" in out
    assert out.count("  9. Health conditions: Do any of these apply to you?\n") == 2  # back
    assert " 10. Equipment — massage ball" in out  # review
    assert "Changed to none (body weight only); everything is worked out again." in out
    assert out.count("Consultation complete.") == 2
    answers = json.loads(session.read_text())["answers"]
    assert answers[-1] == {"subject": "equipment", "value": "none"} and len(answers) == 13
    case = load_case(case_path, real_kb)
    assert case.subject.equipment == [] and "equipment" in case.subject.model_fields_set
    consulted = Consultant(real_kb, Session.load(session)).report()["program"]
    assert _uses(consulted) == set() and _run_json(case_path)["program"] == consulted
