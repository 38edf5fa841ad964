"""Reassessment: ``imbalance compare`` on the seed story (examples/reassessment: seed case A, then
five weeks later the tilt is gone but the glutes are still underactive), the progressed
programme and its safety, the plain-words sheet, determinism, bad references, and the scripted
story of issue 12 on SQLite and PostgreSQL (``client report`` included)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from expert.cli import main
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.problems import InputError
from expert.program import build_program
from expert.program.progression import Previous
from expert.reassessment.comparison import compare
from expert.reassessment.references import from_file, parse_ref

from .conftest import REPO

STORY = REPO / "examples" / "reassessment"
WEEK0, WEEK5 = STORY / "seed_a_week0.yaml", STORY / "seed_a_week5.yaml"
HIP_FLEXORS = {"psoas_major", "iliacus", "rectus_femoris", "hip_flexor_complex"}


def invoke(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def compared(real: Reasoner, a: Path = WEEK0, b: Path = WEEK5) -> dict[str, Any]:
    return compare(real, from_file(a, real.kb), from_file(b, real.kb))


def items(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["exercise"]: {**i, "phase": p["phase"]}
            for p in data["program"]["phases"] for i in p["items"]}


def muscles(entries: list[dict[str, Any]]) -> set[str]:
    return {e["muscle"] for e in entries}


# -- the seed story ------------------------------------------------------------------------------

def test_resolved_persisting_and_new_findings_of_the_seed_story(real: Reasoner) -> None:
    data = compared(real)
    f = data["findings"]
    assert {"hip_flexor_complex", "erector_spinae", "hamstring_complex",
            "latissimus_dorsi"} <= muscles(f["resolved"])
    assert muscles(f["persisting"]) == {"gluteus_maximus", "gluteus_medius"}
    assert f["new"] == []
    glute = next(e for e in f["persisting"] if e["muscle"] == "gluteus_maximus")
    assert glute["side"] == "both" and glute["state"] == "underactive"
    assert glute["before"] == {"certainty": 0.8, "key": True}
    assert glute["after"]["key"] and glute["after"]["certainty"] < 0.8
    hip = next(e for e in f["resolved"] if e["muscle"] == "hip_flexor_complex")
    assert hip["before"]["key"] and not hip["after"]["key"]   # possible now, not key
    # the tilt going explains the hip flexors resolving, on its own
    assert hip["explained_by"] == ["anterior_pelvic_tilt"]
    tilt = next(a for a in data["answers"] if a["observation"] == "anterior_pelvic_tilt")
    assert (tilt["before"], tilt["after"]) == ("yes", "no")
    assert "resolved: hip_flexor_complex@both overactive" in tilt["explains"]
    assert data["summary"] == {"resolved": len(f["resolved"]), "persisting": 2, "new": 0}


def test_progressed_programme_drops_the_hip_flexor_items_and_progresses_the_glutes(
        real: Reasoner) -> None:
    data = compared(real)
    now = items(data)
    for item in now.values():
        assert not set(item["targets"]) & HIP_FLEXORS, item["exercise"]
    dropped = {d["exercise"]: d for d in data["dropped"]}
    for exercise in ("quadriceps_smr", "kneeling_hip_flexor_stretch"):
        assert "no longer a key finding" in dropped[exercise]["reason"]
        assert "hip_flexor_complex@both" in dropped[exercise]["reason"]
    # the glute activation of the last block carries on, one step harder: the catalogue's
    # first progression of the ball bridge
    bridge = now["ball_bridge"]
    assert bridge["progression"]["status"] == "progressed"
    assert (bridge["progression"]["from_level"], bridge["progression"]["level"]) == (0, 1)
    assert bridge["progression"]["exercise_step"] == \
        real.kb.exercises["ball_bridge"].progressions[0]
    assert bridge["core"]
    # without the last block the glutes would get the floor bridge (the ball bridge's easier
    # version): the reassessment keeps the exercise that was working and moves it on
    week5 = from_file(WEEK5, real.kb).case
    fresh = build_program(real.kb, week5, real.evaluate(week5))
    assert fresh is not None
    assert "ball_bridge" not in {i.exercise for i in fresh.items}
    # an integration item with no catalogue progression takes the next dose step
    lunge = now["reverse_lunge_to_balance"]
    assert lunge["progression"]["dose_step"] == "The top of the range - 3 sets of 15"
    assert lunge["dose"]["sets"] == [3, 3] and lunge["dose"]["reps"] == [15, 15]


def test_the_sheet_says_what_changed_in_the_words_of_the_data(real: Reasoner) -> None:
    data = compared(real)
    words = real.kb.questions["anterior_pelvic_tilt"].changed
    assert words is not None
    sheet = data["sheet"]
    assert any(line.lower().startswith(words.gone.lower()[:30]) for line in sheet["changes"])
    assert any("hip flexors" in line and "no longer" in line for line in sheet["meaning"])
    assert any("glutes" in line and "still" in line for line in sheet["meaning"])
    assert "dropped" in sheet["plan"] and "one step harder" in sheet["plan"]


def test_a_finding_that_got_worse_steps_its_item_back(real: Reasoner, tmp_path: Path) -> None:
    worse = yaml.safe_load(WEEK0.read_text(encoding="utf-8"))
    worse["id"] = "worse"
    worse["answers"]["knees_move_inward"] = "both"   # glutes 0.80 -> 0.96
    path = tmp_path / "worse.yaml"
    path.write_text(yaml.safe_dump(worse), encoding="utf-8")
    now = items(compared(real, WEEK0, path))
    bridge = now["ball_bridge"]["progression"]
    assert bridge["status"] == "regressed" and bridge["level"] == -1
    assert bridge["exercise_step"] == real.kb.exercises["ball_bridge"].regressions[0]


def test_steps_continue_from_the_level_the_last_block_reached(real: Reasoner) -> None:
    a, b = from_file(WEEK0, real.kb), from_file(WEEK5, real.kb)
    out_a, out_b = real.evaluate(a.case), real.evaluate(b.case)
    last = build_program(real.kb, a.case, out_a)
    assert last is not None
    program = last.to_data()
    for phase in program["phases"]:
        for item in phase["items"]:
            item["progression"] = {"level": 1}
    progressed = build_program(real.kb, b.case, out_b,
                               previous=Previous.of(real.kb, program, out_a, out_b))
    assert progressed is not None
    bridge = next(i for i in progressed.items if i.exercise == "ball_bridge")
    assert bridge.progression is not None and bridge.progression["level"] == 2
    # one catalogue progression, then the first activation dose step: 2 sets of 15
    assert bridge.progression["dose_step"] == "The top of the range - 2 sets of 15"
    assert bridge.dose.sets == (2, 2) and bridge.dose.reps == (15, 15)


def _safe(kb: KnowledgeBase, data: dict[str, Any], outcome: Any) -> None:
    """The safety properties of docs/program.md, on a progressed programme."""
    found: dict[tuple[str, str | None], set[str]] = {}
    for f in outcome.findings:
        for m in kb.expand(f.muscle):
            for side in (("left", "right") if f.side == "both" else (f.side,)):
                found.setdefault((m, side), set()).add(f.state)
    for phase in data["program"]["phases"]:
        for item in phase["items"]:
            ex = kb.exercises[item["exercise"]]
            leaves = {leaf for t in ex.targets for leaf in kb.expand(t)}
            bad = "underactive" if phase["phase"] in ("inhibit", "lengthen") else \
                "overactive" if phase["phase"] == "activate" else None
            if bad is None:
                continue
            sides = ([item["side"]] if item["side"] in ("left", "right") else
                     ["left", "right", None])
            for leaf in leaves:
                for side in sides:
                    assert bad not in found.get((leaf, side), set()), (item["exercise"], leaf)


@pytest.mark.parametrize("condition", [None, "fall_risk", "pregnancy"])
def test_the_progressed_programme_keeps_every_safety_rule(real: Reasoner, tmp_path: Path,
                                                          condition: str | None) -> None:
    b = yaml.safe_load(WEEK5.read_text(encoding="utf-8"))
    if condition:
        b["answers"][condition] = "yes"
        if condition == "pregnancy":
            b["subject"] = {**b["subject"], "sex": "female", "pregnancy_weeks": 20}
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(b), encoding="utf-8")
    data = compared(real, WEEK0, path)
    case_b = from_file(path, real.kb).case
    _safe(real.kb, data, real.evaluate(case_b))
    for item in items(data).values():
        ex = real.kb.exercises[item["exercise"]]
        if condition == "fall_risk":
            assert not {"single_leg", "lunge"} & set(ex.features), ex.id
        if condition == "pregnancy":
            assert ex.position not in ("supine", "prone"), ex.id
        if condition:   # catalogue progressions are words no safety rule can check
            assert (item.get("progression") or {}).get("exercise_step") is None or \
                item["progression"]["status"] == "regressed", ex.id


# -- determinism and formats -------------------------------------------------------------------

def test_same_output_whatever_the_order_of_the_answers(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    for path in (WEEK0, WEEK5):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["answers"] = dict(reversed(list(data["answers"].items())))
        (tmp_path / path.name).write_text(yaml.safe_dump(data, sort_keys=False),
                                          encoding="utf-8")
    names = (WEEK0.name, WEEK5.name)
    for fmt in ("json", "text", "markdown", "html"):
        monkeypatch.chdir(STORY)
        one = invoke("compare", *names, "--format", fmt)
        monkeypatch.chdir(tmp_path)
        two = invoke("compare", *names, "--format", fmt)
        assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
        assert one.output == two.output


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr" and a.get("data-exercise"):
            self.rows.append((a["data-exercise"] or "", a.get("data-status") or ""))


def test_html_and_markdown_sheets(tmp_path: Path) -> None:
    out = tmp_path / "sheet.html"
    result = invoke("compare", str(WEEK0), str(WEEK5), "--format", "html", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    parser = _Rows()
    parser.feed(page)
    rows = dict(parser.rows)
    assert rows["ball_bridge"] == "progressed" and rows["kneeling_hip_flexor_stretch"] == \
        "dropped"
    assert "What changed since last time" in page and "not a diagnosis" in page
    md = invoke("compare", str(WEEK0), str(WEEK5), "--format", "markdown").output
    assert "## Progressed programme" in md and "| Activate | Ball bridge" in md
    text = invoke("compare", str(WEEK0), str(WEEK5)).output
    assert "Findings: " in text and "Dropped from the last block" in text


def test_html_escapes_text_from_the_case(tmp_path: Path) -> None:
    data = yaml.safe_load(WEEK5.read_text(encoding="utf-8"))
    data["title"] = "<script>alert(1)</script>"
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    page = invoke("compare", str(WEEK0), str(path), "--format", "html").output
    assert "<script>" not in page and "&lt;script&gt;" in page


# -- bad references ----------------------------------------------------------------------------

@pytest.mark.parametrize("ref, says", [
    ("client:1", "says which client but not which assessment"),
    ("client:1@soon", "'soon' is not an assessment number, latest or previous"),
    ("client:@latest", "names no client"),
    ("client:1@0", "is not an assessment number"),
])
def test_bad_references_are_named_with_how_to_write_them(ref: str, says: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_ref(ref)
    assert says in str(caught.value)
    result = invoke("compare", ref, str(WEEK5))
    assert result.exit_code == 1 and says in result.output and "Traceback" not in result.output


def test_a_missing_case_file_is_a_clear_error(tmp_path: Path) -> None:
    result = invoke("compare", str(tmp_path / "nope.yaml"), str(WEEK5))
    assert result.exit_code == 1 and "nope.yaml" in result.output


def test_refuses_to_write_over_an_input(tmp_path: Path) -> None:
    copy = tmp_path / "a.yaml"
    copy.write_text(WEEK0.read_text(encoding="utf-8"), encoding="utf-8")
    before = copy.read_text(encoding="utf-8")
    result = invoke("compare", str(copy), str(WEEK5), "--out", str(copy))
    assert result.exit_code == 1 and copy.read_text(encoding="utf-8") == before


# -- the scripted story of issue 12, on both back-ends ------------------------------------------

def test_the_reassessment_story_on_the_store(store_url: str, tmp_path: Path) -> None:
    db = ("--db", store_url)
    added = invoke("client", "add", "Seed A", "--birth-year", "1988", "--sex", "male", *db)
    assert added.exit_code == 0, added.output
    client = re.findall(r"^(\d+)$", added.output, re.M)[0]
    for case in (WEEK0, WEEK5):
        stored = invoke("run", str(case), "--client", client, *db, "--format", "json")
        assert stored.exit_code == 0, stored.output
    # bad references against the store
    for ref, says in ((f"client:{client}@9", "no assessment 9"),
                      ("client:99@latest", "99")):
        bad = invoke("compare", ref, f"client:{client}@latest", *db)
        assert bad.exit_code == 1 and says in bad.output, bad.output
    result = invoke("compare", f"client:{client}@previous", f"client:{client}@latest", *db,
                    "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["before"]["label"] == f"client:{client}@1"
    assert data["after"]["date"] == "2026-02-09"
    assert "hip_flexor_complex" in muscles(data["findings"]["resolved"])
    assert muscles(data["findings"]["persisting"]) == {"gluteus_maximus", "gluteus_medius"}
    assert items(data)["ball_bridge"]["progression"]["status"] == "progressed"
    # run --client stored the reassessment's programme progressed from the last block, so the
    # stored programme and the comparison agree
    export = json.loads(invoke("client", "export", client, *db).output)
    stored = export["assessments"][1]["program"]
    assert {i["exercise"] for p in stored["phases"] for i in p["items"]} == set(items(data))
    # the progress report renders, with its chart
    out = tmp_path / "progress.html"
    report = invoke("client", "report", client, *db, "--out", str(out))
    assert report.exit_code == 0, report.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 1 and "<script" not in page
    assert "Certainty (0 to 1)" in page and "Assessment (number and date)" in page
    assert "#1 2026-01-05" in page and "#2 2026-02-09" in page
    assert 'data-findings="gluteus_maximus@both underactive' in page
    deleted = invoke("client", "delete", client, "--yes", *db)
    assert deleted.exit_code == 0, deleted.output
    gone = invoke("compare", f"client:{client}@previous", f"client:{client}@latest", *db)
    assert gone.exit_code == 1


def test_same_bytes_whatever_the_hash_seed() -> None:
    outputs = set()
    for seed in ("0", "1", "4242"):
        done = subprocess.run([sys.executable, "-m", "expert", "compare", str(WEEK0),
                               str(WEEK5), "--format", "json"], capture_output=True,
                              text=True, env={**os.environ, "PYTHONHASHSEED": seed},
                              cwd=REPO, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_every_observation_a_sheet_can_mention_has_plain_words(real_kb: KnowledgeBase) -> None:
    missing = [q.id for q in real_kb.questions.values()
               if q.category not in ("red_flag", "condition") and q.changed is None]
    assert missing == []


def test_a_reassessment_that_refers_compares_no_findings_and_drops_the_block(
        real: Reasoner, tmp_path: Path) -> None:
    path = tmp_path / "refers.yaml"
    path.write_text("id: refers\nanswers:\n  low_back_pain: yes\n  saddle_numbness: yes\n",
                    encoding="utf-8")
    data = compared(real, WEEK0, path)
    assert data["after"]["referral"] == "emergency" and data["program"] is None
    assert data["summary"] == {"resolved": 0, "persisting": 0, "new": 0} and data["note"]
    assert {d["exercise"] for d in data["dropped"]} >= {"ball_bridge", "quadriceps_smr"}
    assert "health professional" in data["sheet"]["plan"]
    assert not any("no longer look" in line for line in data["sheet"]["meaning"])


def test_progress_report_of_a_client_without_assessments(store_url: str) -> None:
    db = ("--db", store_url)
    client = invoke("client", "add", "Nobody yet", *db).output.split()[0]
    page = invoke("client", "report", client, *db).output
    assert "No key finding in any assessment." in page and "0 assessments" in page
    unknown = invoke("client", "report", "Nobody", *db)
    assert unknown.exit_code == 1 and "Nobody" in unknown.output
