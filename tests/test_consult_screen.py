"""The consultation completes the safety screen and asks its follow-ups where they belong: a
question about the pain (is it new?) only after the pain, the age only when new pain makes the
age rule count, a fall risk before the single-leg squat (which a yes then skips), and the saved
case says ``red_flags: none`` when the screen was completed without a red flag."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from expert.case import load_case
from expert.consultation import reasons
from expert.consultation.answers import Reply
from expert.consultation.casefile import save_case
from expert.consultation.consultant import Consultant
from expert.consultation.questionnaire import AGE
from expert.consultation.session import Session
from expert.knowledge import KnowledgeBase
from expert.knowledge.loader import load
from expert.screening import screen_status

from .conftest import FIXTURE_KB

QUESTIONS = """
  - id: new_pain
    category: red_flag
    region: general
    modes: [self, trainer]
    person: Did the pain start in the last 3 months?
    trainer: New pain?
    checklist: {id: onset, title: Onset, person: Does this apply to you?,
                trainer: Does this apply to the client?}
    item: the pain is new
  - {id: sls_valgus, category: single_leg_squat, region: lphc, modes: [trainer],
     person: Knee caves in on one leg?, trainer: Knee caves in on one leg?}
  - id: unsteady
    category: condition
    region: general
    modes: [self, trainer]
    person: Have you fallen in the past year?
    trainer: Fall risk?
    checklist: {id: conditions, title: Health conditions, person: Do any of these apply to you?,
                trainer: Do any of these apply to the client?}
    item: a fall in the past year
    skips: [single_leg_squat]
"""
RULES = """  - {id: sls.valgus, title: Valgus, section: t, when: [{observation: sls_valgus}],
     confidence: M, conclude: [{muscle: glute, state: underactive}], rationale: t,
     sources: [SRC-A]}
"""
AGE_RULE = "when: [{any_of: [{observation: back_pain}, {observation: sitting}]}, {subject: age"
NEW_AGE_RULE = "when: [{observation: new_pain}, {observation: back_pain}, {subject: age"


@pytest.fixture(scope="module")
def screen_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The fixture knowledge base with the age rule for *new* back pain only, a single-leg squat
    question (trainer mode) and a fall risk that skips it."""
    root = tmp_path_factory.mktemp("kb") / "kb"
    shutil.copytree(FIXTURE_KB, root)
    questions = root / "facts" / "questions.yaml"
    questions.write_text(questions.read_text() + QUESTIONS)
    rules = root / "rules" / "fixture.yaml"
    text = rules.read_text()
    assert AGE_RULE in text
    text = text.replace(AGE_RULE, NEW_AGE_RULE).replace("red_flags:", RULES + "red_flags:", 1)
    rules.write_text(text)
    return load(root)


def walk(kb: KnowledgeBase, path: Path, mode: str, yes: dict[str, str]) -> Consultant:
    """Answer every question (one by one: checklists with yes), ``yes`` as given, else no."""
    c = Consultant(kb, Session(path, mode, kb.version))
    while (prompt := c.current()) is not None:
        key = prompt.topic.key
        if prompt.topic.is_checklist:
            c.answer(Reply("yes"))
        elif prompt.part == "side":
            c.answer(Reply("left"))
        else:
            c.answer(Reply(yes.get(key, "no")))
    return c


def asked(c: Consultant) -> list[str]:
    return [i.key for i in c.session.items if not i.key.startswith("checklist.")]


def test_is_the_pain_new_comes_after_the_pain_and_the_age_after_new_pain(
        screen_kb: KnowledgeBase, tmp_path: Path) -> None:
    none = asked(walk(screen_kb, tmp_path / "a.json", "self", {}))
    assert "new_pain" not in none and AGE not in none  # no pain: neither matters
    old = asked(walk(screen_kb, tmp_path / "b.json", "self", {"back_pain": "yes"}))
    assert old.index("back_pain") < old.index("new_pain") and AGE not in old
    new = walk(screen_kb, tmp_path / "c.json", "self", {"back_pain": "yes", "new_pain": "yes",
                                                        AGE: "70"})
    keys = asked(new)
    assert keys.index("back_pain") < keys.index("new_pain") < keys.index(AGE)
    assert new.outcome().referral is not None  # new back pain at 70: the age rule refers


def test_the_screen_is_complete_and_the_case_file_says_so(screen_kb: KnowledgeBase,
                                                          tmp_path: Path) -> None:
    for name, yes in (("a", {}), ("b", {"back_pain": "yes"}),
                      ("c", {"back_pain": "yes", "new_pain": "yes", AGE: "40"})):
        c = walk(screen_kb, tmp_path / f"{name}.json", "self", yes)
        case = c.case()
        assert screen_status(screen_kb, case).complete, name
        path = save_case(c, tmp_path / f"{name}.yaml")
        assert "red_flags: none" in path.read_text()
        assert load_case(path, screen_kb).red_flags == "none"
    # a ? to a safety question leaves the screen open: the case file does not claim it
    c = walk(screen_kb, tmp_path / "d.json", "self", {"numb": "unknown"})
    assert not screen_status(screen_kb, c.case()).complete
    assert "red_flags" not in save_case(c, tmp_path / "d.yaml").read_text()


def test_a_fall_risk_is_asked_before_the_single_leg_squat_and_skips_it(
        screen_kb: KnowledgeBase, tmp_path: Path) -> None:
    c = walk(screen_kb, tmp_path / "a.json", "trainer", {"tilt": "yes"})
    steady = asked(c)
    assert steady.index("unsteady") < steady.index("sls_valgus")
    unsteady = asked(walk(screen_kb, tmp_path / "b.json", "trainer",
                          {"tilt": "yes", "unsteady": "yes"}))
    assert "unsteady" in unsteady and "sls_valgus" not in unsteady
    why = reasons.why(screen_kb, c.relevance, c.snapshot(), "unsteady", "answer")
    assert why[0] == "A yes means the single-leg squat assessment is not done, to be safe; so " \
        "it is asked first."
    # in self mode there is no single-leg squat: the fall risk stays with the conditions,
    # asked only for a programme (the fixture has none)
    assert "unsteady" not in asked(walk(screen_kb, tmp_path / "c.json", "self", {"tilt": "yes"}))


def test_a_fall_risk_that_skips_nothing_is_still_asked_for_the_programme(
        screen_kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Consultant, "_gates", lambda self, topic: False)  # nothing to skip
    assert "unsteady" not in asked(walk(screen_kb, tmp_path / "a.json", "trainer", {"tilt": "yes"}))
    monkeypatch.setattr(Consultant, "programme",  # a programme for any finding
                        lambda self: {"phases": []} if self.outcome().findings else None)
    keys = asked(walk(screen_kb, tmp_path / "b.json", "trainer", {"tilt": "yes"}))
    assert keys.index("unsteady") < keys.index("fragile")  # with the conditions, first
