"""Batch scoring on hand-made outcomes (fixture knowledge base), with figures worked out by hand:
precision, recall and F1, group-aware and side-aware matching, side accuracy, referral verdicts
(a missed referral is the worst error), calibration bins, the per-muscle table, rule coverage,
and the bounded memory of the running totals."""

from __future__ import annotations

from typing import Any

import pytest

from expert.batch.judgement import judge, ratios, referral_verdict
from expert.batch.registry import CaseIds
from expert.batch.scoring import Scoreboard
from expert.batch.worker import entry_line, program_summary
from expert.case import parse_case
from expert.findings import Finding, Outcome, Referral
from expert.knowledge import KnowledgeBase


def finding(muscle: str, state: str, side: str | None = "both", certainty: float = 0.8
            ) -> Finding:
    return Finding(muscle, state, side, certainty, False, ())


def outcome(*findings: Finding, referral: str | None = None) -> Outcome:
    ref = Referral(referral, ("numb",), ()) if referral else None
    return Outcome(list(findings), [], ref, {}, ["posture.tilt"])


def case(kb: KnowledgeBase, **expected: Any) -> Any:
    return parse_case({"id": "hand", "answers": {}, "expected": expected}, "hand", kb)


# hip_flexor over, upper_trap over on the left, glute under, the hamstrings group under,
# the midline core under
HAND = (finding("hip_flexor", "overactive", certainty=0.8),
        finding("upper_trap", "overactive", "left", certainty=0.45),
        finding("glute", "underactive", certainty=0.6),
        finding("hamstrings", "underactive", certainty=0.8),
        finding("core_mid", "underactive", None, certainty=0.3))


def test_precision_recall_f1_by_hand(tiny_kb: KnowledgeBase) -> None:
    c = case(tiny_kb, overactive=["hip_flexor", "upper_trap@right", "glute"],
             underactive=["hamstring_a", "core_mid"])
    evaluation, labels = judge(c, tiny_kb, outcome(*HAND))
    assert evaluation is not None
    # overactive: 1 of 3 items met (upper_trap is on the wrong side, glute is underactive);
    # 1 of 2 overactive findings answers an item: P 1/2, R 1/3, F1 = 2PR/(P+R) = 0.4
    assert evaluation["overactive"] == {"expected": 3, "met": 1, "reported": 2, "matched": 1,
                                        "precision": 0.5, "recall": 0.3333, "f1": 0.4}
    # underactive: the hamstrings group meets its member hamstring_a; core_mid is met;
    # 2 of 3 underactive findings answer an item (glute does not): P 2/3, R 1, F1 0.8
    assert evaluation["underactive"] == {"expected": 2, "met": 2, "reported": 3, "matched": 2,
                                         "precision": 0.6667, "recall": 1.0, "f1": 0.8}
    assert labels == [True, False, False, True, True]
    assert evaluation["sides"] == {"checked": 1, "right": 0}
    assert evaluation["worst"] == "missed_finding"  # glute: worse than the wrong side
    assert not evaluation["passed"] and len(evaluation["misses"]) == 2
    assert evaluation["unexpected"] == ["upper_trap@left", "glute@both"]
    assert evaluation["referral"] is None  # the case does not check it


def test_matching_is_group_aware_both_ways(tiny_kb: KnowledgeBase) -> None:
    member = outcome(finding("hamstring_b", "underactive"))
    evaluation, labels = judge(case(tiny_kb, underactive=["hamstrings"]), tiny_kb, member)
    assert evaluation is not None and evaluation["passed"] and labels == [True]
    group = outcome(finding("hamstrings", "underactive"))
    evaluation, labels = judge(case(tiny_kb, underactive=["hamstring_a"]), tiny_kb, group)
    assert evaluation is not None and evaluation["passed"] and labels == [True]
    other = outcome(finding("glute", "underactive"))
    evaluation, labels = judge(case(tiny_kb, underactive=["hamstrings"]), tiny_kb, other)
    assert evaluation is not None and not evaluation["passed"] and labels == [False]


@pytest.mark.parametrize(("found", "wanted", "met", "side"), [
    ("both", "upper_trap@left", True, "ok"),
    ("left", "upper_trap@left", True, "ok"),
    ("left", "upper_trap@right", False, "wrong"),
    ("left", "upper_trap@both", False, "wrong"),
    ("right", "upper_trap", True, None),
])
def test_matching_is_side_aware(tiny_kb: KnowledgeBase, found: str, wanted: str, met: bool,
                                side: str | None) -> None:
    evaluation, labels = judge(case(tiny_kb, overactive=[wanted]), tiny_kb,
                               outcome(finding("upper_trap", "overactive", found)))
    assert evaluation is not None
    assert evaluation["items"] == [{"state": "overactive", "item": wanted, "met": met,
                                    "side": side}]
    assert evaluation["sides"]["checked"] == (side is not None)
    assert labels == [wanted != "upper_trap@right"]  # precision needs overlapping sides


def test_empty_list_means_nothing_may_be_reported(tiny_kb: KnowledgeBase) -> None:
    evaluation, labels = judge(case(tiny_kb, overactive=[]), tiny_kb, outcome(*HAND))
    assert evaluation is not None and evaluation["worst"] == "unexpected_finding"
    assert evaluation["overactive"]["precision"] == 0.0
    assert evaluation["overactive"]["recall"] is None and evaluation["underactive"] is None
    assert labels == [False, False, None, None, None]  # underactive is not checked


def test_unchecked_case_has_no_evaluation(tiny_kb: KnowledgeBase) -> None:
    plain = parse_case({"id": "p", "answers": {}}, "p", tiny_kb)
    assert judge(plain, tiny_kb, outcome(*HAND)) == (None, [None] * 5)


@pytest.mark.parametrize(("expected", "got", "verdict"), [
    (None, None, "correct"), ("refer", "refer", "correct"), ("emergency", None, "missed"),
    ("refer", None, "missed"), ("emergency", "refer", "under_triage"),
    (None, "refer", "over_referral"), ("refer", "emergency", "over_referral"),
])
def test_referral_verdicts(expected: str | None, got: str | None, verdict: str) -> None:
    assert referral_verdict(expected, got) == verdict


def test_missed_referral_is_the_worst_error(tiny_kb: KnowledgeBase) -> None:
    c = case(tiny_kb, overactive=["upper_trap@right"], referral="emergency")
    evaluation, _ = judge(c, tiny_kb, outcome(finding("upper_trap", "overactive", "left")))
    assert evaluation is not None
    assert evaluation["referral"] == {"expected": "emergency", "got": None, "verdict": "missed"}
    assert evaluation["worst"] == "missed_referral"
    over, _ = judge(case(tiny_kb, referral=None), tiny_kb, outcome(referral="refer"))
    assert over is not None and over["worst"] == "over_referral"


def test_ratios_leave_out_what_cannot_be_measured() -> None:
    assert ratios(0, 0, 0, 0) == {"precision": None, "recall": None, "f1": None}
    assert ratios(0, 3, 0, 2) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert ratios(3, 4, 3, 3) == {"precision": 0.75, "recall": 1.0, "f1": 0.8571}


def record(kb: KnowledgeBase, c: Any, out: Outcome, case_id: str = "hand") -> dict[str, Any]:
    evaluation, labels = judge(c, kb, out)
    return {"case_id": case_id, "source": f"{case_id}.yaml", "line": None,
            "referral": {"level": out.referral.level} if out.referral else None,
            "findings": [{"muscle": f.muscle, "state": f.state, "side": f.side,
                          "certainty": f.certainty, "expected": ok}
                         for f, ok in zip(out.findings, labels, strict=True)],
            "evaluation": evaluation, "rules_fired": out.fired, "errors": []}


def test_scoreboard_adds_up_cases(tiny_kb: KnowledgeBase) -> None:
    board = Scoreboard(tiny_kb)
    first = case(tiny_kb, overactive=["hip_flexor", "upper_trap@right", "glute"],
                 underactive=["hamstring_a", "core_mid"])
    board.add(record(tiny_kb, first, outcome(*HAND)), 0)
    second = case(tiny_kb, overactive=["hip_flexor"], referral=None)
    board.add(record(tiny_kb, second, outcome(HAND[0])), 1)
    failed = {"case_id": None, "source": "bad.yaml", "line": 3, "findings": None,
              "evaluation": None, "referral": None, "rules_fired": None,
              "errors": [{"file": "bad.yaml", "line": 3, "entry": "", "message": "malformed",
                          "hint": ""}]}
    board.add(failed, 2)
    r = board.results(["x"])
    assert r["cases"] == {"total": 3, "evaluated": 2, "failed": 1, "with_errors": 1,
                          "checked": 2, "passed": 1, "missed": 1, "unchecked": 0}
    # overactive: items 3 + 1, met 1 + 1; findings 2 + 1, answering 1 + 1
    over = r["states"]["overactive"]
    assert (over["expected"], over["met"], over["reported"], over["matched"]) == (4, 2, 3, 2)
    assert (over["precision"], over["recall"], over["f1"]) == (0.6667, 0.5, 0.5714)
    assert r["referral"]["checked"] == 1 and r["referral"]["accuracy"] == 1.0
    assert r["referral"]["matrix"][0][0] == 1
    rows = {(m["muscle"], m["state"]): m for m in r["muscles"]}
    hip = rows[("hip_flexor", "overactive")]
    assert {k: hip[k] for k in ("expected", "met", "reported", "matched", "precision")} == \
        {"expected": 2, "met": 2, "reported": 2, "matched": 2, "precision": 1.0}
    assert rows[("glute", "overactive")]["missed"] == 1
    assert rows[("glute", "underactive")]["unexpected"] == 1
    assert rows[("hamstrings", "underactive")]["group"] is True
    # calibration: certainties 0.8, 0.45, 0.6, 0.8, 0.3 then 0.8
    bins = {b["low"]: (b["count"], b["matched"]) for b in r["calibration"]["bins"] if b["count"]}
    assert bins == {0.3: (1, 1), 0.4: (1, 0), 0.6: (1, 0), 0.8: (3, 3)}
    assert r["calibration"]["ordered"] is True  # 3/3 at >= 0.7 against 1/2 below 0.5
    assert r["rules"]["fired"] == 1
    assert {n["id"] for n in r["rules"]["never"]} == set(tiny_kb.rules) - {"posture.tilt"} | \
        set(tiny_kb.red_flags)
    assert r["problems"]["shown"][0]["source"] == "bad.yaml"
    assert r["disagreements"]["shown"][0]["case_id"] == "hand"


def test_disagreements_keep_the_worst_within_the_cap(tiny_kb: KnowledgeBase) -> None:
    board = Scoreboard(tiny_kb, cap=2)
    side = case(tiny_kb, overactive=["upper_trap@right"])
    wrong_side = outcome(finding("upper_trap", "overactive", "left"))
    for i in range(5):
        board.add(record(tiny_kb, side, wrong_side, f"side{i}"), i)
    missed = case(tiny_kb, referral="emergency")
    board.add(record(tiny_kb, missed, outcome(), "late_referral"), 5)
    shown = board.results()["disagreements"]
    assert [d["case_id"] for d in shown["shown"]] == ["late_referral", "side0"]
    assert [d["worst"] for d in shown["shown"]] == ["missed_referral", "wrong_side"]
    assert shown["more"] == 4


def test_totals_do_not_grow_with_the_number_of_cases(tiny_kb: KnowledgeBase) -> None:
    board = Scoreboard(tiny_kb, cap=10)
    c = case(tiny_kb, overactive=["upper_trap@right"], underactive=["glute"])
    for i in range(2000):
        board.add(record(tiny_kb, c, outcome(*HAND), f"c{i}"), i)
    assert len(board.muscles) <= 2 * (len(tiny_kb.muscles) + len(tiny_kb.groups))
    assert len(board._disagreements) == 10 and board.results()["disagreements"]["more"] == 1990


def test_case_ids_find_duplicates_across_merges() -> None:
    ids = CaseIds(batch=4)
    assert not any(ids.seen(f"case{i}") for i in range(10))
    assert ids.seen("case0") and ids.seen("case9") and ids.seen("case5")
    assert not ids.seen("case10") and len(ids) == 11


def test_program_summary_counts_items_per_phase() -> None:
    assert program_summary(None) is None
    listed = {"phases": [{"phase": "inhibit", "items": [1, 2]}, {"phase": "activate",
                                                                "items": [3]}]}
    assert program_summary(listed) == {"phases": {"inhibit": 2, "activate": 1}, "items": 3}
    mapping = {"inhibit": [1], "lengthen": [2, 3], "weeks": 4}
    assert program_summary(mapping) == {"phases": {"inhibit": 1, "lengthen": 2}, "items": 3}


def test_entry_line_points_into_the_file() -> None:
    text = ("id: c\nanswers:\n  tilt: yes\n  tilts: yes\nexpected:\n  overactive:\n"
            "    - hip_flexor\n    - no_such_muscle@left\n")
    assert entry_line(text, "answers.tilts") == 4
    assert entry_line(text, "expected.overactive",
                      "unknown muscle or group 'no_such_muscle'") == 8
    assert entry_line("{not: [yaml", "answers.x") is None


def test_precision_of_key_findings_counts_only_what_the_report_leads_with(
        tiny_kb: KnowledgeBase) -> None:
    board = Scoreboard(tiny_kb)
    c = case(tiny_kb, overactive=["hip_flexor"], underactive=["hamstring_a"])
    rec = record(tiny_kb, c, outcome(*HAND))
    for f in rec["findings"]:  # the fixture's key threshold is 0.4
        f["key"] = f["certainty"] >= 0.4
    board.add(rec, 0)
    states = board.results(["x"])["states"]
    # overactive: hip_flexor (0.8, expected) and upper_trap (0.45, not) are both key: 1 of 2
    assert (states["overactive"]["key_reported"], states["overactive"]["key_matched"]) == (2, 1)
    assert states["overactive"]["key_precision"] == 0.5
    # underactive: glute 0.6 (no) and hamstrings 0.8 (yes) are key; core_mid 0.3 is possible
    assert states["underactive"]["key_precision"] == 0.5
    assert states["underactive"]["precision"] == round(1 / 3, 4)
