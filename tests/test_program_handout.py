"""The programme as a user meets it on the command line: `imbalance run` shows findings, then
the programme; `--format json` fills `program`; `--format markdown|html` prints a one-page
handout (valid HTML with every programme item), to stdout or atomically to `--out`; dates only
from `--start`; the same input always gives the same bytes."""

from __future__ import annotations

import html
import json
import os
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from expert.cli import main

from .conftest import CASES, REPO

SEED_A = str(CASES / "seed_a_low_back_pain_apt.yaml")
SEED_B = str(CASES / "seed_b_groceries_left.yaml")
OSTEO = str(CASES / "condition_osteoporosis_apt.yaml")
REFERRAL = str(CASES / "red_flag_cauda_equina.yaml")
VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr"}


def invoke(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def report(case: str, *extra: str) -> dict[str, Any]:
    result = invoke("run", case, "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


class Page(HTMLParser):
    """Checks nesting and collects what a test needs: program rows and all text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.rows: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.ids: set[str] = set()
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "tr" and a.get("data-exercise"):
            self.rows.append((str(a["data-phase"]), str(a["data-exercise"])))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> Page:
    p = Page()
    p.feed(page)
    p.close()
    assert p.doctype.lower() == "doctype html"
    assert not p.errors and not p.stack, (p.errors, p.stack)
    return p


def test_json_fills_program_with_phases_removed_and_schedule() -> None:
    data = report(OSTEO)
    program = data["program"]
    assert [ph["phase"] for ph in program["phases"]] == ["inhibit", "lengthen", "activate",
                                                         "integrate"]
    item = program["phases"][1]["items"][0]
    assert {"exercise", "name", "targets", "side", "dose"} <= set(item)
    assert item["dose"]["text"] and item["dose"]["variant"] == "nasm"
    assert {"exercise", "reason"} <= set(program["removed"][0])
    assert program["schedule"]["weeks"] == 4 and program["schedule"]["reassess"]["week"] == 5
    assert program["schedule"]["start"] is None
    assert "not a diagnosis" in program["disclaimer"]


def test_a_referral_has_no_programme_only_the_referral() -> None:
    data = report(REFERRAL)
    assert data["program"] is None and data["referral"]["level"] == "emergency"
    page = invoke("run", REFERRAL, "--format", "html", "--audience", "trainer").output
    p = parse(page)
    assert "referral" in p.ids and "program" not in p.ids and not p.rows
    assert data["referral"]["message"] in html.unescape(page)


def test_text_output_shows_findings_then_the_programme(tmp_path: Path) -> None:
    invoke("run", SEED_B, "--detail", "--out", str(tmp_path / "report.txt"))
    out = (tmp_path / "report.txt").read_text(encoding="utf-8")
    findings, programme, disclaimer = (out.index("Key findings"),
                                       out.index("Corrective programme"),
                                       out.index("not a diagnosis"))
    assert findings < out.index("Possible findings") < programme < out.index("Core: ")
    # the levator scapulae is only a possible finding: listed, but given no stretch
    assert "Levator scapulae:" in out and "Levator scapulae stretch" not in out
    assert "Scapular pull-down" in out
    assert "(instead of" in out and "Thoracic spine roll" in out   # no foam roller
    assert programme < disclaimer


@pytest.mark.parametrize("case", [SEED_A, SEED_B, OSTEO])
def test_html_handout_is_valid_and_holds_every_item(case: str, tmp_path: Path) -> None:
    out = tmp_path / "handout.html"
    result = invoke("run", case, "--format", "html", "--audience", "trainer", "--out", str(out))
    assert result.exit_code == 0 and result.output == ""
    page = out.read_text(encoding="utf-8")
    p = parse(page)
    program = report(case)["program"]
    rows = [(ph["phase"], i) for ph in program["phases"] for i in ph["items"]]
    # the core's rows, then the extras', each in session order
    assert p.rows == ([(ph, i["exercise"]) for ph, i in rows if i["core"]]
                      + [(ph, i["exercise"]) for ph, i in rows if not i["core"]])
    text = " ".join(p.text)
    for ph in program["phases"]:
        for item in ph["items"]:
            assert item["name"] in text and item["dose"]["text"] in text
    for finding in report(case)["findings"]:   # possible findings are listed without reasons
        assert finding["name"] in text and (finding["reason"] in text or not finding["key"])
    assert program["disclaimer"] in text
    assert [f.name for f in tmp_path.iterdir()] == ["handout.html"]   # written atomically


def test_markdown_handout_lists_findings_items_and_dated_schedule() -> None:
    result = invoke("run", SEED_A, "--format", "markdown", "--audience", "trainer",
                    "--start", "2025-03-03")
    assert result.exit_code == 0
    md = result.output
    assert md.startswith("# Trainer's report")
    assert "| Phase | Exercise | Side | Dose | Min | How | Works |" in md
    program = report(SEED_A, "--start", "2025-03-03")["program"]
    for ph in program["phases"]:
        for item in ph["items"]:
            assert item["name"] in md
    assert "2025-03-03 to 2025-03-09" in md and "Reassess in week 5 (2025-03-31)" in md
    assert "not a diagnosis" in md


def test_html_escapes_text_from_the_case(tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("id: x\ntitle: '<script>alert(1)</script> & co'\n"
                    "answers: {anterior_pelvic_tilt: yes}\n", encoding="utf-8")
    page = invoke("run", str(case), "--format", "html", "--audience", "trainer").output
    assert "<script>" not in page and "&lt;script&gt;" in page
    parse(page)


def test_a_bad_start_date_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["run", SEED_A, "--start", "03/03/2025"])
    assert result.exit_code == 2 and "'--start'" in result.output
    assert "%Y-%m-%d" in result.output


def test_same_input_same_bytes_whatever_the_hash_seed() -> None:
    outputs = set()
    for seed in ("1", "2"):
        for fmt in ("json", "html"):
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = subprocess.run([sys.executable, "-m", "expert", "run", SEED_A, "--format", fmt],
                                  capture_output=True, env=env, cwd=REPO, check=True)
            outputs.add((fmt, done.stdout))
    assert len(outputs) == 2


def test_wheel_ships_the_handout_templates(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"expert/templates/handout.html.j2", "expert/templates/handout.md.j2",
            "expert/_kb/facts/exercises.yaml", "expert/_kb/facts/doses.yaml",
            "expert/_kb/facts/safety.yaml"} <= names
