"""The consultation's parts on their own: forgiving answers, commands, the session file, the
order of the questionnaire, what can still matter, and the agenda's choice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from expert.consultation.answers import BadAnswer, Reply, parse_age, parse_answer, parse_side
from expert.consultation.commands import BadCommand, Command, parse_command
from expert.consultation.consultant import Consultant
from expert.consultation.questionnaire import AGE, Questionnaire
from expert.consultation.session import Item, Pending, Session, SessionError
from expert.knowledge import KnowledgeBase, load

from .conftest import FIXTURE_KB


# -- answers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "sided", "value", "certainty"), [
    ("y", False, "yes", 1.0), ("YES", False, "yes", 1.0), (" n ", False, "no", 1.0),
    ("?", False, "unknown", 1.0), ("Don't know", False, "unknown", 1.0),
    ("yes 0.6", False, "yes", 0.6), ("y .8", False, "yes", 0.8), ("yes 60%", False, "yes", 0.6),
    ("no,0.7", False, "no", 0.7), ("l", True, "left", 1.0), ("R 0.5", True, "right", 0.5),
    ("Both", True, "both", 1.0), ("y", True, "yes", 1.0),
])
def test_forgiving_answers(text: str, sided: bool, value: str, certainty: float) -> None:
    assert parse_answer(text, sided) == Reply(value, certainty)


@pytest.mark.parametrize(("text", "sided", "message"), [
    ("maybe", False, "'maybe' is not an answer"), ("", False, "please answer"),
    ("left", False, "no side"), ("yes 1.5", False, "between 0 and 1"),
    ("? 0.5", False, "not with ?"), ("0.6", False, "not an answer"),
])
def test_bad_answers_say_what_to_type(text: str, sided: bool, message: str) -> None:
    with pytest.raises(BadAnswer, match=message):
        parse_answer(text, sided)


def test_sides_and_ages() -> None:
    assert parse_side("l") == Reply("left")
    assert parse_side("?", 0.6) == Reply("yes", 0.6)  # the yes stays, its side unknown
    assert parse_side("right", 0.6) == Reply("right", 0.6)
    with pytest.raises(BadAnswer, match="which side"):
        parse_side("yes")
    assert parse_age("41") == Reply("41") and parse_age(" 41 years") == Reply("41")
    assert parse_age("?") == Reply("unknown")
    for bad in ("forty", "130", "-3"):
        with pytest.raises(BadAnswer):
            parse_age(bad)


def test_commands() -> None:
    assert parse_command("why") == Command("why")
    assert parse_command("Change 3") == Command("change", "3")
    assert parse_command("explain upper trapezius") == Command("explain", "upper trapezius")
    assert parse_command("yes") is None and parse_command("") is None
    for bad in ("change", "how x", "explain", "review 2"):
        with pytest.raises(BadCommand):
            parse_command(bad)


# -- the session file ------------------------------------------------------------------------
def test_session_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    session = Session(path, "trainer", "9.9.9",
                      [Item("numb", "no"), Item("carry", "yes", 0.6, side_pending=True),
                       Item(AGE, "41")], Pending("carry", "side"))
    session.save()
    data = json.loads(path.read_text())
    assert data["format_version"] == 1 and data["mode"] == "trainer"
    assert data["answers"][1] == {"question": "carry", "value": "yes", "certainty": 0.6,
                                  "side_pending": True}
    assert data["answers"][2] == {"subject": "age", "value": "41"}
    assert data["pending"] == {"question": "carry", "part": "side"}
    again = Session.load(path)
    assert again.items == session.items and again.pending == session.pending
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "corrupt JSON"),
    ('{"format": "something else"}', "not a file written by imbalance consult"),
    ('{"format": "imbalance-consultation", "format_version": 99, "mode": "self", '
     '"answers": []}', "format version 99"),
    ('{"format": "imbalance-consultation", "format_version": 1, "mode": "self"}',
     "missing 'answers'"),
    ('{"format": "imbalance-consultation", "format_version": 1, "mode": "self", '
     '"answers": [{"question": "numb", "value": "sometimes"}]}', "bad answer"),
])
def test_unusable_session_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SessionError, match=message) as caught:
        Session.load(path)
    assert "\n" not in str(caught.value)


# -- order and relevance ---------------------------------------------------------------------
def test_questionnaire_order_comes_from_the_data(tiny_kb: KnowledgeBase) -> None:
    topics = Questionnaire(tiny_kb, "self").topics
    order = list(topics)
    # the screen first, then the age follow-up; symptoms, habits, posture in the order of the
    # categories in the schema; by checkpoint (facts/anatomy.yaml) within a kind; conditions last
    expected = ["numb", AGE, "back_pain", "sitting", "carry", "tilt", "fragile"]
    assert [k for k in order if k in expected] == expected
    assert all(tiny_kb.questions[k].category != "ohsa" for k in order if k != AGE)
    assert topics["carry"].section == "Habits and activities · Shoulder"
    assert topics["tilt"].text == "Is your pelvis tilted forward?"
    trainer = Questionnaire(tiny_kb, "trainer").topics
    ohsa = [k for k in trainer if k != AGE and tiny_kb.questions[k].category == "ohsa"]
    assert ohsa[-1] == "shrug" and "hip_shift" in ohsa  # lphc before shoulder
    assert list(trainer).index("tilt") < list(trainer).index("hip_shift")
    assert list(trainer)[-1] == "fragile"
    assert trainer["shrug"].text == "Shoulders elevate?"


def walk(kb: KnowledgeBase, tmp_path: Path, mode: str, answers: dict[str, str]) -> list[str]:
    """Answer every question the consultant asks (from ``answers``, default no); the keys asked."""
    consultant = Consultant(kb, Session(tmp_path / f"{mode}.json", mode, kb.version))
    asked = []
    while (prompt := consultant.current()) is not None:
        key = prompt.topic.key
        asked.append(key if prompt.part == "answer" else f"{key}:side")
        value = answers.get(f"{key}:side" if prompt.part == "side" else key, "no")
        consultant.answer(Reply(value))
    (tmp_path / f"{mode}.json").unlink()
    return asked


def test_follow_ups_only_when_they_apply(tiny_kb: KnowledgeBase, tmp_path: Path) -> None:
    assert walk(tiny_kb, tmp_path, "self", {}) == ["numb", "back_pain", "sitting", "carry", "tilt"]
    # the age only after a yes that an age rule needs; the side only after a yes
    asked = walk(tiny_kb, tmp_path, "self", {"back_pain": "yes", AGE: "40", "carry": "yes",
                                             "carry:side": "left"})
    assert asked == ["numb", "back_pain", AGE, "sitting", "carry", "carry:side", "tilt"]
    # a side typed straight away needs no follow-up
    assert "carry:side" not in walk(tiny_kb, tmp_path, "self", {"carry": "left"})
    # the movement assessments only in trainer mode
    trainer = walk(tiny_kb, tmp_path, "trainer", {})
    assert trainer[:5] == ["numb", "back_pain", "sitting", "carry", "tilt"]
    assert "hip_shift" in trainer and trainer[-1] == "shrug"


def test_a_red_flag_ends_the_questions(tiny_kb: KnowledgeBase, tmp_path: Path) -> None:
    assert walk(tiny_kb, tmp_path, "self", {"numb": "yes"}) == ["numb"]
    assert walk(tiny_kb, tmp_path, "self", {"back_pain": "yes", AGE: "70"}) == \
        ["numb", "back_pain", AGE]


EXTRA_QUESTIONS = """
  - {id: strong, category: habit, region: lphc, modes: [self, trainer],
     person: Strong evidence?, trainer: Strong evidence?}
  - {id: weak, category: posture, region: lphc, modes: [self, trainer],
     person: Weak evidence?, trainer: Weak evidence?}
  - {id: half_a, category: symptom, region: shoulder, modes: [self, trainer],
     person: First half?, trainer: First half?}
  - {id: half_b, category: posture, region: shoulder, modes: [self, trainer],
     person: Second half?, trainer: Second half?}
"""
EXTRA_RULES = """
  - {id: habit.strong, title: Strong, section: t, when: [{observation: strong}], confidence: H,
     conclude: [{muscle: glute, state: underactive}], rationale: t, sources: [SRC-A]}
  - {id: posture.weak, title: Weak, section: t, when: [{observation: weak}], confidence: L,
     conclude: [{muscle: glute, state: underactive}], rationale: t, sources: [SRC-A]}
  - {id: combo.halves, title: Halves, section: t, when: [{observation: half_a},
     {observation: half_b}], confidence: M,
     conclude: [{muscle: lower_trap, state: underactive}], rationale: t, sources: [SRC-A]}
"""


@pytest.fixture(scope="module")
def wider_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The fixture knowledge base with a strong and a weak rule about one muscle, and an AND
    rule over two questions that nothing else uses."""
    root = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(FIXTURE_KB, root)
    questions = root / "facts" / "questions.yaml"
    questions.write_text(questions.read_text() + EXTRA_QUESTIONS)
    rules = root / "rules" / "fixture.yaml"
    text = rules.read_text()
    rules.write_text(text.replace("red_flags:", EXTRA_RULES.lstrip("\n") + "red_flags:", 1))
    return load(root)


def test_questions_that_cannot_change_anything_are_not_asked(wider_kb: KnowledgeBase,
                                                             tmp_path: Path) -> None:
    everything = walk(wider_kb, tmp_path, "self", {"half_a": "yes"})
    assert {"strong", "weak", "half_a", "half_b"} <= set(everything)
    assert "fragile" not in everything  # a condition: no programme to adapt
    # glute underactive is settled (0.8 on both sides) by the strong rule: the weak one could
    # only nudge it, so it is skipped
    assert "weak" not in walk(wider_kb, tmp_path, "self", {"strong": "yes"})
    # half_b only feeds an AND rule whose other premise was answered no
    assert "half_b" not in walk(wider_kb, tmp_path, "self", {"half_a": "no"})
    assert "half_b" not in walk(wider_kb, tmp_path, "self", {"half_a": "unknown"})


def test_a_change_reopens_what_matters_again(wider_kb: KnowledgeBase, tmp_path: Path) -> None:
    consultant = Consultant(wider_kb, Session(tmp_path / "s.json", "self", wider_kb.version))
    while (prompt := consultant.current()) is not None:
        consultant.answer(Reply("yes" if prompt.topic.key == "strong" else "no"))
    answered = consultant.session.answered()
    assert "weak" not in answered and "half_b" not in answered
    number = [i.key for i in consultant.session.items].index("strong") + 1
    consultant.change(number, Reply("no"))
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "weak"
    assert prompt.number == len(consultant.session.items) + 1


def test_why_names_the_rules_and_findings(tiny_kb: KnowledgeBase, tmp_path: Path) -> None:
    from expert.consultation.reasons import why
    consultant = Consultant(tiny_kb, Session(tmp_path / "s.json", "self", tiny_kb.version))
    snap = consultant.snapshot()
    text = "\n".join(why(tiny_kb, consultant.relevance, snap, "sitting", "answer"))
    assert "habit.sitting" in text and "suggests Crossed pattern" in text
    assert "Hip flexor" in text and "overactive" in text  # through the pattern
    assert "red_flag.age_onset" not in text  # a red flag is named by its message
    assert "See a doctor first." in text and "together with an age under 20 or over 55" in text
    screen = "\n".join(why(tiny_kb, consultant.relevance, snap, "numb", "answer"))
    assert "a yes means a referral (emergency)" in screen


def test_conditions_are_asked_last_and_only_for_a_programme(tiny_kb: KnowledgeBase,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    def programme(self: Consultant) -> dict[str, object] | None:
        # a programme, as the generator gives one, for any finding (none under a referral)
        return {"phases": []} if self.outcome().findings and not self.referral else None

    monkeypatch.setattr(Consultant, "programme", programme)
    asked = walk(tiny_kb, tmp_path, "self", {"tilt": "yes"})
    assert asked[-1] == "fragile" and asked.index("tilt") < asked.index("fragile")
    assert "fragile" not in walk(tiny_kb, tmp_path, "self", {})  # no finding, no programme
    monkeypatch.setattr(Consultant, "programme", lambda self: None)
    assert "fragile" not in walk(tiny_kb, tmp_path, "self", {"tilt": "yes"})
