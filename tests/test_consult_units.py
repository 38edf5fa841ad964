"""The consultation's parts on their own: forgiving answers, commands, the session file, the
order of the questionnaire, what can still matter, the agenda's choice, and checklists."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from expert.consultation.answers import (
    BadAnswer,
    Reply,
    parse_age,
    parse_answer,
    parse_checklist,
    parse_equipment,
    parse_side,
)
from expert.consultation.commands import BadCommand, Command, parse_command
from expert.consultation.consultant import Consultant
from expert.consultation.questionnaire import AGE, EQUIPMENT, Questionnaire
from expert.consultation.session import Item, Pending, Session, SessionError
from expert.knowledge import KnowledgeBase, load, read

from .conftest import FIXTURE_KB, REPO


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


def test_checklist_answers() -> None:
    assert parse_checklist("no", 4) == Reply("no")
    assert parse_checklist("n 0.7", 4) == Reply("no", 0.7)
    assert parse_checklist("?", 4) == Reply("unknown") and parse_checklist("Y", 4) == Reply("yes")
    assert parse_checklist("3 1", 4) == Reply("picked", 1.0, (1, 3))
    assert parse_checklist(" 2,4,2 ", 4) == Reply("picked", 1.0, (2, 4))
    for bad, message in (("5", "no item 5"), ("0", "no item 0"), ("left", "not an answer here"),
                         ("", "please answer"), ("? 0.5", "not with ?")):
        with pytest.raises(BadAnswer, match=message):
            parse_checklist(bad, 4)


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
                      [Item("numb", "no"), Item("checklist.habits", "picked",
                                                items=("sitting", "carry")),
                       Item("carry", "yes", 0.6, side_pending=True, picked="checklist.habits"),
                       Item(AGE, "41")], Pending("carry", "side"))
    session.save()
    data = json.loads(path.read_text())
    assert data["format_version"] == 3 and data["mode"] == "trainer"
    assert data["answers"][1] == {"checklist": "habits", "value": "picked",
                                  "items": ["sitting", "carry"]}
    assert data["answers"][2] == {"question": "carry", "value": "yes", "certainty": 0.6,
                                  "side_pending": True, "picked": "habits"}
    assert data["answers"][3] == {"subject": "age", "value": "41"}
    assert data["pending"] == {"question": "carry", "part": "side"}
    again = Session.load(path)
    assert again.items == session.items and again.pending == session.pending
    assert again.implied() == {"sitting": session.items[1]}  # the checklist's no
    session.pending = Pending("checklist.habits")
    session.save()
    assert json.loads(path.read_text())["pending"] == {"checklist": "habits", "part": "answer"}
    assert Session.load(path).pending == Pending("checklist.habits")
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]  # no temporary file left


def test_sessions_of_format_version_1_still_load(tiny_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    path.write_text(json.dumps({
        "format": "imbalance-consultation", "format_version": 1, "mode": "self",
        "kb_version": "9.9.9", "answers": [{"question": "numb", "value": "no"},
                                           {"question": "back_pain", "value": "yes"}],
        "pending": {"subject": "age", "part": "answer"}, "complete": False}))
    consultant = Consultant(tiny_kb, Session.load(path))
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == AGE and prompt.number == 3


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", "corrupt JSON"),
    ('{"format": "something else"}', "not a file written by imbalance consult"),
    ('{"format": "imbalance-consultation", "format_version": 99, "mode": "self", '
     '"answers": []}', "format version 99"),
    ('{"format": "imbalance-consultation", "format_version": 1, "mode": "self"}',
     "missing 'answers'"),
    ('{"format": "imbalance-consultation", "format_version": 1, "mode": "self", '
     '"answers": [{"question": "numb", "value": "sometimes"}]}', "bad answer"),
    ('{"format": "imbalance-consultation", "format_version": 2, "mode": "self", '
     '"answers": [{"checklist": "screen", "value": "left"}]}', "bad answer"),
    ('{"format": "imbalance-consultation", "format_version": 2, "mode": "self", '
     '"answers": [{"question": "numb", "value": "no", "items": ["numb"]}]}', "bad items"),
    ('{"format": "imbalance-consultation", "format_version": 2, "mode": "self", '
     '"answers": [{"checklist": "Bad Id", "value": "no"}]}', "bad checklist id"),
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
    # categories in the schema; by checkpoint (facts/anatomy.yaml) within a kind; conditions last;
    # a checklist just before its questions
    expected = ["checklist.screen", "numb", AGE, "back_pain", "sitting", "carry", "tilt",
                "checklist.conditions", "fragile"]
    assert [k for k in order if k in expected] == expected
    assert topics["checklist.screen"].items == ("numb",)
    assert topics["numb"].checklist == "checklist.screen"
    assert all(tiny_kb.questions[k].category != "ohsa" for k in order if k in tiny_kb.questions)
    assert topics["carry"].section == "Habits and activities · Shoulder"
    assert topics["tilt"].text == "Is your pelvis tilted forward?"
    trainer = Questionnaire(tiny_kb, "trainer").topics
    ohsa = [k for k in trainer
            if k in tiny_kb.questions and tiny_kb.questions[k].category == "ohsa"]
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
        consultant.answer(parse_checklist(value, len(prompt.items)) if prompt.topic.is_checklist
                          else Reply(value))
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
  - {id: nudge, category: habit, region: lphc, modes: [self, trainer],
     person: Very weak evidence?, trainer: Very weak evidence?}
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
  - {id: habit.nudge, title: Nudge, section: t, when: [{observation: nudge}], confidence: L,
     evidence: E-, conclude: [{muscle: glute, state: underactive}], rationale: t,
     sources: [SRC-A]}
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
    # glute underactive at 0.8 on both sides (the strong rule): the weak rule (0.4) would still
    # move it to 0.88, so it is asked; the very weak one (0.2) only to 0.84, so it is skipped
    after_strong = walk(wider_kb, tmp_path, "self", {"strong": "yes"})
    assert "weak" in after_strong and "nudge" not in after_strong
    assert "nudge" in walk(wider_kb, tmp_path, "self", {"strong": "no"})
    # half_b only feeds an AND rule whose other premise was answered no
    assert "half_b" not in walk(wider_kb, tmp_path, "self", {"half_a": "no"})
    assert "half_b" not in walk(wider_kb, tmp_path, "self", {"half_a": "unknown"})


def test_a_change_reopens_what_matters_again(wider_kb: KnowledgeBase, tmp_path: Path) -> None:
    consultant = Consultant(wider_kb, Session(tmp_path / "s.json", "self", wider_kb.version))
    while (prompt := consultant.current()) is not None:
        consultant.answer(Reply("yes" if prompt.topic.key == "strong" else "no"))
    answered = consultant.session.answered()
    assert "nudge" not in answered and "half_b" not in answered
    number = [i.key for i in consultant.session.items].index("strong") + 1
    consultant.change(number, Reply("no"))
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "nudge"
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


# -- checklists --------------------------------------------------------------------------------
CHECKLIST_QUESTIONS = """
  - {id: fever, category: red_flag, region: general, modes: [self, trainer],
     person: Do you have a fever with the pain?, trainer: Fever?, checklist: *screen,
     item: a fever with the pain}
  - {id: pregnant, category: condition, region: general, modes: [self, trainer],
     person: Are you pregnant?, trainer: Pregnant?, checklist: *conditions, item: pregnancy}
"""
CHECKLIST_FLAG = """  - id: red_flag.fever
    when: [{observation: fever}]
    group: infection
    level: refer
    message: See a doctor soon.
    rationale: A second fixture red flag.
    sources: [SRC-A]
"""
HABITS = """    checklist: {id: habits, title: Habits, person: Do any of these apply to you?,
                trainer: Do any of these apply to the client?}
"""


def build_checklist_kb(root: Path) -> Path:
    """The fixture knowledge base with real checklists: a second red flag (fever) in the screen
    checklist, a second condition (pregnant), and the habits sitting and carry in a checklist."""
    shutil.copytree(FIXTURE_KB, root)
    questions = root / "facts" / "questions.yaml"
    text = questions.read_text().replace("    checklist:\n      id: conditions",
                                         "    checklist: &conditions\n      id: conditions", 1)
    for habit in ("sitting", "carry"):
        head = f"  - id: {habit}\n"
        start = text.index(head)
        end = text.index("  - id:", start + len(head))
        text = text[:end] + HABITS + f"    item: the {habit} habit\n" + text[end:]
    questions.write_text(text + CHECKLIST_QUESTIONS)
    rules = root / "rules" / "fixture.yaml"
    rules.write_text(rules.read_text() + CHECKLIST_FLAG)
    return root


@pytest.fixture(scope="module")
def checklist_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load(build_checklist_kb(tmp_path_factory.mktemp("kb") / "kb"))


def consultant_for(kb: KnowledgeBase, tmp_path: Path, mode: str = "self") -> Consultant:
    """A new consultation, its first question decided."""
    consultant = Consultant(kb, Session(tmp_path / f"c-{mode}.json", mode, kb.version))
    consultant.current()
    return consultant


def test_a_checklist_no_answers_all_its_items_no(checklist_kb: KnowledgeBase,
                                                 tmp_path: Path) -> None:
    asked = walk(checklist_kb, tmp_path, "self", {})
    assert asked == ["checklist.screen", "back_pain", "checklist.habits", "tilt"]
    consultant = consultant_for(checklist_kb, tmp_path)
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "checklist.screen"
    assert prompt.items == ("numb", "fever") and prompt.number == 1
    assert prompt.topic.text == "Do any of these apply to you?"
    assert prompt.topic.title == "Warning signs"  # all from the data
    consultant.answer(Reply("no"))
    answers = consultant.case().answers
    assert answers["numb"].value == "no" and answers["fever"].value == "no"
    assert consultant.session.items == [Item("checklist.screen", "no", items=("numb", "fever"))]
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "back_pain" and prompt.number == 2


def test_a_checklist_yes_asks_its_items_and_a_yes_refers(checklist_kb: KnowledgeBase,
                                                         tmp_path: Path) -> None:
    asked = walk(checklist_kb, tmp_path, "self", {"checklist.screen": "yes", "fever": "yes"})
    assert asked == ["checklist.screen", "numb", "fever"]  # the referral ends it there
    assert walk(checklist_kb, tmp_path, "self", {"checklist.screen": "?"})[:3] == \
        ["checklist.screen", "numb", "fever"]
    consultant = consultant_for(checklist_kb, tmp_path)
    consultant.answer(Reply("yes"))
    consultant.answer(Reply("no"))  # numb
    consultant.answer(Reply("yes"))  # fever
    assert consultant.referral and consultant.current() is None
    outcome = consultant.outcome()
    assert outcome.referral is not None and outcome.referral.red_flags == ("fever",)


def test_picked_items_are_yes_and_the_others_no(checklist_kb: KnowledgeBase,
                                                tmp_path: Path) -> None:
    # a number picked in the screen is a yes to that red flag: the referral, at once
    assert walk(checklist_kb, tmp_path, "self", {"checklist.screen": "2"}) == \
        ["checklist.screen"]
    # picking a sided habit asks its side next; the habits not picked are no
    asked = walk(checklist_kb, tmp_path, "self", {"checklist.habits": "2",
                                                  "carry:side": "left"})
    assert asked == ["checklist.screen", "back_pain", "checklist.habits", "carry:side", "tilt"]
    consultant = consultant_for(checklist_kb, tmp_path)
    consultant.answer(Reply("no"))  # the screen
    consultant.answer(Reply("no"))  # back pain
    prompt = consultant.current()
    assert prompt is not None and prompt.items == ("sitting", "carry")
    consultant.answer(Reply("picked", 1.0, (2,)))
    assert [(i.key, i.value, i.picked) for i in consultant.session.items[2:]] == \
        [("checklist.habits", "picked", ""), ("carry", "yes", "checklist.habits")]
    assert consultant.case().answers["sitting"].value == "no"
    prompt = consultant.current()
    assert prompt is not None and (prompt.topic.key, prompt.part) == ("carry", "side")
    # back undoes the whole checklist answer, picks included
    assert consultant.back()
    assert [i.key for i in consultant.session.items] == ["checklist.screen", "back_pain"]
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "checklist.habits" and prompt.number == 3


def test_changing_a_checklist_re_derives_its_items(checklist_kb: KnowledgeBase,
                                                   tmp_path: Path) -> None:
    consultant = consultant_for(checklist_kb, tmp_path)
    while (prompt := consultant.current()) is not None:
        consultant.answer(Reply("no"))
    assert "fever" not in consultant.session.answered()  # answered no by the checklist
    consultant.change(1, Reply("yes"))  # the screen: now yes, so its items are asked
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "numb"
    assert "numb" not in consultant.case().answers
    consultant.answer(Reply("no"))
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.key == "fever"
    consultant.answer(Reply("no"))
    assert consultant.current() is None
    # back to no: the answers given one by one go, the checklist answers them again
    consultant.change(1, Reply("no"))
    assert consultant.session.items[0] == Item("checklist.screen", "no",
                                               items=("numb", "fever"))
    assert {"numb", "fever"} & consultant.session.answered() == set()
    assert consultant.case().answers["fever"].value == "no"
    # picks through change: fever yes, the referral
    consultant.change(1, Reply("picked", 1.0, (2,)))
    assert consultant.referral and consultant.session.items[1].key == "fever"


def test_resume_at_a_checklist(checklist_kb: KnowledgeBase, tmp_path: Path) -> None:
    consultant = consultant_for(checklist_kb, tmp_path)
    consultant.answer(Reply("no"))
    consultant.answer(Reply("no"))
    again = Consultant(checklist_kb, Session.load(consultant.session.path))
    prompt = again.current()
    assert prompt is not None and prompt.topic.key == "checklist.habits"
    assert prompt.items == ("sitting", "carry") and prompt.number == 3


def test_unknown_checklists_in_a_session_are_refused(checklist_kb: KnowledgeBase,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    Session(path, "self", "9.9.9", [Item("checklist.nope", "no", items=("numb",))]).save()
    with pytest.raises(SessionError, match=r"checklist 'nope'.*does not know"):
        Consultant(checklist_kb, Session.load(path))
    Session(path, "self", "9.9.9", [Item("checklist.screen", "no", items=("tilt",))]).save()
    with pytest.raises(SessionError, match="lists tilt, which is not in it"):
        Consultant(checklist_kb, Session.load(path))


def test_the_conditions_checklist_comes_last(checklist_kb: KnowledgeBase, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Consultant, "programme", lambda self: (
        {"phases": []} if self.outcome().findings and not self.referral else None))
    asked = walk(checklist_kb, tmp_path, "self", {"tilt": "yes"})
    assert asked[-1] == "checklist.conditions"
    asked = walk(checklist_kb, tmp_path, "self", {"tilt": "yes", "checklist.conditions": "y"})
    assert asked[-3:] == ["checklist.conditions", "fragile", "pregnant"]


def test_why_at_a_checklist(checklist_kb: KnowledgeBase, tmp_path: Path) -> None:
    from expert.consultation.reasons import why_checklist
    consultant = consultant_for(checklist_kb, tmp_path)
    prompt = consultant.current()
    assert prompt is not None
    text = "\n".join(why_checklist(checklist_kb, consultant.relevance, consultant.snapshot(),
                                   "screen", prompt.items, consultant.questionnaire.item))
    assert "red flags" in text and "referral" in text
    assert "numbness in the saddle area: a yes means a referral (emergency)" in text
    assert "a fever with the pain: a yes means a referral (refer)" in text


# -- the knowledge base's checklists -------------------------------------------------------------
def test_every_red_flag_and_condition_question_is_in_one_checklist(real_kb: KnowledgeBase
                                                                   ) -> None:
    screened = [q for q in real_kb.questions.values() if q.category in ("red_flag", "condition")]
    assert len(screened) >= 28 and all(q.checklist is not None for q in screened)
    definitions: dict[str, object] = {}
    for q in real_kb.questions.values():
        if q.checklist is not None:
            assert definitions.setdefault(q.checklist.id, q.checklist) == q.checklist
            assert q.item, f"{q.id} has no checklist item text"
    # the red-flag questions in a few checklists by region (and one about the pain)
    flags = {q.checklist.id for q in screened if q.category == "red_flag" and q.checklist}
    assert {"back_and_legs", "head_and_neck", "general_health"} <= flags
    for q in screened:
        assert q.checklist is not None
        members = [o.id for o in real_kb.questions.values()
                   if o.checklist is not None and o.checklist.id == q.checklist.id]
        assert members.count(q.id) == 1  # each question in exactly one checklist
        assert {real_kb.questions[m].category for m in members} == {q.category}


def _kb_with(tmp_path: Path, change: str, to: str) -> list[str]:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    questions = root / "facts" / "questions.yaml"
    text = questions.read_text()
    assert change in text
    questions.write_text(text.replace(change, to, 1))
    _, problems = read(root)
    return [p.line() for p in problems]


def test_a_red_flag_question_without_a_checklist_is_a_problem(tmp_path: Path) -> None:
    block = ("    checklist: &screen\n      id: screen\n      title: Warning signs\n"
             "      person: Do any of these apply to you?\n"
             "      trainer: Do any of these apply to the client?\n"
             "      help: A yes to any of them ends the consultation with a referral.\n")
    problems = _kb_with(tmp_path, block, "")
    assert any("numb: checklist: red-flag question in no checklist" in p for p in problems)


def test_a_checklist_defined_twice_or_mixing_categories_is_a_problem(tmp_path: Path) -> None:
    problems = _kb_with(tmp_path, "      id: conditions\n      title: Health conditions",
                        "      id: screen\n      title: Health conditions")
    assert any("fragile: checklist: checklist 'screen' is defined differently by 'numb'" in p
               for p in problems)
    problems = _kb_with(tmp_path / "b", "      id: conditions\n      title: Health conditions\n"
                        "      person: Do any of these apply to you?\n"
                        "      trainer: Do any of these apply to the client?\n",
                        "      id: screen\n      title: Warning signs\n"
                        "      person: Do any of these apply to you?\n"
                        "      trainer: Do any of these apply to the client?\n"
                        "      help: A yes to any of them ends the consultation with a "
                        "referral.\n")
    assert any("checklist 'screen' mixes categories red_flag and condition" in p
               for p in problems)


# -- the equipment at hand -----------------------------------------------------------------------
def test_equipment_answers() -> None:
    assert parse_equipment("1 3", 8) == Reply("picked", 1.0, (1, 3))
    assert parse_equipment("3,1,3", 8) == Reply("picked", 1.0, (1, 3))
    assert parse_equipment("all", 3) == Reply("picked", 1.0, (1, 2, 3))
    for none in ("none", "No", "n", "nothing", "body weight"):
        assert parse_equipment(none, 8) == Reply("none")
    assert parse_equipment("?", 8) == Reply("unknown")
    assert parse_equipment("don't know", 8) == Reply("unknown")
    for bad, message in (("9", "there is no item 9"), ("yes", "'yes' is not an answer here"),
                         ("", "please answer"), ("left", "not an answer here")):
        with pytest.raises(BadAnswer, match=message):
            parse_equipment(bad, 8)


def build_equipment_kb(root: Path) -> Path:
    """The fixture knowledge base with the shipped equipment question and list."""
    shutil.copytree(FIXTURE_KB, root)
    shutil.copy(REPO / "facts" / "equipment.yaml", root / "facts" / "equipment.yaml")
    return root


@pytest.fixture(scope="module")
def equipment_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load(build_equipment_kb(tmp_path_factory.mktemp("kb") / "kb"))


def _programme(items: int) -> object:
    """A stand-in programme generator: ``items`` items for any finding, none under a referral."""
    def programme(self: Consultant) -> dict[str, object] | None:
        if self.referral or not self.outcome().findings:
            return None if self.referral else {"phases": [{"items": []}], "removed": []}
        equipment = self.case().subject.equipment
        return {"phases": [{"items": [{"equipment": equipment}] * items}], "removed": []}
    return programme


def test_the_equipment_is_asked_last_and_only_for_a_programme_that_addresses_a_finding(
        equipment_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topics = Questionnaire(equipment_kb, "trainer").topics
    assert list(topics)[-1] == EQUIPMENT and topics[EQUIPMENT].stratum == "programme"
    assert topics[EQUIPMENT].items == tuple(equipment_kb.equipment)
    assert topics[EQUIPMENT].text == "Which of these does the client have? (type the numbers, " \
        "or none)"
    monkeypatch.setattr(Consultant, "programme", _programme(2))
    asked = walk(equipment_kb, tmp_path, "self", {"tilt": "yes", EQUIPMENT: "none"})
    assert asked[-2:] == ["fragile", EQUIPMENT]
    # nothing found: the (empty) programme addresses nothing; the conditions are asked as before
    asked = walk(equipment_kb, tmp_path, "self", {})
    assert asked[-1] == "fragile" and EQUIPMENT not in asked
    # a referral: nothing after it
    assert EQUIPMENT not in walk(equipment_kb, tmp_path, "self", {"numb": "yes"})
    # a programme with no item (every technique removed): the equipment cannot change it
    monkeypatch.setattr(Consultant, "programme", _programme(0))
    assert EQUIPMENT not in walk(equipment_kb, tmp_path, "self", {"tilt": "yes"})
    # no programme generator
    monkeypatch.setattr(Consultant, "programme", lambda self: None)
    assert EQUIPMENT not in walk(equipment_kb, tmp_path, "self", {"tilt": "yes"})


def _at_equipment(kb: KnowledgeBase, tmp_path: Path) -> Consultant:
    consultant = consultant_for(kb, tmp_path)
    while (prompt := consultant.current()) is not None and not prompt.topic.is_equipment:
        consultant.answer(Reply("yes" if prompt.topic.key == "tilt" else "no"))
    assert prompt is not None and prompt.items == tuple(kb.equipment)
    return consultant


def test_the_equipment_answer_is_the_subject_equipment(equipment_kb: KnowledgeBase,
                                                       tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Consultant, "programme", _programme(1))
    consultant = _at_equipment(equipment_kb, tmp_path)
    assert "equipment" not in consultant.case().subject.model_fields_set  # not asked yet
    consultant.answer(parse_equipment("8 1", 8))
    assert consultant.current() is None
    assert consultant.case().subject.equipment == ["foam_roller", "wall"]  # in the data's order
    number = len(consultant.session.items)
    item = consultant.change(number, parse_equipment("none", 8))
    assert item == Item(EQUIPMENT, "none") and consultant.case().subject.equipment == []
    assert "equipment" in consultant.case().subject.model_fields_set  # body weight only
    consultant.change(number, parse_equipment("?", 8))
    assert "equipment" not in consultant.case().subject.model_fields_set  # assumed kit
    assert consultant.current() is None  # answered: not asked again
    # back undoes it and asks it again, at the same number
    assert consultant.back()
    prompt = consultant.current()
    assert prompt is not None and prompt.topic.is_equipment and prompt.number == number
    consultant.answer(Reply("no"))  # a no is none
    assert consultant.session.items[-1] == Item(EQUIPMENT, "none")
    # after a change that leaves nothing to address, a pending equipment question goes
    consultant.back()
    consultant.change([i.key for i in consultant.session.items].index("tilt") + 1,
                      Reply("no"))
    assert consultant.current() is None and EQUIPMENT not in consultant.session.answered()


def test_the_equipment_in_the_session_file(equipment_kb: KnowledgeBase, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Consultant, "programme", _programme(1))
    consultant = _at_equipment(equipment_kb, tmp_path)
    path = consultant.session.path
    data = json.loads(path.read_text())
    assert data["format_version"] == 3
    assert data["pending"] == {"subject": "equipment", "part": "answer"}
    again = Consultant(equipment_kb, Session.load(path))  # resumes at the same question
    prompt = again.current()
    assert prompt is not None and prompt.topic.is_equipment
    again.answer(parse_equipment("2 3", 8))
    saved = json.loads(path.read_text())["answers"][-1]
    assert saved == {"subject": "equipment", "value": "picked",
                     "items": ["massage_ball", "resistance_band"]}
    loaded = Session.load(path)
    assert loaded.items == again.session.items and loaded.complete
    assert Consultant(equipment_kb, loaded).case().subject.equipment == \
        ["massage_ball", "resistance_band"]
    # an equipment id or an equipment answer the knowledge base does not know
    Session(path, "self", "9.9.9", [Item(EQUIPMENT, "picked", items=("kettlebell",))]).save()
    with pytest.raises(SessionError, match="lists the equipment 'kettlebell'"):
        Consultant(equipment_kb, Session.load(path))
    Session(path, "self", "9.9.9", [Item(EQUIPMENT, "none")]).save()
    with pytest.raises(SessionError, match="answers the equipment question"):
        Consultant(load(FIXTURE_KB), Session.load(path))


def test_sessions_of_format_version_2_still_load(equipment_kb: KnowledgeBase, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Consultant, "programme", _programme(1))
    path = tmp_path / "v2.json"
    path.write_text(json.dumps({
        "format": "imbalance-consultation", "format_version": 2, "mode": "self",
        "kb_version": "9.9.9", "answers": [{"checklist": "screen", "value": "no",
                                            "items": ["numb"]},
                                           {"question": "back_pain", "value": "no"},
                                           {"question": "sitting", "value": "no"},
                                           {"question": "carry", "value": "no"},
                                           {"question": "tilt", "value": "yes"},
                                           {"question": "fragile", "value": "no"}],
        "pending": None, "complete": True}))
    consultant = Consultant(equipment_kb, Session.load(path))
    prompt = consultant.current()  # the question that version did not have
    assert prompt is not None and prompt.topic.is_equipment and prompt.number == 7
    consultant.answer(parse_equipment("none", 8))
    assert json.loads(path.read_text())["format_version"] == 3


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": "imbalance-consultation", "format_version": 3, "mode": "self", '
     '"answers": [{"subject": "equipment", "value": "yes"}]}', "bad answer"),
    ('{"format": "imbalance-consultation", "format_version": 3, "mode": "self", '
     '"answers": [{"subject": "equipment", "value": "none", "items": ["wall"]}]}', "bad items"),
    ('{"format": "imbalance-consultation", "format_version": 3, "mode": "self", '
     '"answers": [{"subject": "equipment", "value": "picked", "items": ["Wall"]}]}',
     "bad equipment id"),
])
def test_unusable_equipment_answers(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SessionError, match=message):
        Session.load(path)


def test_the_equipment_data_matches_the_case_vocabulary(real_kb: KnowledgeBase,
                                                        tmp_path: Path) -> None:
    from typing import get_args

    from expert.case import Equipment
    assert list(real_kb.equipment) == list(get_args(Equipment))  # the same ids, in order
    assert real_kb.equipment_question is not None
    assert all(e.item and e.name for e in real_kb.equipment.values())
    root = build_equipment_kb(tmp_path / "kb")
    assert read(root)[1] == []
    data = root / "facts" / "equipment.yaml"
    text = data.read_text()
    data.write_text(text.replace("  - id: wall\n", "  - id: kettle_bell\n"))
    problems = [p.line() for p in read(root)[1]]
    assert any("kettle_bell: id: unknown equipment" in p for p in problems)
    assert any("equipment: does not list wall" in p for p in problems)
    data.write_text(text.replace("equipment_question:", "asked_as:"))
    problems = [p.line() for p in read(root)[1]]
    assert any("asked_as: unknown section" in p for p in problems)
    assert any("equipment_question: section is missing" in p for p in problems)
    data.write_text(text.replace("  why: >-", "  reason: >-"))
    problems = [p.line() for p in read(root)[1]]
    assert any("equipment_question: reason: unknown key" in p for p in problems)
