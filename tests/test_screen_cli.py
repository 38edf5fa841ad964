"""The safety screen as a user meets it: every output of ``run`` (text, JSON, Markdown, HTML) and
of ``batch`` (JSON Lines, CSV, the HTML and Markdown reports) says which safety questions are
still open and how to answer them, and withholds the programme; a referral still wins; and
``red_flags: none`` with a red flag is bad input with a one-line error."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from expert.cli import main

from .conftest import CASES, FIXTURE_KB

OPEN = "id: demo\nanswers:\n  tilt: yes\n"  # the fixture's red-flag question numb unanswered
SCREENED = "id: demo\nred_flags: none\nanswers:\n  tilt: yes\n"
SEED_OPEN = CASES / "screen_open_low_back_pain_apt.yaml"
SEED_A = CASES / "seed_a_low_back_pain_apt.yaml"


def invoke(*args: str, kb: Path | None = FIXTURE_KB) -> Result:
    prefix = ["--kb", str(kb)] if kb else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def case_file(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_run_text_names_the_open_questions_and_how_to_answer(tmp_path: Path) -> None:
    out = invoke("run", str(case_file(tmp_path, OPEN))).output
    assert "Safety screen incomplete" in out and "withheld" in out
    assert "numb: Any numbness in the saddle area?" in out
    assert 'add "numb: no" (or yes) under answers' in out
    assert "Hip flexor" in out  # the findings are still reported
    done = invoke("run", str(case_file(tmp_path, SCREENED))).output
    assert "Safety screen" not in done and "Hip flexor" in done


def test_run_json_has_the_screen(tmp_path: Path) -> None:
    data = json.loads(invoke("run", str(case_file(tmp_path, OPEN)), "--format", "json").output)
    screen = data["screen"]
    assert screen["complete"] is False and screen["red_flags_none"] is False
    assert [q["id"] for q in screen["open"]] == ["numb"]
    assert set(screen["open"][0]) == {"id", "question", "how"}
    assert data["findings"] and data["program"] is None
    done = json.loads(invoke("run", str(case_file(tmp_path, SCREENED)), "--format",
                             "json").output)["screen"]
    assert done == {"complete": True, "red_flags_none": True, "open": [], "message": ""}


def test_real_kb_withholds_the_programme_until_the_screen_is_complete() -> None:
    opened = json.loads(invoke("run", str(SEED_OPEN), "--format", "json", kb=None).output)
    screened = json.loads(invoke("run", str(SEED_A), "--format", "json", kb=None).output)
    assert opened["program"] is None and screened["program"] is not None
    assert opened["findings"] == screened["findings"]
    ids = [q["id"] for q in opened["screen"]["open"]]
    # low back pain is yes: the history flags are open too; at 38 the age rule cannot fire,
    # so whether the pain is new does not matter
    assert {"saddle_numbness", "chest_pain", "history_of_cancer"} <= set(ids)
    assert "pain_is_new" not in ids and "age" not in ids and len(ids) == len(set(ids))


def test_handouts_say_the_programme_is_withheld_and_list_the_questions() -> None:
    md = invoke("run", str(SEED_OPEN), "--format", "markdown", "--audience", "trainer",
                kb=None).output
    assert "## Programme withheld: safety questions still open" in md
    assert "Have you ever had cancer, even a long time ago?" in md
    assert "## Key findings" in md and "## Programme\n" not in md
    html = invoke("run", str(SEED_OPEN), "--format", "html", "--audience", "trainer",
                  kb=None).output
    assert '<section id="screen">' in html and 'id="program"' not in html
    assert "Have you ever had cancer, even a long time ago?" in html
    for fmt in ("markdown", "html"):
        assert "withheld" not in invoke("run", str(SEED_A), "--format", fmt, "--audience",
                                       "trainer", kb=None).output


def test_a_referral_wins_over_an_open_screen(tmp_path: Path) -> None:
    path = case_file(tmp_path, "id: r\nanswers: {tilt: yes, back_pain: yes}\nsubject: {age: 70}\n")
    data = json.loads(invoke("run", str(path), "--format", "json").output)
    assert data["referral"]["level"] == "refer" and data["program"] is None
    text = invoke("run", str(path)).output
    assert "REFERRAL (REFER)" in text and "Safety screen incomplete" not in text


def test_red_flags_none_with_a_red_flag_is_a_one_line_error(tmp_path: Path) -> None:
    path = case_file(tmp_path, "id: c\nred_flags: none\nanswers: {numb: yes, tilt: yes}\n")
    result = CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "run", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"{path}: red_flags")
    assert "numb: yes" in line and "red_flag.numb" in line and "remove red_flags: none" in line


def _batch_folder(tmp_path: Path) -> Path:
    tmp_path.mkdir()
    case_file(tmp_path, OPEN, "a_open.yaml")
    case_file(tmp_path, SCREENED.replace("demo", "b_done"), "b_done.yaml")
    case_file(tmp_path, "id: c_ref\nanswers: {numb: yes}\n", "c_ref.yaml")
    return tmp_path


def _records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def test_batch_records_carry_the_screen(tmp_path: Path) -> None:
    folder = _batch_folder(tmp_path / "cases")
    result = invoke("batch", str(folder), "--jobs", "1")
    recs = {r["case_id"]: r for r in _records(result.stdout)}
    assert recs["demo"]["screen"] == {"complete": False, "open": ["numb"]}
    assert recs["b_done"]["screen"] == {"complete": True, "open": []}
    rows = list(csv.DictReader(io.StringIO(
        invoke("batch", str(folder), "--jobs", "1", "--format", "csv").stdout)))
    by_case = {r["case_id"]: r for r in rows}
    assert by_case["demo"]["screen_open"] == "numb" and by_case["b_done"]["screen_open"] == ""


def test_batch_summary_and_reports_count_cases_with_the_screen_open(tmp_path: Path) -> None:
    folder = _batch_folder(tmp_path / "cases")
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    result = invoke("batch", str(folder), "--jobs", "1", "--out", str(tmp_path / "out.jsonl"),
                    "--report", str(md))
    # the referred case does not count: only cases whose programme is withheld
    assert "safety screen: 1 case without a referral left safety questions open" in \
        result.stderr
    text = md.read_text(encoding="utf-8")
    assert "**1 case without a referral left safety questions open, so its programme is " \
           "withheld**" in text and "`numb` (1)" in text
    invoke("batch", str(folder), "--jobs", "1", "--out", str(tmp_path / "o.jsonl"),
           "--report", str(html))
    page = html.read_text(encoding="utf-8")
    assert "Safety screen open" in page and "<code>numb</code> (1)" in page
