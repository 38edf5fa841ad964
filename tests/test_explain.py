"""Explanations: why, why not, what if, counterfactuals and pictures, as a trainer would use
them; golden files for the seed scenarios and a few assessment cases."""

from __future__ import annotations

import json
import os
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pydot
import pytest
from click.testing import CliRunner

from expert.case import Case, load_case
from expert.cli import main
from expert.explain.target import Target, findings_for, parse_target
from expert.explain.whatif import changed
from expert.explain.whynot import why_not
from expert.graph.queries import anatomical_reason, answer_paths, partners
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.problems import InputError

from .conftest import CASES, FIXTURE_KB, make_case

GOLDEN = Path(__file__).parent / "golden"
GOLDEN_RUNS = [
    ("seed_a_psoas.txt", ["psoas_major", "--case", "seed_a_low_back_pain_apt.yaml"]),
    ("seed_a_psoas.json", ["psoas_major", "--case", "seed_a_low_back_pain_apt.yaml",
                           "--format", "json"]),
    ("seed_a_glute_max.txt", ["gluteus_maximus", "--case", "seed_a_low_back_pain_apt.yaml"]),
    ("seed_b_upper_trap.txt", ["upper_trapezius", "--case", "seed_b_groceries_left.yaml"]),
    ("seed_b_upper_trap.json", ["upper_trapezius", "--case", "seed_b_groceries_left.yaml",
                                "--format", "json"]),
    ("seed_b_upper_trap_right_why_not.txt", ["upper_trapezius", "--side", "right",
                                             "--why-not", "--case",
                                             "seed_b_groceries_left.yaml"]),
    ("feet_turn_out_soleus.txt", ["soleus", "--case", "ohsa_feet_turn_out_left.yaml"]),
    ("weight_shift_glute_med_right.txt", ["gluteus_medius", "--side", "right", "--case",
                                          "ohsa_asymmetric_weight_shift_left.yaml"]),
    ("knees_in_vmo.json", ["vastus_medialis_oblique", "--case",
                           "ohsa_knees_move_inward_right.yaml", "--format", "json"]),
    ("seed_a_what_if.txt", ["gluteus_maximus", "--case", "seed_a_low_back_pain_apt.yaml",
                            "--what-if", "anterior_pelvic_tilt=no"]),
]


def run_cli(*args: str) -> str:
    result = CliRunner().invoke(main, ["explain", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("golden", "args"), GOLDEN_RUNS, ids=[g for g, _ in GOLDEN_RUNS])
def test_golden_explanations(golden: str, args: list[str]) -> None:
    args = [str(CASES / a) if a.endswith((".yaml", ".json")) else a for a in args]
    out = run_cli(*args).replace(str(CASES) + os.sep, "")
    path = GOLDEN / golden
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"regenerate with UPDATE_GOLDEN=1: {golden}"


LIBRARY = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))


@pytest.fixture(scope="module")
def library(real_kb: KnowledgeBase) -> list[Case]:
    return [load_case(p, real_kb) for p in LIBRARY]


def test_every_finding_has_a_derivation_whose_premises_exist(library: list[Case],
                                                            real: Reasoner) -> None:
    kb = real.kb
    for case in library:
        outcome = real.evaluate(case)
        for f in outcome.findings:
            assert f.support, (case.id, f.muscle)
            for c in f.support:
                for p in c.premises:
                    if p.kind == "answer":
                        assert case.answers[p.id].positive
                    elif p.kind == "sign":
                        strength, _ = outcome.signs[(p.id, p.side)]
                        assert strength >= kb.meta.inference.premise_threshold
                    elif p.kind == "finding":
                        assert any(p.id in kb.expand(g.muscle) and g.state == p.value
                                   and not g.inferred for g in outcome.findings)


def test_explanations_do_not_depend_on_answer_order(tmp_path: Path) -> None:
    source = CASES / "combined_desk_worker_crossed.yaml"
    text = source.read_text(encoding="utf-8")
    head, answers = text.split("answers:\n", 1)
    body, rest = [*answers.split("\nexpected:", 1), ""][:2]
    lines = body.strip("\n").splitlines()
    random.Random(5).shuffle(lines)
    shuffled = tmp_path / "shuffled.yaml"
    shuffled.write_text(head + "answers:\n" + "\n".join(lines) + "\n"
                        + ("expected:" + rest if rest else ""), encoding="utf-8")
    for muscle in ("upper_trapezius", "gluteus_maximus", "longus_colli"):
        a = run_cli(muscle, "--case", str(source), "--format", "json")
        b = run_cli(muscle, "--case", str(shuffled), "--format", "json")
        assert json.loads(a) == json.loads(b)


def test_why_not_names_exactly_the_missing_premises(tiny: Reasoner, tiny_kb: KnowledgeBase
                                                    ) -> None:
    target = Target("glute", "underactive")
    empty = make_case(tiny_kb, {})
    data = why_not(tiny_kb, empty, tiny.evaluate(empty), target)
    assert data["status"] == "not_flagged"
    assert data["missing"] == ["glute_test", "sitting", "tilt"]
    assert data["answered_no"] == []
    some = make_case(tiny_kb, {"tilt": "no", "glute_test": "unknown"})
    data = why_not(tiny_kb, some, tiny.evaluate(some), target)
    assert data["missing"] == ["glute_test", "sitting"]
    assert data["answered_no"] == ["tilt"]
    assert {r["rule"] for r in data["rules"]} == {"pattern.crossed", "ohsa.glute_test"}
    assert [g["relation"] for g in data["graph"]] == ["ant_hip"]


def test_why_not_for_a_flagged_muscle_and_a_referral(tiny: Reasoner, tiny_kb: KnowledgeBase
                                                     ) -> None:
    flagged = make_case(tiny_kb, {"carry": "left"})
    assert why_not(tiny_kb, flagged, tiny.evaluate(flagged),
                   Target("upper_trap", "overactive", "left"))["status"] == "flagged"
    right = why_not(tiny_kb, flagged, tiny.evaluate(flagged),
                    Target("upper_trap", "overactive", "right"))
    assert right["status"] == "other_state_or_side"
    [carry] = [r for r in right["rules"] if r["rule"] == "habit.carry"]
    assert carry["fired"] and carry["other_side"]
    referral = make_case(tiny_kb, {"numb": "yes", "tilt": "yes"})
    assert why_not(tiny_kb, referral, tiny.evaluate(referral),
                   Target("glute"))["status"] == "referral"


def test_counterfactuals_really_clear_the_flag(library: list[Case], real: Reasoner) -> None:
    kb = real.kb
    checked = 0
    for case in library[::4]:
        outcome = real.evaluate(case)
        if not outcome.findings:
            continue
        leaf = kb.expand(outcome.findings[0].muscle)[0]
        data = json.loads(run_cli(leaf, "--case", str(CASES / f"{case.id}.yaml")
                                  if (CASES / f"{case.id}.yaml").exists()
                                  else str(CASES / f"{case.id}.json"), "--format", "json"))
        change = data["findings"][0]["counterfactual"]
        assert change, case.id
        after = real.evaluate(changed(case, kb, {c["observation"]: {"value": c["value"]}
                                                 for c in change}))
        assert not findings_for(kb, after, parse_target(kb, leaf, None, None)), case.id
        checked += 1
    assert checked >= 8


def test_why_not_counterfactual_raises_the_flag(real: Reasoner) -> None:
    path = CASES / "seed_b_groceries_left.yaml"
    data = json.loads(run_cli("upper_trapezius", "--side", "right", "--why-not", "--case",
                              str(path), "--format", "json"))
    change = {c["observation"]: {"value": c["value"]} for c in data["counterfactual"]}
    kb = real.kb
    after = real.evaluate(changed(load_case(path, kb), kb, change))
    assert findings_for(kb, after, Target("upper_trapezius", None, "right"))


def test_dot_picture_parses_and_holds_the_tree() -> None:
    dot = run_cli("psoas_major", "--case", str(CASES / "seed_a_low_back_pain_apt.yaml"),
                  "--format", "dot")
    [graph] = pydot.graph_from_dot_data(dot)
    names = {n.get_name().strip('"') for n in graph.get_nodes()}
    assert {"answer:anterior_pelvic_tilt", "answer:low_back_pain",
            "rule:pattern.lower_crossed_syndrome", "rule:posture.anterior_pelvic_tilt",
            "sign:lower_crossed_syndrome", "group:hip_flexor_complex",
            "finding:hip_flexor_complex"} <= names
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"'))
             for e in graph.get_edges()}
    assert ("answer:anterior_pelvic_tilt", "rule:posture.anterior_pelvic_tilt") in edges


def test_svg_picture_is_well_formed() -> None:
    svg = run_cli("upper_trapezius", "--case", str(CASES / "seed_b_groceries_left.yaml"),
                  "--format", "svg")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    # names in the boxes (the question's plain words), not ids
    assert "Carrying heavy things on one side" in texts
    assert "carry_load_one_hand" not in texts and "habit." not in texts
    # readable on a 1280-pixel screen: that wide, 14-px labels, nothing cut
    assert root.get("width") == "1280" and root.get("font-size") == "14"
    assert "…" not in texts


def _svg_texts(*args: str) -> list[str]:
    root = ET.fromstring(run_cli(*args, "--format", "svg"))
    return [t.text or "" for t in root.iter() if t.tag.endswith("text")]


def test_svg_picture_title_names_the_finding_its_end_box_shows() -> None:
    """Asked about the psoas, seed A flags the hip flexor complex (a group): the title names
    the group, as the finding's box does, and says why."""
    texts = _svg_texts("psoas_major", "--case", str(CASES / "seed_a_low_back_pain_apt.yaml"))
    assert texts[0] == "Why: Hip flexor complex overactive on both sides"
    assert "You asked about Psoas major: the finding is the group it belongs to." in texts
    joined = " ".join(texts)
    assert "Hip flexor complex: overactive on" in joined and "psoas_major" not in joined


def test_svg_picture_has_a_legend_of_the_kinds_it_shows() -> None:
    texts = _svg_texts("psoas_major", "--case", str(CASES / "seed_a_low_back_pain_apt.yaml"))
    for word in ("Boxes", "answer given", "rule", "finding", "Lines", "leads to",
                 "via the group"):
        assert word in texts
    assert "did not hold, or did not fire" not in texts   # only kinds the picture has
    why_not = _svg_texts("upper_trapezius", "--side", "right", "--why-not", "--case",
                         str(CASES / "seed_b_groceries_left.yaml"))
    assert why_not[0] == "Why not: Trapezius, upper (descending) fibres flagged on the right"
    assert "did not hold, or did not fire" in why_not


@pytest.mark.parametrize(("args", "message"), [
    (["psoas_majr"], "unknown muscle id (did you mean 'psoas_major'?)"),
    (["hip_flexor_complex"], "is a group (psoas_major, iliacus, rectus_femoris"),
    (["diaphragm", "--side", "left"], "midline muscle and has no side"),
    (["psoas_major", "--what-if", "anterior_pelvic_tilts=no"],
     "unknown observation id 'anterior_pelvic_tilts' (did you mean 'anterior_pelvic_tilt'?)"),
    (["psoas_major", "--what-if", "anterior_pelvic_tilt=maybe"], "'maybe' is not an answer"),
    (["psoas_major", "--what-if", "anterior_pelvic_tilt=left"], "is not sided"),
])
def test_bad_explain_input(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["explain", *args, "--case",
                                       str(CASES / "seed_a_low_back_pain_apt.yaml")])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_explain_on_the_fixture_kb_names_reasoning_and_anatomy(tmp_path: Path) -> None:
    case = tmp_path / "c.yaml"
    case.write_text("id: c\nanswers: {lean: yes}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "explain", "glute", "--case",
                                       str(case)])
    assert result.exit_code == 0, result.output
    assert "reciprocal inhibition (inferred, weaker) [relation ant_hip]" in result.output
    assert "Anatomy: Hip flexor and Glute oppose each other at the hip: hip flexion vs " \
           "extension." in result.output


def test_graph_queries(real_kb: KnowledgeBase) -> None:
    at_hip = dict(partners(real_kb, "psoas_major", "antagonist", joint="hip"))
    assert "gluteus_maximus" in at_hip
    assert "anterior_tibialis" not in dict(partners(real_kb, "psoas_major", "antagonist"))
    assert partners(real_kb, "soleus", "antagonist", joint="hip") == []
    sentence = anatomical_reason(real_kb, "psoas_major", "gluteus_maximus")
    assert sentence.startswith("Psoas major and Gluteus maximus oppose each other at the hip")
    paths = answer_paths(real_kb, "anterior_pelvic_tilt", "psoas_major")
    assert ["observation:anterior_pelvic_tilt", "sign:lower_crossed_syndrome",
            "group:hip_flexor_complex", "muscle:psoas_major"] in paths


def test_kb_graph_exports(tmp_path: Path) -> None:
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["kb", "graph", "--format", "json"]).output)
    kinds = {n["kind"] for n in data["nodes"]}
    assert {"muscle", "group", "joint", "region"} <= kinds and "observation" not in kinds
    region = json.loads(runner.invoke(main, ["kb", "graph", "--region", "neck", "--format",
                                             "json"]).output)
    muscles = {n["id"] for n in region["nodes"] if n["kind"] == "muscle"}
    assert "muscle:sternocleidomastoid" in muscles and "muscle:soleus" not in muscles
    ruled = json.loads(runner.invoke(main, ["kb", "graph", "--with-rules", "--format",
                                            "json"]).output)
    assert "observation:anterior_pelvic_tilt" in {n["id"] for n in ruled["nodes"]}
    out = tmp_path / "g.svg"
    runner.invoke(main, ["kb", "graph", "--format", "svg", "--out", str(out)])
    assert ET.parse(out).getroot().tag.endswith("svg")
    graphml = runner.invoke(main, ["kb", "graph", "--format", "graphml"]).output
    assert ET.fromstring(graphml.encode()).tag.endswith("graphml")
    [dot] = pydot.graph_from_dot_data(runner.invoke(main, ["kb", "graph"]).output)
    assert len(dot.get_nodes()) > 60
    bad = runner.invoke(main, ["kb", "graph", "--region", "necks"])
    assert bad.exit_code == 1 and "did you mean 'neck'?" in bad.output


def test_run_explains_before_it_recommends() -> None:
    out = CliRunner().invoke(main, ["run", str(CASES / "seed_b_groceries_left.yaml"),
                                    "--format", "json"]).output
    data = json.loads(out)
    for f in data["findings"]:
        assert f["reason"] and f["because"]
    text = CliRunner().invoke(main, ["run", str(CASES / "seed_b_groceries_left.yaml")]).output
    assert text.index("Strongest reason") < text.index("not a diagnosis")


def test_group_ids_are_refused_with_their_members(real_kb: KnowledgeBase) -> None:
    with pytest.raises(InputError) as info:
        parse_target(real_kb, "rotator_cuff", None, None)
    assert "supraspinatus, infraspinatus, teres_minor, subscapularis" in str(info.value)
