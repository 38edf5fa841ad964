"""The corrective programme on the tiny fixture knowledge base plus a tiny exercise catalogue
(tests/fixtures/program): phases in order, sides, de-duplication, the safety rules (never roll or
stretch an underactive muscle, never activate an overactive one, conditions remove or adapt
techniques), equipment and alternatives, doses, the schedule, and the integrity checks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from expert.case import Case, parse_case
from expert.findings import Finding, Outcome
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase, load, read
from expert.program import Program, build_program

from .conftest import FIXTURE_KB, TESTS

PROGRAM_FILES = TESTS / "fixtures" / "program"


def _kb_with_program(root: Path) -> Path:
    shutil.copytree(FIXTURE_KB, root)
    for f in PROGRAM_FILES.glob("*.yaml"):
        shutil.copy(f, root / "facts" / f.name)
    return root


@pytest.fixture(scope="module")
def pkb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load(_kb_with_program(tmp_path_factory.mktemp("pkb") / "kb"))


@pytest.fixture(scope="module")
def preasoner(pkb: KnowledgeBase) -> Reasoner:
    return Reasoner(pkb)


def case(kb: KnowledgeBase, answers: dict[str, Any], screened: bool = True,
         **subject: Any) -> Case:
    """A case; ``screened``: it states ``red_flags: none`` (the safety screen is complete)."""
    data: dict[str, Any] = {"id": "t", "answers": answers}
    if screened:
        data["red_flags"] = "none"
    if subject:
        data["subject"] = subject
    return parse_case(data, "test", kb)


def program(kb: KnowledgeBase, reasoner: Reasoner, answers: dict[str, Any],
            start: dt.date | None = None, **subject: Any) -> Program:
    c = case(kb, answers, **subject)
    built = build_program(kb, c, reasoner.evaluate(c), start)
    assert built is not None
    return built


def items(p: Program, phase: str) -> dict[str, Any]:
    return {i.exercise: i for ph in p.phases if ph.phase == phase for i in ph.items}


def test_no_catalogue_no_programme(tiny_kb: KnowledgeBase, tiny: Reasoner) -> None:
    c = case(tiny_kb, {"tilt": "yes"})
    assert build_program(tiny_kb, c, tiny.evaluate(c)) is None


def test_a_referral_gives_no_programme(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    c = case(pkb, {"tilt": "yes", "numb": "yes"}, screened=False)
    assert build_program(pkb, c, preasoner.evaluate(c)) is None


def test_an_open_safety_screen_withholds_the_programme(pkb: KnowledgeBase,
                                                       preasoner: Reasoner) -> None:
    c = case(pkb, {"tilt": "yes"}, screened=False)  # the red-flag question numb unanswered
    outcome = preasoner.evaluate(c)
    assert outcome.findings and build_program(pkb, c, outcome) is None
    answered = case(pkb, {"tilt": "yes", "numb": "no"}, screened=False)
    assert build_program(pkb, answered, preasoner.evaluate(answered)) is not None


def test_phases_in_order_inhibit_lengthen_overactive_activate_underactive(
        pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "yes"})
    assert [ph.phase for ph in p.phases] == ["inhibit", "lengthen", "activate", "integrate"]
    assert set(items(p, "inhibit")) == {"hip_roll"}
    assert set(items(p, "lengthen")) == {"hip_stretch"}          # hip flexor overactive
    assert set(items(p, "activate")) == {"ball_bridge", "core_brace"}   # glute, hamstrings, core
    assert set(items(p, "integrate")) == {"lunge"}                # the crossed pattern, lphc
    assert p.disclaimer and "not a diagnosis" in p.disclaimer


def test_never_lengthens_an_underactive_muscle(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    # the glute is underactive in the crossed pattern: the stretch that also works it is out,
    # and the hamstring stretch is never offered with the crossed pattern
    p = program(pkb, preasoner, {"tilt": "yes"})
    lengthened = {t for i in items(p, "lengthen").values() for t in i.targets}
    assert lengthened == {"hip_flexor"}


def test_one_stretch_answers_two_findings(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    # forward lean: hip flexor overactive; hip shift: glute overactive -> one combined stretch
    p = program(pkb, preasoner, {"lean": "yes", "hip_shift": "yes"})
    lengthen = items(p, "lengthen")
    assert list(lengthen) == ["hip_glute_stretch"]
    assert set(lengthen["hip_glute_stretch"].addresses) == {"hip_flexor@both", "glute@both"}


def test_items_follow_the_side_flagged(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"carry": "left"}, equipment=["massage_ball", "resistance_band"])
    assert items(p, "inhibit")["trap_release"].side == "left"
    assert items(p, "lengthen")["trap_stretch"].side == "left"
    assert items(p, "activate")["pull_down"].side == "left"
    both = program(pkb, preasoner, {"carry": "both"}, equipment=[])
    assert items(both, "lengthen")["trap_stretch"].side == "both"


def _outcome(*findings: tuple[str, str, str | None]) -> Outcome:
    return Outcome([Finding(m, s, side, 0.8, False, ()) for m, s, side in findings], [], None,
                   {})


def test_mixed_sides_stretch_only_the_overactive_side(pkb: KnowledgeBase) -> None:
    # upper trap overactive on the left, underactive on the right
    outcome = _outcome(("upper_trap", "overactive", "left"),
                       ("upper_trap", "underactive", "right"))
    p = build_program(pkb, case(pkb, {}), outcome)
    assert p is not None
    assert items(p, "lengthen")["trap_stretch"].side == "left"
    assert "neck_both" not in items(p, "lengthen")   # a both-sides stretch would reach the right


def test_a_both_sides_exercise_is_withheld_when_one_side_forbids_it(pkb: KnowledgeBase) -> None:
    outcome = _outcome(("upper_trap", "overactive", "left"), ("lower_trap", "overactive", "left"),
                       ("lower_trap", "underactive", "right"))
    p = build_program(pkb, case(pkb, {}), outcome)
    assert p is not None
    assert "neck_both" not in items(p, "lengthen")
    out = {r.exercise: r for r in p.removed}
    assert out["neck_both"].kind == "underactive_target"
    assert "lower trap" in out["neck_both"].reason.lower()


def test_never_activates_an_overactive_muscle(pkb: KnowledgeBase) -> None:
    outcome = _outcome(("glute", "underactive", "both"), ("hamstrings", "overactive", "both"))
    p = build_program(pkb, case(pkb, {}), outcome)
    assert p is not None
    bridge = items(p, "activate")["floor_bridge"]   # the ball bridge also works the hamstrings
    assert list(items(p, "activate")) == ["floor_bridge"]
    assert bridge.instead_of is not None and bridge.instead_of["exercise"] == "ball_bridge"
    assert "work the hamstring A (found overactive)" in bridge.instead_of["reason"]


def test_a_condition_removes_its_techniques_and_says_why(pkb: KnowledgeBase,
                                                         preasoner: Reasoner) -> None:
    plain = program(pkb, preasoner, {"tilt": "yes"})
    fragile = program(pkb, preasoner, {"tilt": "yes", "fragile": "yes"})
    assert items(plain, "inhibit") and not items(fragile, "inhibit")
    for phase in ("lengthen", "activate", "integrate"):
        assert set(items(plain, phase)) == set(items(fragile, phase))
    removed = {(r.exercise, r.technique): r for r in fragile.removed}
    assert removed[("hip_roll", None)].condition == "fragile"
    assert "fragile bones" in removed[("hip_roll", None)].reason
    assert removed[("hip_stretch", "contract_relax")].kind == "condition"
    stretch = items(fragile, "lengthen")["hip_stretch"]
    assert stretch.options == ()                        # the contract-relax option is gone
    assert [a.advice for a in stretch.adaptations] == ["Mild tension only."]
    assert [c["condition"] for c in fragile.conditions] == ["fragile"]
    assert items(plain, "lengthen")["hip_stretch"].options


def test_an_uncertain_yes_still_triggers_the_gate(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "yes", "fragile": {"value": "yes", "certainty": 0.3}})
    assert not items(p, "inhibit")


def test_unanswered_conditions_are_listed(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    assert program(pkb, preasoner, {"tilt": "yes"}).unscreened == ["fragile"]
    assert program(pkb, preasoner, {"tilt": "yes", "fragile": "no"}).unscreened == []


def test_age_triggers_scoped_precautions_and_longer_holds(pkb: KnowledgeBase,
                                                          preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"carry": "left"}, age=72, equipment=["massage_ball"])
    release = items(p, "inhibit")["trap_release"]
    assert [a.label for a in release.adaptations] == ["age 70+"]
    assert items(p, "lengthen")["trap_stretch"].dose.hold_s == (60, 60)
    young = program(pkb, preasoner, {"carry": "left"}, age=30, equipment=["massage_ball"])
    assert items(young, "lengthen")["trap_stretch"].dose.hold_s == (30, 30)
    assert items(young, "inhibit")["trap_release"].adaptations == ()


def test_equipment_filters_and_alternatives(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "yes", "carry": "left"}, equipment=[])
    assert not items(p, "inhibit")
    activate = items(p, "activate")
    assert activate["floor_bridge"].instead_of == {
        "exercise": "ball_bridge", "name": "Ball bridge", "missing": "stability ball",
        "reason": "Needs stability ball, which the subject does not have"}
    assert "pull_down" not in activate
    kinds = {r.exercise: r.kind for r in p.removed}
    assert kinds["hip_roll"] == kinds["trap_release"] == kinds["pull_down"] == "equipment"
    integrate = items(p, "integrate")
    assert list(integrate) == ["lunge"] and integrate["lunge"].instead_of is not None
    for i in p.items:
        assert i.equipment == ()
    assert not p.equipment_assumed


def test_unstated_equipment_is_assumed_and_said(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "yes"})
    assert p.equipment_assumed and p.equipment == ["foam_roller", "stability_ball"]
    assert any("assumes" in n for n in p.notes)


def test_sign_triggered_items_and_integration_by_checkpoint(pkb: KnowledgeBase,
                                                            preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"shrug": "right"}, equipment=["foam_roller", "resistance_band"])
    assert "upper_roll" in items(p, "inhibit")
    assert items(p, "inhibit")["upper_roll"].side is None
    assert list(items(p, "integrate")) == ["row"]


def test_doses_come_from_the_chosen_variant(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "yes"})
    roll = items(p, "inhibit")["hip_roll"]
    assert roll.dose.variant == "short" and roll.dose.hold_s == (30, 60)
    assert "hold 30–60 s" in roll.dose.text and "each side" in roll.dose.text
    brace = items(p, "activate")["core_brace"]
    assert brace.dose.tempo == "4-2-1" and "Hold 10 s." in brace.dose.text
    summary = {d["technique"]: d for d in p.doses}
    assert summary["smr"]["variant"] == "short"
    assert summary["smr"]["alternatives"][0]["variant"] == "long"


def test_schedule_is_a_dated_block_only_when_a_start_is_given(pkb: KnowledgeBase,
                                                              preasoner: Reasoner) -> None:
    undated = program(pkb, preasoner, {"tilt": "yes"})
    assert undated.schedule is not None
    assert undated.schedule.start is None and undated.schedule.reassess_date is None
    assert [w.week for w in undated.schedule.weeks] == [1, 2, 3, 4]
    dated = program(pkb, preasoner, {"tilt": "yes"}, start=dt.date(2025, 1, 6))
    assert dated.schedule is not None
    assert dated.schedule.weeks[3].end == dt.date(2025, 2, 2)
    assert dated.schedule.reassess_date == dt.date(2025, 2, 3)
    assert dated.schedule.reassess == ("tilt",)


def test_nothing_found_gives_an_empty_programme(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    p = program(pkb, preasoner, {"tilt": "no"})
    assert p.items == [] and p.schedule is None and p.notes
    assert p.to_data()["phases"][0] == {"phase": "inhibit", "items": [],
                                        "note": "No probable imbalance was found."}


def test_programme_data_is_json_and_order_free(pkb: KnowledgeBase, preasoner: Reasoner) -> None:
    a = program(pkb, preasoner, {"tilt": "yes", "carry": "left", "fragile": "yes"})
    b = program(pkb, preasoner, {"fragile": "yes", "carry": "left", "tilt": "yes"})
    assert json.dumps(a.to_data()) == json.dumps(b.to_data())
    item = a.to_data()["phases"][1]["items"][0]
    assert {"exercise", "name", "targets", "side", "dose"} <= set(item)


def test_integrity_checks_the_programme_files(tmp_path: Path) -> None:
    root = _kb_with_program(tmp_path / "kb")
    ex = root / "facts" / "exercises.yaml"
    ex.write_text(ex.read_text().replace("targets: [hip_flexor],\n     equipment: [foam_roller]",
                                         "targets: [hip_flexer],\n     equipment: [foam_rolr]")
                  .replace("technique: strengthening,\n     targets: [core_mid]",
                           "technique: strength,\n     targets: [core_mid]"))
    safety = root / "facts" / "safety.yaml"
    safety.write_text(safety.read_text().replace("condition: fragile", "condition: tilt"))
    _, problems = read(root)
    lines = [p.line() for p in problems]
    assert any("hip_roll" in line and "'hip_flexer'" in line and "hip_flexor" in line
               for line in lines)
    assert any("'foam_rolr'" in line for line in lines)
    assert any("core_brace" in line and "'strength'" in line for line in lines)
    assert any("'tilt'" in line and "condition question" in line for line in lines)
    assert any("fragile" in line and "no safety restriction" in line for line in lines)
