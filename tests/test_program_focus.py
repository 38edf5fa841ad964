"""Key findings and the programme's core, on the fixture knowledge base plus the tiny exercise
catalogue (tests/fixtures/program; key_threshold 0.4, a core of at most 3 items and 15 minutes):
findings at or above the threshold are key, weaker ones possible and given no exercises (but
still respected by the safety checks); the core is capped, chosen by the documented priority,
deterministically; item times follow the dose arithmetic; the outputs say which is which."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from expert.case import Case, parse_case
from expert.cli import main
from expert.focus import is_key
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase, load
from expert.knowledge.exercises import Timing
from expert.program import Program, build_program
from expert.program.core import Candidate, choose
from expert.program.handout import render
from expert.program.model import Dosing
from expert.program.needs import Needs
from expert.program.timing import seconds, span, tempo_seconds
from expert.report import to_data

from .conftest import FIXTURE_KB, TESTS

# key: the carrying habit (upper and lower trapezius, left); possible: what sitting alone suggests
# about the hip flexors and hamstrings (a weak habit link)
MIXED = {"carry": "left", "sitting": "yes"}
# many items: both trapezius findings, the crossed pattern, the shrug
BUSY = {"tilt": "yes", "carry": "left", "shrug": "yes"}
# key findings, possible ones and extras together
SHOWN = {"carry": "left", "shrug": "yes", "sitting": "yes"}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    kb_root = tmp_path_factory.mktemp("focus") / "kb"
    shutil.copytree(FIXTURE_KB, kb_root)
    for f in (TESTS / "fixtures" / "program").glob("*.yaml"):
        shutil.copy(f, kb_root / "facts" / f.name)
    return kb_root


@pytest.fixture(scope="module")
def kb(root: Path) -> KnowledgeBase:
    return load(root)


@pytest.fixture(scope="module")
def reasoner(kb: KnowledgeBase) -> Reasoner:
    return Reasoner(kb)


def case(kb: KnowledgeBase, answers: dict[str, Any]) -> Case:
    return parse_case({"id": "t", "red_flags": "none", "answers": answers}, "test", kb)


def report(kb: KnowledgeBase, reasoner: Reasoner, answers: dict[str, Any]
           ) -> tuple[dict[str, Any], Program]:
    c = case(kb, answers)
    outcome = reasoner.evaluate(c)
    p = build_program(kb, c, outcome)
    assert p is not None
    return to_data(c, kb, outcome, p.to_data()), p


def muscles(kb: KnowledgeBase, node: str) -> set[str]:
    return set(kb.expand(node))


# -- key and possible ---------------------------------------------------------------------------
def test_findings_are_key_exactly_from_the_threshold(kb: KnowledgeBase,
                                                     reasoner: Reasoner) -> None:
    data, _ = report(kb, reasoner, MIXED)
    threshold = kb.meta.inference.key_threshold
    assert data["key_threshold"] == threshold
    flags = {(f["muscle"], f["side"]): f["key"] for f in data["findings"]}
    assert True in flags.values() and False in flags.values(), "the case needs both kinds"
    for f in data["findings"]:
        assert f["key"] == (f["certainty"] >= threshold), f
    assert is_key(kb, threshold) and not is_key(kb, threshold - 0.001)


def test_possible_findings_get_no_programme_items(kb: KnowledgeBase,
                                                  reasoner: Reasoner) -> None:
    data, p = report(kb, reasoner, MIXED)
    key = {f["muscle"] for f in data["findings"] if f["key"]}
    possible = {f["muscle"] for f in data["findings"] if not f["key"]} - key
    assert possible, "the case needs a possible finding"
    labels = {f"{f['muscle']}@{f['side']}" if f["side"] else f["muscle"]
              for f in data["findings"] if f["key"]}
    worked = set()
    for item in p.items:
        worked |= {m for t in kb.exercises[item.exercise].targets for m in muscles(kb, t)}
        if item.phase != "integrate":
            assert set(item.addresses) <= labels, item.exercise
    for node in possible:
        assert not muscles(kb, node) & worked, f"{node} is only possible but gets an exercise"
    assert p.items, "the key findings still get their programme"


def test_only_possible_findings_give_an_empty_programme_that_says_why(
        kb: KnowledgeBase, reasoner: Reasoner) -> None:
    c = case(kb, {"tilt": {"value": "yes", "certainty": 0.5}})   # an unsure tilt: weak findings
    outcome = reasoner.evaluate(c)
    assert outcome.findings and not any(is_key(kb, f.certainty) for f in outcome.findings)
    p = build_program(kb, c, outcome)
    assert p is not None
    assert not p.items and p.core is None and p.schedule is None
    assert any("key finding" in n and "possible findings get no exercises" in n
               for n in p.notes)
    assert {ph.note for ph in p.phases} == {"No key finding."}


def test_possible_findings_still_count_for_safety(kb: KnowledgeBase,
                                                  reasoner: Reasoner) -> None:
    c = case(kb, MIXED)
    outcome = reasoner.evaluate(c)
    needs = Needs(kb, outcome)
    weak = [f for f in outcome.findings if f.muscle == "hamstrings"]
    assert weak and not is_key(kb, weak[0].certainty)
    for leaf in kb.expand("hamstrings"):
        side = "left" if kb.muscles[leaf].paired else None
        assert ("muscle", leaf, side) not in needs.muscle["underactive"]
        assert "underactive" in needs.states_at(leaf, side)


# -- the core -----------------------------------------------------------------------------------
def test_the_core_is_capped_and_the_rest_are_extras(kb: KnowledgeBase,
                                                    reasoner: Reasoner) -> None:
    data, p = report(kb, reasoner, BUSY)
    spec = next(iter(kb.plans.values())).core
    core = [i for i in p.items if i.core]
    extras = [i for i in p.items if not i.core]
    assert len(p.items) > spec.max_items, "the case needs more items than the core holds"
    assert len(core) <= spec.max_items and extras
    assert p.core is not None and (p.core.items, p.core.extras) == (len(core), len(extras))
    program = data["program"]
    assert program["core"]["items"] == len(core)
    assert all(isinstance(i["core"], bool) for ph in program["phases"] for i in ph["items"])
    assert program["core_minutes"] == program["core"]["minutes"]["typical"]
    assert program["core"]["line"].startswith(f"Core: the {len(core)} exercises that answer")
    # the core's time is the sum of its items', and within the target
    typical = sum(i.seconds[1] for i in core)
    assert p.core.minutes[1] == (typical + 30) // 60
    assert typical <= spec.target_minutes * 60
    # the schedule is the core's: a phase with only extras has no frequency line
    core_phases = {ph.phase for ph in p.phases for i in ph.items if i.core}
    assert p.schedule is not None
    assert {phase for phase, _ in p.schedule.frequency} == core_phases


def test_the_core_follows_the_priority_rule(kb: KnowledgeBase, reasoner: Reasoner) -> None:
    _, p = report(kb, reasoner, BUSY)
    core = {i.exercise for i in p.items if i.core}
    # the strongest finding of each phase first: the trapezius stretch (0.9 on the left) before
    # the hip flexor stretch; the hip roll answers the hip flexors, the upper-back roll only a
    # sign, so the hip roll leads the inhibit phase
    assert "trap_stretch" in core and "hip_stretch" not in core
    assert "hip_roll" in core and "upper_roll" not in core


def test_priority_one_per_phase_then_new_findings_then_integration() -> None:
    cands = [
        Candidate(0, "inhibit", {"a": 0.9}, 60),
        Candidate(1, "inhibit", {"b": 0.5}, 60),
        Candidate(2, "lengthen", {"a": 0.9}, 60),
        Candidate(3, "lengthen", {"c": 0.7}, 60),
        Candidate(4, "activate", {"d": 0.6, "e": 0.6}, 60),
        Candidate(5, "activate", {"d": 0.6}, 60),
        Candidate(6, "integrate", {"x": 0.8}, 60),
        Candidate(7, "integrate", {"y": 0.9}, 60),
    ]
    order = choose(cands, 8, 3600)
    # one per phase (the strongest, then the most findings), then the finding not yet answered
    # (c, then b; 5 answers nothing new but still beats integration), integration last
    assert order == [0, 2, 4, 7, 3, 1, 5, 6]
    assert choose(cands, 5, 3600) == [0, 2, 4, 7, 3]
    for _ in range(20):
        shuffled = random.sample(cands, len(cands))
        assert choose(shuffled, 5, 3600) == [0, 2, 4, 7, 3]


def test_an_item_that_would_pass_the_time_target_is_an_extra() -> None:
    cands = [Candidate(0, "inhibit", {"a": 0.9}, 300),
             Candidate(1, "lengthen", {"a": 0.9}, 900),
             Candidate(2, "activate", {"b": 0.8}, 300)]
    assert choose(cands, 6, 600) == [0, 2]          # the long stretch does not fit
    assert choose(cands[1:2], 6, 600) == [1]        # but a core is never empty


def test_the_core_does_not_depend_on_the_order_of_the_answers(
        kb: KnowledgeBase, reasoner: Reasoner) -> None:
    _, first = report(kb, reasoner, BUSY)
    _, again = report(kb, reasoner, dict(reversed(list(BUSY.items()))))
    assert first.to_data() == again.to_data()


# -- time estimates -----------------------------------------------------------------------------
def _dose(sets: tuple[int, int] | None = None, reps: tuple[int, int] | None = None,
          hold: tuple[int, int] | None = None, tempo: str = "") -> Dosing:
    return Dosing("t", "v", sets, reps, hold, tempo, None, False, "", "", (), "")


TIMING = Timing(setup_s=15, rep_s=4, set_s=50, rest_s=30, why="test")


def test_time_of_reps_at_a_tempo_on_both_sides() -> None:
    dose = _dose(sets=(1, 2), reps=(10, 15), tempo="4-2-1")
    assert tempo_seconds("4-2-1") == 7 and tempo_seconds("slow and controlled") is None
    # start: 2 sides x (15 s setup + 1 set x 10 reps x 7 s); full: 2 x (15 + 2 x 15 x 7) + 30 rest
    assert span(dose, TIMING, 2) == (170, 325, 480)


def test_time_of_holds_reps_without_tempo_and_protocols() -> None:
    assert seconds(_dose(sets=(1, 3), hold=(30, 30)), TIMING, 2, 1) == 2 * (15 + 90) + 2 * 30
    assert seconds(_dose(sets=(1, 1), reps=(10, 10), hold=(10, 10)), TIMING, 1, 0) == 15 + 100
    assert seconds(_dose(reps=(10, 15), tempo="slow and controlled"), TIMING, 1, 1) == 15 + 60
    assert seconds(_dose(sets=(1, 1)), TIMING, 1, 0) == 15 + 50


def test_items_carry_their_estimated_minutes(kb: KnowledgeBase, reasoner: Reasoner) -> None:
    data, p = report(kb, reasoner, BUSY)
    for item, shown in zip(p.items, (i for ph in data["program"]["phases"]
                                     for i in ph["items"]), strict=True):
        timing = kb.doses[item.technique].timing
        sides = 2 if item.side == "both" else 1
        assert item.seconds == span(item.dose, timing, sides)
        assert shown["minutes"] == round(item.seconds[1] / 60, 1)


# -- what people see ----------------------------------------------------------------------------
def test_text_report_leads_with_key_findings_then_possible_then_core_and_extras(
        root: Path) -> None:
    runner = CliRunner()
    case_file = root.parent / "busy.json"
    case_file.write_text(json.dumps({"id": "busy", "red_flags": "none",
                                     "answers": SHOWN}))
    text = runner.invoke(main, ["--kb", str(root), "run", str(case_file), "--detail"]).output
    assert text.index("Key findings") < text.index("Possible findings") < text.index("Core: ")
    assert text.index("Core: ") < text.index("Extras if you have time")
    short = runner.invoke(main, ["--kb", str(root), "run", str(case_file)]).output
    assert short.index("Key findings") < short.index("Core: ")  # the key findings and the core
    assert "Possible findings" not in short and "Extras if you have time" not in short
    assert "possible finding" in short and f"{case_file} --detail" in short  # where the rest is
    possible = text[text.index("Possible findings"):text.index("Corrective programme")]
    assert "Hip flexor" in possible and "Upper trapezius" not in possible
    data = json.loads(runner.invoke(main, ["--kb", str(root), "run", str(case_file),
                                           "--format", "json"]).output)
    assert {f["key"] for f in data["findings"]} == {True, False}


def test_handouts_split_key_and_possible_findings_and_core_and_extras(
        kb: KnowledgeBase, reasoner: Reasoner) -> None:
    data, p = report(kb, reasoner, SHOWN)
    markdown = render(data, "markdown")
    assert markdown.index("## Key findings") < markdown.index("**Possible findings**")
    assert markdown.index("**Core: ") < markdown.index("### Extras if you have time")
    page = render(data, "html")
    core = page[page.index('id="program-table"'):page.index('id="program-extras"')]
    extras = page[page.index('id="program-extras"'):]
    for item in p.items:
        row = f'data-exercise="{item.exercise}"'
        assert (row in core) == item.core and (row in extras.split("</table>")[0]) != item.core
    assert 'id="possible"' in page and page.index("Key findings") < page.index('id="possible"')
