"""Exercise pictures (expert/pictures/, facts/poses.yaml): every exercise of the real catalogue has
a pose and a valid, self-contained, deterministic SVG that draws a figure inside its frame; the
gallery command writes every picture and an index page; bad pose data is a clear kb check error.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from expert.cli import main
from expert.knowledge import KnowledgeBase, load
from expert.pictures import exercise_svg
from expert.pictures.skeleton import angles

from .conftest import FIXTURE_KB, REPO, TESTS

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r'(?:x1|x2|cx|x)="(-?[\d.]+)"|(?:y1|y2|cy|y)="(-?[\d.]+)"')


def _svg(kb: KnowledgeBase, eid: str) -> ET.Element:
    return ET.fromstring(exercise_svg(kb, eid))


def test_every_exercise_has_a_pose_and_every_pose_an_exercise(real_kb: KnowledgeBase) -> None:
    assert real_kb.exercises
    assert set(real_kb.poses) == set(real_kb.exercises)


def test_every_picture_is_a_valid_self_contained_figure(real_kb: KnowledgeBase) -> None:
    for eid, ex in real_kb.exercises.items():
        text = exercise_svg(real_kb, eid)
        root = ET.fromstring(text)
        assert root.tag == SVG + "svg", eid
        assert root.get("viewBox") == "0 0 240 120", eid
        assert root.get("role") == "img" and ex.name in (root.get("aria-label") or ""), eid
        assert root.findtext(SVG + "title") == ex.name, eid
        # a head (the largest filled dark circle) and limbs: 4 limbs, trunk and neck, per frame
        heads = [c for c in root.iter(SVG + "circle") if c.get("fill") == "#24323f"]
        assert len(heads) == 2, eid
        strokes = [e for e in root if e.tag in (SVG + "line", SVG + "polyline")
                   and e.get("stroke-linecap") == "round"]
        assert len(strokes) >= 12, eid
        outside = text.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http" not in outside and "href" not in outside and "<image" not in text, eid
        assert "<script" not in text and "<style" not in text and " id=" not in text, eid


def test_figures_stay_inside_their_picture(real_kb: KnowledgeBase) -> None:
    """Every drawn coordinate lies in the 240 x 120 view box (pose data that throws a limb
    off the picture, or an implement far away, fails here)."""
    for eid in real_kb.exercises:
        body = exercise_svg(real_kb, eid).split("</title>", 1)[1]
        for x, y in NUMBER.findall(body):
            if x:
                assert -1 <= float(x) <= 241, (eid, x)
            if y:
                assert -1 <= float(y) <= 121, (eid, y)


def test_start_and_end_differ_unless_a_note_says_why(real_kb: KnowledgeBase) -> None:
    for eid, pose in real_kb.poses.items():
        start, _ = angles(real_kb.postures, pose, pose.start)
        end, _ = angles(real_kb.postures, pose, pose.end)
        moved = start != end or pose.start.implements != pose.end.implements
        assert moved or pose.note, f"{eid}: start and end are the same picture; add a note"


def test_width_sets_the_size_and_the_picture_scales(real_kb: KnowledgeBase) -> None:
    root = ET.fromstring(exercise_svg(real_kb, "band_pull_apart", width=300))
    assert (root.get("width"), root.get("height")) == ("300.0", "150.0")
    assert ET.fromstring(exercise_svg(real_kb, "band_pull_apart")).get("width") is None


def test_names_are_escaped(real_kb: KnowledgeBase) -> None:
    ex = real_kb.exercises["clamshell"]
    odd = real_kb.exercises | {"clamshell": ex.model_copy(update={"name": 'A <b> & "c"'})}
    kb = dataclasses.replace(real_kb, exercises=odd)
    root = ET.fromstring(exercise_svg(kb, "clamshell"))
    assert root.findtext(SVG + "title") == 'A <b> & "c"'


def test_unknown_exercise_is_a_key_error(real_kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError, match="no_such"):
        exercise_svg(real_kb, "no_such")


def _program_kb(root: Path) -> Path:
    shutil.copytree(FIXTURE_KB, root)
    for f in (TESTS / "fixtures" / "program").glob("*.yaml"):
        shutil.copy(f, root / "facts" / f.name)
    return root


def test_an_exercise_without_pose_data_gets_a_placeholder(tmp_path: Path) -> None:
    kb = load(_program_kb(tmp_path / "kb"))
    eid = next(iter(kb.exercises))
    root = ET.fromstring(exercise_svg(kb, eid))
    assert root.get("role") == "img" and "no picture yet" in ET.tostring(root, "unicode")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_gallery_command_writes_every_picture_and_an_index(tmp_path: Path,
                                                           real_kb: KnowledgeBase) -> None:
    out = tmp_path / "pictures"
    code, output = _run("kb", "exercises", "--pictures", str(out))
    assert code == 0, output
    assert f"wrote {len(real_kb.exercises)} pictures and index.html" in output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted([f"{e}.svg" for e in real_kb.exercises] + ["index.html"])
    for path in out.glob("*.svg"):
        ET.parse(path)
    index = (out / "index.html").read_text(encoding="utf-8")
    for heading in ("Inhibit", "Lengthen", "Activate", "Integrate"):
        assert f"<h2>{heading}:" in index
    for eid, ex in real_kb.exercises.items():
        assert f'<figure id="{eid}">' in index and f"{ex.phase} · " in index
    assert index.count("<svg ") == len(real_kb.exercises)
    assert real_kb.poses["drawing_in_quadruped"].note in index   # what the picture cannot show
    # phases in order: every inhibit picture comes before the first lengthen one
    assert index.index('id="calf_smr"') < index.index("<h2>Lengthen") < index.index(
        'id="gastrocnemius_stretch"')


def test_gallery_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"p{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "expert", "kb", "exercises", "--pictures",
                        str(out)], check=True, env=env, cwd=REPO, capture_output=True)
        outs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert outs[0] == outs[1]


def test_gallery_into_a_file_or_a_missing_parent_is_a_clear_error(tmp_path: Path) -> None:
    code, output = _run("kb", "exercises", "--pictures", str(tmp_path / "no" / "such"))
    assert code == 1 and "does not exist" in output and "Traceback" not in output
    (tmp_path / "f").write_text("x")
    code, output = _run("kb", "exercises", "--pictures", str(tmp_path / "f"))
    assert code == 2 and "is a file" in output


def test_exercise_list(real_kb: KnowledgeBase) -> None:
    code, output = _run("kb", "exercises", "--phase", "lengthen")
    assert code == 0
    lines = output.splitlines()
    assert len(lines) == sum(e.phase == "lengthen" for e in real_kb.exercises.values())
    assert lines[0].split()[:3] == ["gastrocnemius_stretch", "lengthen", "standing"]


def test_bad_pose_data_is_a_clear_kb_check_error(tmp_path: Path) -> None:
    root = _program_kb(tmp_path / "kb")
    ids = list(load(root).exercises)
    poses = [{"exercise": e, "base": "standing"} for e in ids[1:]]
    poses.append({"exercise": "no_such_exercise", "base": "standing"})
    poses.append({"exercise": ids[1] + "_x", "base": "standin"})
    poses[0]["implements"] = [{"kind": "rocket", "at": "hip"}]
    posture = {"id": "standing", "trunk": 0, "head": 0, "arm": [180, 180],
               "leg": [180, 180, 90]}
    (root / "facts" / "poses.yaml").write_text(
        yaml.safe_dump({"postures": [posture], "poses": poses}), encoding="utf-8")
    code, output = _run("--kb", str(root), "kb", "check")
    assert code == 1
    assert "Traceback" not in output
    assert re.search(rf"exercises.yaml: {ids[0]}: has no pose.*add a pose for {ids[0]}",
                     output)
    assert re.search(r"poses.yaml: no_such_exercise: exercise: unknown exercise", output)
    assert re.search(rf"poses.yaml: {ids[1]}_x: base: unknown posture 'standin'.*standing",
                     output)
    assert re.search(rf"poses.yaml: poses\[0\] {ids[1]}: implements\[0\].kind: Input should "
                     r"be 'roller'", output)


def test_pose_with_both_sides_shorthand_and_a_frame_base(real_kb: KnowledgeBase) -> None:
    pose = real_kb.poses["bodyweight_squat"]
    start, _ = angles(real_kb.postures, pose, pose.start)
    end, _ = angles(real_kb.postures, pose, pose.end)
    assert start["near_arm"] == start["far_arm"] == (200, 60)
    assert end["near_leg"] == tuple(real_kb.postures["squat"].near_leg)
