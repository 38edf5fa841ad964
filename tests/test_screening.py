"""The safety screen (expert/screening.py) on the fixture knowledge base, extended here with the
three shapes of red flag the real one has: a flag that fires always (``numb``, ``upper_back``),
a history flag that refers only with spinal pain (``cancer`` with ``back_pain`` or
``upper_back``), and the age rule for new spinal pain (``pain_new``, spinal pain, age outside
20..55). Which questions are open, when the screen is complete, and ``red_flags: none``."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from expert.case import Case, parse_case
from expert.knowledge import KnowledgeBase, load
from expert.problems import InputError
from expert.screening import screen_status

from .conftest import FIXTURE_KB

QUESTIONS = """
  - id: upper_back
    category: red_flag
    region: general
    modes: [self, trainer]
    person: Constant pain in the upper back?
    trainer: Thoracic pain?
    checklist: *screen
  - id: cancer
    category: red_flag
    region: general
    modes: [self, trainer]
    person: Have you ever had cancer?
    trainer: History of cancer?
    checklist: *screen
  - id: pain_new
    category: red_flag
    region: general
    modes: [self, trainer]
    person: Did the pain start in the last 3 months?
    trainer: New pain?
    checklist: *screen
"""
SPINAL = "{any_of: [{observation: back_pain}, {observation: upper_back}]}"
FLAGS = f"""
  - id: red_flag.upper_back
    when: [{{observation: upper_back}}]
    group: possible_malignancy
    level: refer
    message: See a doctor first.
    rationale: Fixture flag that fires always.
    sources: [SRC-B]
  - id: red_flag.cancer
    when: [{{observation: cancer}}, {SPINAL}]
    group: possible_malignancy
    level: refer
    message: See a doctor first.
    rationale: Fixture history flag, only with spinal pain.
    sources: [SRC-B]
"""
AGE_RULE = ("    when: [{any_of: [{observation: back_pain}, {observation: sitting}]}, "
            "{subject: age, outside: [20, 55]}]\n")
NEW_AGE_RULE = (f"    when: [{{observation: pain_new}}, {SPINAL}, "
                "{subject: age, outside: [20, 55]}]\n")


@pytest.fixture(scope="module")
def skb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    root = tmp_path_factory.mktemp("screen") / "kb"
    shutil.copytree(FIXTURE_KB, root)
    questions = root / "facts" / "questions.yaml"
    questions.write_text(questions.read_text(encoding="utf-8") + QUESTIONS, encoding="utf-8")
    rules = root / "rules" / "fixture.yaml"
    text = rules.read_text(encoding="utf-8")
    assert AGE_RULE in text
    rules.write_text(text.replace(AGE_RULE, NEW_AGE_RULE) + FLAGS, encoding="utf-8")
    return load(root)


def case(kb: KnowledgeBase, answers: dict[str, Any], age: int | None = None,
         red_flags: str | None = None) -> Case:
    data: dict[str, Any] = {"id": "t", "answers": answers}
    if age is not None:
        data["subject"] = {"age": age}
    if red_flags is not None:
        data["red_flags"] = red_flags
    return parse_case(data, "case.yaml", kb)


def open_ids(kb: KnowledgeBase, answers: dict[str, Any], age: int | None = None) -> list[str]:
    return [q.id for q in screen_status(kb, case(kb, answers, age)).open]


def test_nothing_answered_leaves_the_always_questions_open(skb: KnowledgeBase) -> None:
    # the history flag and the age rule wait for spinal pain; upper_back fires always
    assert open_ids(skb, {}) == ["numb", "upper_back"]
    assert open_ids(skb, {"tilt": "yes"}) == ["numb", "upper_back"]


def test_spinal_pain_opens_the_history_flags_and_new_pain(skb: KnowledgeBase) -> None:
    always = {"numb": "no", "upper_back": "no"}
    assert open_ids(skb, always) == []
    assert screen_status(skb, case(skb, always)).complete
    assert open_ids(skb, {**always, "back_pain": "yes"}) == ["cancer", "pain_new"]
    assert open_ids(skb, {"numb": "no", "upper_back": "yes"}) == ["cancer", "pain_new"]


def test_the_age_is_asked_only_when_new_spinal_pain_makes_it_matter(skb: KnowledgeBase) -> None:
    answered = {"numb": "no", "upper_back": "no", "back_pain": "yes", "cancer": "no"}
    assert open_ids(skb, {**answered, "pain_new": "yes"}) == ["age"]
    assert open_ids(skb, {**answered, "pain_new": "no"}) == []
    assert open_ids(skb, {**answered, "pain_new": "yes"}, age=40) == []
    # with the age known to be inside 20..55 the age rule cannot fire: new pain need not be asked
    assert open_ids(skb, answered, age=40) == []
    assert open_ids(skb, answered, age=62) == ["pain_new"]


def test_unknown_and_uncertain_answers(skb: KnowledgeBase) -> None:
    # unknown is unanswered; a yes of certainty 0 says nothing; any other yes counts
    assert open_ids(skb, {"numb": "unknown", "upper_back": "no"}) == ["numb"]
    assert open_ids(skb, {"numb": {"value": "yes", "certainty": 0.0}, "upper_back": "no"}) == \
        ["numb"]
    assert open_ids(skb, {"numb": "no", "upper_back": {"value": "yes", "certainty": 0.3}}) == \
        ["cancer", "pain_new"]


def test_open_questions_say_how_to_answer_them(skb: KnowledgeBase) -> None:
    data = screen_status(skb, case(skb, {"numb": "no", "back_pain": "yes", "cancer": "no",
                                         "upper_back": "no", "pain_new": "yes"})).to_data()
    assert data["complete"] is False and data["red_flags_none"] is False
    assert data["open"] == [{"id": "age", "question": "How old is the person (in whole years)?",
                             "how": 'add "age: N" (whole years) to the subject block'}]
    assert "withheld" in data["message"] and "red_flags: none" in data["message"]
    first = screen_status(skb, case(skb, {})).to_data()["open"][0]
    assert first == {"id": "numb", "question": "Any numbness in the saddle area?",
                     "how": 'add "numb: no" (or yes) under answers'}


def test_the_open_list_does_not_depend_on_the_order_of_answers(skb: KnowledgeBase) -> None:
    answers = {"back_pain": "yes", "upper_back": "unknown", "tilt": "yes", "numb": "no"}
    again = dict(reversed(list(answers.items())))
    assert open_ids(skb, answers) == open_ids(skb, again) == ["upper_back", "cancer", "pain_new"]


def test_red_flags_none_completes_the_screen(skb: KnowledgeBase) -> None:
    status = screen_status(skb, case(skb, {"back_pain": "yes"}, red_flags="none"))
    assert status.complete and status.red_flags_none
    # a history yes without spinal pain and new pain at 40 set off no red flag: no contradiction
    assert screen_status(skb, case(skb, {"cancer": "yes"}, red_flags="none")).complete
    assert screen_status(skb, case(skb, {"back_pain": "yes", "pain_new": "yes"}, age=40,
                                   red_flags="none")).complete


@pytest.mark.parametrize(("answers", "age", "flag"), [
    ({"numb": "yes"}, None, "red_flag.numb"),
    ({"cancer": "yes", "back_pain": "yes"}, None, "red_flag.cancer"),
    ({"back_pain": "yes", "pain_new": "yes"}, 62, "red_flag.age_onset"),
])
def test_red_flags_none_with_a_red_flag_is_bad_input(skb: KnowledgeBase, answers: dict[str, Any],
                                                     age: int | None, flag: str) -> None:
    with pytest.raises(InputError) as err:
        case(skb, answers, age, red_flags="none")
    [problem] = err.value.problems
    line = problem.line()
    assert line.startswith("case.yaml: red_flags")
    assert flag in line and "red_flags: none" in line and "remove" in line
    for oid in answers:
        assert f"{oid}: yes" in line


@pytest.mark.parametrize("value", ["no", "yes", "all", True, False, None, 0])
def test_red_flags_takes_only_none(skb: KnowledgeBase, value: Any) -> None:
    data = {"id": "t", "answers": {}, "red_flags": value}
    if value is None:  # the key present but empty (red_flags:) is the key left out
        assert not screen_status(skb, parse_case(data, "c.yaml", skb)).complete
        return
    with pytest.raises(InputError) as err:
        parse_case(data, "c.yaml", skb)
    [problem] = err.value.problems
    assert problem.entry == "red_flags" and "red_flags: none" in problem.line()


def test_the_fixture_screen_reads_the_premises_not_ids(tiny_kb: KnowledgeBase) -> None:
    # the unextended fixture: numb fires always; its age rule (back pain or sitting, age) asks
    # the age as soon as either is yes
    def ids(answers: dict[str, Any], age: int | None = None) -> list[str]:
        return [q.id for q in screen_status(tiny_kb, case(tiny_kb, answers, age)).open]

    assert ids({}) == ["numb"]
    assert ids({"numb": "no", "sitting": "yes"}) == ["age"]
    assert ids({"numb": "no", "sitting": "yes"}, 30) == []
