"""Inference on the tiny fixture knowledge base: certainties, sides, groups, conflicts,
red flags and provenance, as a user of the reports would see them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expert.findings import Outcome
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.report import to_data

from .conftest import make_case


def findings(tiny: Reasoner, answers: dict, age: int | None = None) -> dict:
    outcome = tiny.evaluate(make_case(tiny.kb, answers, age))
    return {(f.muscle, f.state, f.side): f for f in outcome.findings}


def outcome_of(tiny: Reasoner, answers: dict, age: int | None = None) -> Outcome:
    return tiny.evaluate(make_case(tiny.kb, answers, age))


def test_a_pattern_implicates_its_muscles_with_rule_certainty(tiny: Reasoner) -> None:
    found = findings(tiny, {"tilt": "yes"})
    assert found[("hip_flexor", "overactive", "both")].certainty == pytest.approx(0.64)
    # a midline muscle has no side
    assert found[("core_mid", "underactive", None)].certainty == pytest.approx(0.48)


def test_muscles_one_edition_lists_weigh_less(tiny: Reasoner) -> None:
    found = findings(tiny, {"tilt": "yes"})
    agreed = found[("hip_flexor", "overactive", "both")].certainty
    single = found[("glute", "underactive", "both")].certainty
    assert single == pytest.approx(agreed * 0.75)


def test_independent_evidence_for_a_sign_combines(tiny: Reasoner) -> None:
    alone = findings(tiny, {"tilt": "yes"})[("hip_flexor", "overactive", "both")].certainty
    both = findings(tiny, {"tilt": "yes", "sitting": "yes"})
    # sign: 0.8 (+) 0.4*0.8 = 0.864; muscle 0.864 * 0.8
    assert both[("hip_flexor", "overactive", "both")].certainty == pytest.approx(0.6912)
    assert both[("hip_flexor", "overactive", "both")].certainty > alone


def test_uncertain_answers_scale_conclusions(tiny: Reasoner) -> None:
    found = findings(tiny, {"tilt": {"value": "yes", "certainty": 0.5}})
    assert found[("hip_flexor", "overactive", "both")].certainty == pytest.approx(0.32)


def test_signs_below_the_premise_threshold_do_not_fire(tiny: Reasoner) -> None:
    weak = outcome_of(tiny, {"sitting": {"value": "yes", "certainty": 0.5}})
    assert "pattern.crossed" not in weak.fired
    # the direct rule still reports its own (weak) conclusion
    assert [(f.muscle, f.certainty) for f in weak.findings] == [("core_mid", 0.2)]


def test_alternatives_of_one_rule_count_once(tiny: Reasoner) -> None:
    one = findings(tiny, {"back_pain": "yes"})[("core_mid", "underactive", None)].certainty
    two = outcome_of(tiny, {"back_pain": "yes", "sitting": {"value": "yes", "certainty": 0.5}})
    core = next(f for f in two.findings if f.muscle == "core_mid")
    assert one == pytest.approx(0.4)
    assert core.certainty == pytest.approx(0.4)  # max of the OR, not 0.4 (+) 0.2


def test_sides_follow_the_answer(tiny: Reasoner) -> None:
    left = findings(tiny, {"carry": "left"})
    assert set(left) == {("upper_trap", "overactive", "left"),
                         ("lower_trap", "underactive", "left")}
    both = findings(tiny, {"carry": "both"})
    assert ("upper_trap", "overactive", "both") in both


def test_opposite_side_conclusions_mirror(tiny: Reasoner) -> None:
    found = findings(tiny, {"shrug": "left", "carry": "left"})
    assert found[("upper_trap", "overactive", "left")].certainty == pytest.approx(0.92)
    assert found[("lower_trap", "underactive", "left")].certainty == pytest.approx(0.6)
    assert found[("lower_trap", "underactive", "right")].certainty == pytest.approx(0.8)


def test_group_is_reported_when_all_members_agree(tiny: Reasoner) -> None:
    found = findings(tiny, {"tilt": "yes"})
    group = found[("hamstrings", "underactive", "both")]
    assert group.members == ("hamstring_a", "hamstring_b")
    assert not any(m in {k[0] for k in found} for m in group.members)


def test_contradicting_evidence_is_resolved_and_marked(tiny: Reasoner) -> None:
    found = findings(tiny, {"tilt": "yes", "hip_shift": "yes"})
    glute = found[("glute", "overactive", "both")]
    assert glute.conflict
    assert glute.certainty == pytest.approx((0.8 - 0.48) / (1 - 0.48), abs=1e-4)
    assert {c.rule for c in glute.support} == {"ohsa.hip_shift"}
    assert {c.rule for c in glute.against} == {"pattern.crossed"}


def test_red_flag_refers_and_suppresses_findings(tiny: Reasoner) -> None:
    out = outcome_of(tiny, {"numb": "yes", "tilt": "yes"})
    assert out.referral is not None and out.referral.level == "emergency"
    assert out.referral.red_flags == ("numb",)
    assert out.findings == []


@pytest.mark.parametrize(("age", "level"), [(60, "refer"), (17, "refer"), (40, None),
                                            (None, None)])
def test_age_rule_refers_new_back_pain_outside_20_to_55(tiny: Reasoner, age: int | None,
                                                         level: str | None) -> None:
    out = outcome_of(tiny, {"back_pain": "yes"}, age=age)
    assert (out.referral.level if out.referral else None) == level
    if level:
        assert out.referral is not None and out.referral.red_flags == ("age_onset",)


def test_most_urgent_red_flag_sets_the_level(tiny: Reasoner) -> None:
    out = outcome_of(tiny, {"numb": "yes", "back_pain": "yes"}, age=70)
    assert out.referral is not None
    assert out.referral.level == "emergency"
    assert out.referral.red_flags == ("age_onset", "numb")


def test_nothing_positive_finds_nothing(tiny: Reasoner) -> None:
    out = outcome_of(tiny, {"tilt": "no", "carry": "unknown", "fragile": "yes"})
    assert out.findings == [] and out.referral is None


def test_every_finding_explains_itself_down_to_the_answers(tiny: Reasoner,
                                                           tiny_kb: KnowledgeBase) -> None:
    case = make_case(tiny_kb, {"tilt": "yes", "sitting": "yes"})
    data = to_data(case, tiny_kb, tiny.evaluate(case))
    hip = next(f for f in data["findings"] if f["muscle"] == "hip_flexor")
    top = hip["because"][0]
    assert top["rule"] == "pattern.crossed" and top["sources"] == ["SRC-A"]
    sign = top["premises"][0]
    assert sign["sign"] == "crossed"
    assert [d["rule"] for d in sign["because"]] == ["posture.tilt", "habit.sitting"]
    assert sign["because"][0]["premises"] == [{"answer": "tilt", "value": "yes",
                                               "certainty": 1.0}]
    # the reason names the answers (strongest route first) and the pattern they were read as
    assert hip["reason"] == (
        "Is your pelvis tilted forward; Do you sit most of the day → Crossed pattern")


def test_engine_reuse_leaks_nothing_between_cases(tiny: Reasoner, tiny_kb: KnowledgeBase) -> None:
    first = to_data(make_case(tiny_kb, {"tilt": "yes"}), tiny_kb,
                    tiny.evaluate(make_case(tiny_kb, {"tilt": "yes"})))
    tiny.evaluate(make_case(tiny_kb, {"numb": "yes", "carry": "left", "hip_shift": "yes"}))
    fresh = Reasoner(tiny_kb)
    again = to_data(make_case(tiny_kb, {"tilt": "yes"}), tiny_kb,
                    fresh.evaluate(make_case(tiny_kb, {"tilt": "yes"})))
    assert first == again


ANSWERS = {"tilt": "yes", "sitting": {"value": "yes", "certainty": 0.7}, "carry": "left",
           "shrug": "right", "hip_shift": "yes", "back_pain": "no"}


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(ANSWERS)))
def test_answer_order_never_changes_the_report(tiny: Reasoner, order: list[str]) -> None:
    baseline = make_case(tiny.kb, ANSWERS)
    shuffled = make_case(tiny.kb, {k: ANSWERS[k] for k in order})
    assert to_data(shuffled, tiny.kb, tiny.evaluate(shuffled)) == \
        to_data(baseline, tiny.kb, tiny.evaluate(baseline))


def test_reciprocal_inhibition_infers_a_weaker_antagonist_finding(tiny: Reasoner) -> None:
    found = findings(tiny, {"lean": "yes"})
    glute = found[("glute", "underactive", "both")]
    assert glute.inferred and not glute.conflict
    assert glute.certainty == pytest.approx(0.8 * 0.5)
    [why] = glute.support
    assert why.rule == "reciprocal_inhibition" and why.relation == "ant_hip"
    assert why.premises[0].kind == "finding" and why.premises[0].id == "hip_flexor"


def test_synergistic_dominance_infers_overactive_synergists(tiny: Reasoner) -> None:
    found = findings(tiny, {"glute_test": "yes"})
    hamstrings = found[("hamstrings", "overactive", "both")]
    assert hamstrings.inferred and hamstrings.certainty == pytest.approx(0.4)


def test_graph_reasoning_never_overrides_direct_evidence(tiny: Reasoner) -> None:
    # the crossed pattern says the glute is underactive directly; the lean's hip-flexor finding
    # would infer the same state, but inferred evidence is not added to direct evidence
    direct = findings(tiny, {"tilt": "yes"})[("glute", "underactive", "both")]
    both = findings(tiny, {"tilt": "yes", "lean": "yes"})[("glute", "underactive", "both")]
    assert not both.inferred and both.certainty == direct.certainty
    # and a direct finding in the other state is never turned into a conflict
    shift = findings(tiny, {"hip_shift": "yes", "lean": "yes"})
    assert ("glute", "overactive", "both") in shift
    assert not shift[("glute", "overactive", "both")].conflict


def test_graph_reasoning_follows_the_side_of_its_driver(tiny: Reasoner) -> None:
    found = findings(tiny, {"shrug": "left"})
    # the shrug rule says lower trap underactive on the opposite (right) side directly; the
    # left upper trap's reciprocal inhibition adds the left lower trap, inferred and weaker
    assert not found[("lower_trap", "underactive", "right")].inferred
    left = found[("lower_trap", "underactive", "left")]
    assert left.inferred and left.certainty == pytest.approx(0.4)
