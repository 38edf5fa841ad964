"""The command line as a user meets it: output formats, files, exit codes, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from expert.cli import main

from .conftest import CASES, FIXTURE_KB

CASE = "id: demo\ntitle: Demo case\nanswers:\n  tilt: yes\n  carry: left\n"


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), *args], catch_exceptions=False)


def case_file(tmp_path: Path, text: str = CASE) -> Path:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_run_text_shows_findings_reasons_and_disclaimer(tmp_path: Path) -> None:
    result = invoke("run", str(case_file(tmp_path)))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Case demo — Demo case" in out
    assert "Hip flexor" in out and "overactive" in out and "Upper trap" in out
    assert "Is your pelvis tilted" in out and "→ Crossed" in out
    assert "not a diagnosis" in out


def test_run_json_has_the_documented_fields(tmp_path: Path) -> None:
    result = invoke("run", str(case_file(tmp_path)), "--format", "json")
    data = json.loads(result.output)
    assert {"case_id", "kb_version", "referral", "findings", "program"} <= set(data)
    assert data["kb_version"] == "9.9.9" and data["program"] is None
    finding = data["findings"][0]
    assert {"muscle", "state", "side", "certainty", "conflict", "because"} <= set(finding)
    sides = {f["muscle"]: f["side"] for f in data["findings"]}
    assert sides["upper_trap"] == "left" and sides["core_mid"] is None


def test_run_writes_the_report_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = invoke("run", str(case_file(tmp_path)), "--format", "json", "--out", str(out))
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["case_id"] == "demo"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    text_out = tmp_path / "report.txt"
    invoke("run", str(case_file(tmp_path)), "--out", str(text_out))
    assert "\x1b[" not in text_out.read_text() and "Hip flexor" in text_out.read_text()


def test_referral_report(tmp_path: Path) -> None:
    path = case_file(tmp_path, "id: r\nanswers: {numb: yes, tilt: yes}\n")
    data = json.loads(invoke("run", str(path), "--format", "json").output)
    assert data["referral"]["level"] == "emergency" and data["findings"] == []
    text = invoke("run", str(path)).output
    assert "REFERRAL (EMERGENCY)" in text and "Seek emergency care now." in text


def test_bad_case_exits_1_with_one_line_per_problem(tmp_path: Path) -> None:
    path = case_file(tmp_path, "id: c\nanswers:\n  tilts: yes\n  tilt: left\n")
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "run", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith(str(path)) for line in lines)
    assert "Traceback" not in result.output


def test_real_program_no_traceback_and_debug_shows_one(tmp_path: Path) -> None:
    bad = case_file(tmp_path, "id: [")
    cmd = [sys.executable, "-m", "expert", "--kb", str(FIXTURE_KB), "run", str(bad)]
    plain = subprocess.run(cmd, capture_output=True, text=True)
    assert plain.returncode == 1 and "malformed YAML" in plain.stderr
    assert "Traceback" not in plain.stderr and plain.stdout == ""
    debug = subprocess.run([*cmd[:3], "--debug", *cmd[3:]], capture_output=True, text=True)
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_kb_check_clean_fixture() -> None:
    result = invoke("kb", "check")
    assert result.exit_code == 0
    assert "9 rules, 2 red flags" in result.output and "no problems" in result.output


def test_kb_check_reports_every_problem_with_file_entry_field(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, broken)
    rules = broken / "rules" / "fixture.yaml"
    data = yaml.safe_load(rules.read_text())
    data["rules"][0]["conclude"] = [{"sign": "crosed"}]       # unknown sign
    data["rules"][1]["confidence"] = "X"                      # bad value
    data["rules"][2]["conclude"][0]["muscle"] = "hip_flexer"  # unknown muscle
    data["rules"][3]["colour"] = "red"                        # unknown key
    del data["rules"][4]["sources"]                           # missing sources
    data["red_flags"][0]["level"] = "urgent"
    rules.write_text(yaml.safe_dump(data))
    (broken / "facts" / "groups.yaml").write_text(
        "groups:\n  - {id: hamstrings, name: H, members: [hamstrings], sources: [NOPE]}\n")
    result = CliRunner().invoke(main, ["--kb", str(broken), "kb", "check"])
    assert result.exit_code == 1
    out = result.output
    for expected in [
        "posture.tilt: conclude[0]: unknown sign 'crosed' (did you mean 'crossed'?)",
        "habit.sitting: confidence: Input should be",
        "pattern.crossed: conclude[0]: unknown muscle or group 'hip_flexer'",
        "habit.carry: colour: unknown key",
        "ohsa.shrug: sources: required key is missing",
        "level: Input should be 'emergency' or 'refer'",
        "hamstrings: members: group contains itself",
        "hamstrings: sources: unknown source 'NOPE'",
    ]:
        assert expected in out, expected
    assert "rules/fixture.yaml" in out and "facts/groups.yaml" in out


def test_schema_validates_every_shipped_example(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["schema"])
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(CASES.iterdir()):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path.name, errors)
    assert list(validator.iter_errors({"id": "x", "answers": {"low_back_pain": "left"}}))


def test_help_and_version() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0 and "not a diagnosis" in result.output
    assert "0.1.0" in CliRunner().invoke(main, ["--version"]).output


def test_committed_schema_is_current() -> None:
    committed = json.loads((Path(__file__).parent.parent / "docs" / "case.schema.json").read_text())
    generated = json.loads(CliRunner().invoke(main, ["schema"]).output)
    assert committed == generated, "run: imbalance schema --out docs/case.schema.json"
