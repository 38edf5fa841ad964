"""The client sheet (`imbalance run CASE --format html|markdown|pdf`, the default audience): one
A4 portrait page a client can follow plus a weekly log, for every case of the library; plain
words only (no ids, no certainties, no rule names); the trainer's report keeps the detail; PDF
through WeasyPrint; the case fields client, trainer and date."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from expert.case import load_case
from expert.cli import main
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.program import build_program
from expert.program.documents import render
from expert.program.wording import dose_words, found_groups, sessions_per_week
from expert.report import to_data

from .conftest import CASES

SEED_A = CASES / "seed_a_low_back_pain_apt.yaml"
SEED_B = CASES / "seed_b_groceries_left.yaml"
DESK = CASES / "combined_desk_worker_crossed.yaml"
LIBRARY = sorted(p for p in CASES.iterdir() if p.suffix in (".yaml", ".json"))
# what must never reach a client: ids (snake_case), certainties as decimals, rule names
ID = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
DECIMAL = re.compile(r"\b\d+\.\d+\b")
RULE = re.compile(r"\b(?:red_flag|rule|ohsa|sls)\.[a-z_]+|\brules?\b(?! out)|certaint", re.I)


class Sheet:
    def __init__(self, data: dict[str, Any], html: str, pdf: bytes) -> None:
        self.data, self.html, self.pdf = data, html, pdf
        self.reader = PdfReader(io.BytesIO(pdf))
        self._text: dict[int, str] = {}

    @property
    def core(self) -> list[dict[str, Any]]:
        return [i for ph in (self.data["program"] or {}).get("phases", []) for i in ph["items"]
                if i["core"]]

    @property
    def words(self) -> str:
        """What the reader sees in the HTML: no markup, style or pictures."""
        text = re.sub(r"<(style|svg)\b.*?</\1>", " ", self.html, flags=re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", text).split())

    def pdf_text(self, page: int) -> str:
        if page not in self._text:
            if shutil.which("pdftotext"):    # poppler's is fast; pypdf's is the fallback
                text = subprocess.run(["pdftotext", "-f", str(page + 1), "-l", str(page + 1),
                                       "-", "-"], input=self.pdf, capture_output=True,
                                      check=True).stdout.decode()
            else:
                text = self.reader.pages[page].extract_text()
            self._text[page] = " ".join(text.split())
        return self._text[page]


def _report(kb: KnowledgeBase, reasoner: Reasoner, path: Path) -> tuple[Any, dict[str, Any]]:
    case = load_case(path, kb)
    outcome = reasoner.evaluate(case)
    program = build_program(kb, case, outcome)
    return case, to_data(case, kb, outcome, program.to_data() if program else None)


@pytest.fixture(scope="session")
def sheets(real_kb: KnowledgeBase, real: Reasoner) -> dict[str, Sheet]:
    """Every library case's client sheet, as HTML and PDF, rendered once per session."""
    out = {}
    for path in LIBRARY:
        case, data = _report(real_kb, real, path)
        html = render(real_kb, case.answers, data, "html")
        pdf = render(real_kb, case.answers, data, "pdf")
        assert isinstance(html, str) and isinstance(pdf, bytes)
        out[path.name] = Sheet(data, html, pdf)
    return out


def test_every_sheet_with_a_programme_is_one_page_and_the_log(sheets: dict[str, Sheet]) -> None:
    with_core = [name for name, s in sheets.items() if s.core]
    assert {SEED_A.name, SEED_B.name, DESK.name} <= set(with_core) and len(with_core) >= 30
    for name, sheet in sheets.items():
        pages = len(sheet.reader.pages)
        assert pages == (2 if sheet.core else 1), (name, pages)
        if sheet.core:
            assert "Your log" in sheet.pdf_text(1) and "Your log" not in sheet.pdf_text(0), name
            assert "When to stop" in sheet.pdf_text(0) and "not a diagnosis" in sheet.pdf_text(0)


def test_every_core_exercise_is_on_page_one_with_its_picture(sheets: dict[str, Sheet]) -> None:
    for name, sheet in sheets.items():
        if not sheet.core:
            continue
        page_one = sheet.pdf_text(0)
        for item in sheet.core:
            # names may wrap in the PDF text; compare without spaces
            assert item["name"].replace(" ", "") in page_one.replace(" ", ""), (name, item)
            assert f'aria-label="{item["name"]}' in sheet.html, (name, item["name"])
        assert sheet.html.count("<svg") == len(sheet.core), name
        # the pictures are drawn as vector forms on page one, never as raster images
        xobjects = sheet.reader.pages[0]["/Resources"].get("/XObject") or {}
        kinds = [xobjects[k].get_object().get("/Subtype") for k in xobjects]
        assert kinds.count("/Form") >= len(sheet.core) and "/Image" not in kinds, name


def _printed_pictures(html: str) -> list[tuple[float, float]]:
    """The width and height (CSS px, 96 to the inch) of each picture as page one prints it."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    def boxes(box: Any) -> Any:
        yield box
        for child in getattr(box, "children", None) or []:
            yield from boxes(child)
    page = HTML(string=html).render().pages[0]._page_box
    return [(b.width, b.height) for b in boxes(page)
            if str(getattr(b, "element_tag", "")).endswith("svg")]


@pytest.mark.parametrize("case", [SEED_A, SEED_B, DESK,
                                  CASES / "condition_pregnancy_12_weeks_apt.yaml"])
def test_pictures_print_large_enough_to_read(sheets: dict[str, Sheet], case: Path) -> None:
    # 120 px wide they were stick figures of a few millimetres with 5-px "start"/"end" labels;
    # about 190 px (50 mm) the figure and its labels read at arm's length
    sheet = sheets[case.name]
    printed = _printed_pictures(sheet.html)
    assert len(printed) == len(sheet.core)
    labels = [float(x) for x in re.findall(r'<text [^>]*font-size="([\d.]+)"[^>]*>start<',
                                           sheet.html)]
    assert len(labels) == len(sheet.core)
    for (width, height), label in zip(printed, labels, strict=True):
        assert width >= 185 and abs(height - width / 2) < 1, (case.name, width, height)
        # the label's printed size in points: view-box units scaled to the printed width
        assert label * width / 240 * 0.75 >= 6.5, (case.name, label, width)


def test_no_ids_decimals_or_rule_names_reach_the_client(sheets: dict[str, Sheet]) -> None:
    for name, sheet in sheets.items():
        words = sheet.words
        assert not ID.findall(words), (name, ID.findall(words)[:5])
        assert not DECIMAL.findall(words), (name, DECIMAL.findall(words)[:5])
        assert not RULE.findall(words), (name, RULE.findall(words)[:5])
        assert "—" not in words, name


def test_the_trainer_report_keeps_the_detail(real_kb: KnowledgeBase, real: Reasoner) -> None:
    case, data = _report(real_kb, real, SEED_A)
    trainer = render(real_kb, case.answers, data, "html", "trainer")
    assert isinstance(trainer, str)
    words = re.sub(r"<[^>]+>", " ", trainer)
    # the checks above would catch it: certainties, reasons, removed items and extras are there
    assert DECIMAL.findall(words) and "Key findings" in words and "Extras if you have time" in words
    for f in data["findings"]:
        assert f["name"] in words
    for item in (i for ph in data["program"]["phases"] for i in ph["items"]):
        assert item["name"] in words and item["dose"]["text"] in words


def test_seed_a_says_what_was_found_in_plain_words(sheets: dict[str, Sheet]) -> None:
    words = sheets[SEED_A.name].words
    assert ("What we found: Your lower-back muscles, hip flexors and broad back muscles seem to "
            "be doing too much, and your glutes, deep core muscles and hamstrings too little."
            ) in words
    # the dose in words, the cues, the easier version; the habit advice for sitting
    assert "Kneeling hip flexor stretch Hold 30 seconds, 1 to 3 times, each side." in words
    assert "Easier: Standing hip flexor stretch" in words
    assert "In daily life: Get up from the desk or the car seat often" in words
    assert "Stop if it hurts" in words


def test_seed_b_names_the_side_and_the_carrying_advice(sheets: dict[str, Sheet]) -> None:
    words = sheets[SEED_B.name].words
    assert ("Your left upper-shoulder muscles seem to be doing too much, and your left "
            "lower shoulder-blade muscles too little.") in words
    assert "left side only" in words
    assert "Share the load between both hands, switch hands often" in words
    assert "Get up from the desk" not in words        # advice only for the habits reported


def test_the_log_has_four_weeks_of_sessions_a_score_and_the_reassessment(
        sheets: dict[str, Sheet]) -> None:
    sheet = sheets[SEED_A.name]
    log = sheet.html[sheet.html.index('id="log"'):]
    assert log.count('<tr data-week=') == 4
    assert log.count('class="box"') == 4 * 5 and log.count('class="score"') == 4
    assert "Score 0 to 10" in log and "Check-up with your trainer: week 5" in log


def test_a_referral_sheet_is_one_page_of_what_to_do(sheets: dict[str, Sheet]) -> None:
    sheet = sheets["red_flag_cauda_equina.yaml"]
    assert sheet.data["referral"]["message"] in sheet.pdf_text(0).replace("\n", " ") or \
        "Go to A&E" in sheet.pdf_text(0)
    assert "Please see a health professional" in sheet.words and "What to do" in sheet.words
    assert "<svg" not in sheet.html and "Your exercises" not in sheet.words


def test_an_open_screen_sheet_lists_the_questions_and_no_programme(
        sheets: dict[str, Sheet]) -> None:
    sheet = sheets["screen_open_low_back_pain_apt.yaml"]
    assert "Your exercise plan is on hold" in sheet.words
    for q in sheet.data["screen"]["open"]:
        assert q["question"] in sheet.words
    assert "under answers" not in sheet.words and "Your exercises:" not in sheet.words


def test_type_is_eleven_points_or_larger() -> None:
    from expert.program.handout import environment
    style = environment().loader.get_source(environment(), "sheet.html.j2")[0]
    sizes = [float(x) for x in re.findall(r"font(?:-size)?:\s*(?:[a-z ]*?)(\d+(?:\.\d+)?)pt",
                                          style)]
    assert sizes and min(sizes) >= 11


def test_dose_in_words() -> None:
    def item(side: str | None = "both", bilateral: bool = False, **dose: Any) -> dict[str, Any]:
        return {"side": side, "bilateral": bilateral, "dose": dose}
    assert dose_words(item(sets=[1, 3], hold_s=[30, 30])) == \
        "Hold 30 seconds, 1 to 3 times, each side."
    assert dose_words(item("left", sets=[1, 1], hold_s=[30, 60])) == \
        "Hold 30 to 60 seconds, once, left side only."
    assert dose_words(item(None, True, sets=[1, 2], reps=[10, 15], tempo="4-2-1")) == \
        "10 to 15 times, slowly (lower over 4 seconds, pause 2, lift in 1); 1 to 2 sets."
    assert dose_words(item(None, True, sets=[1, 2], reps=[10, 10], hold_s=[10, 10])) == \
        "10 holds of 10 seconds; 1 to 2 sets."
    assert dose_words(item(sets=[2, 2], hold_s=[30, 30])) == "Hold 30 seconds, twice, each side."
    assert sessions_per_week([{"dose": {"days_per_week": [5, 7]}},
                              {"dose": {"days_per_week": [3, 5]}}]) == 5


def test_plain_names_group_findings_and_keep_sides(tiny_kb: KnowledgeBase) -> None:
    muscle = next(iter(tiny_kb.muscles))
    findings = [{"muscle": muscle, "state": "overactive", "side": "left", "key": True},
                {"muscle": muscle, "state": "overactive", "side": "left", "key": True},
                {"muscle": muscle, "state": "underactive", "side": None, "key": False}]
    groups = found_groups(tiny_kb, findings)
    assert groups["overactive"].startswith("left ") and groups["underactive"] == ""
    assert " and " not in groups["overactive"]          # one muscle named once


def test_every_muscle_and_group_has_a_plain_name(real_kb: KnowledgeBase) -> None:
    missing = [i for i, r in [*real_kb.muscles.items(), *real_kb.groups.items()] if not r.plain]
    assert missing == []


def test_pdf_needs_out_and_is_written_atomically(tmp_path: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(main, ["run", str(SEED_A), "--format", "pdf"])
    assert refused.exit_code == 2 and "add --out FILE.pdf" in refused.output
    out = tmp_path / "sheet.pdf"
    done = runner.invoke(main, ["run", str(SEED_A), "--format", "pdf", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF") and [p.name for p in tmp_path.iterdir()] == [
        "sheet.pdf"]
    again = tmp_path / "again.pdf"     # same input, same bytes (no date or random id inside)
    assert runner.invoke(main, ["run", str(SEED_A), "--format", "pdf", "--out", str(again)]
                         ).exit_code == 0
    assert again.read_bytes() == out.read_bytes()
    trainer = tmp_path / "trainer.pdf"
    assert runner.invoke(main, ["run", str(SEED_A), "--format", "pdf", "--audience", "trainer",
                                "--out", str(trainer)]).exit_code == 0
    assert "Key findings" in PdfReader(trainer).pages[0].extract_text()


def _case(tmp_path: Path, extra: str) -> Path:
    text = SEED_B.read_text(encoding="utf-8").replace("id: seed_b_groceries_left\n",
                                                      "id: seed_b_groceries_left\n" + extra)
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_client_trainer_and_date_head_the_sheet_and_date_the_programme(tmp_path: Path) -> None:
    path = _case(tmp_path, "client: '<b>Ann</b> B.'\ntrainer: Sam Lee\ndate: 2025-03-03\n")
    runner = CliRunner()
    page = runner.invoke(main, ["run", str(path), "--format", "html"]).output
    assert "&lt;b&gt;Ann&lt;/b&gt; B." in page and "Sam Lee" in page and "2025-03-03" in page
    assert "2025-03-03 to 2025-03-09" in page and "week 5, 2025-03-31" in page
    data = json.loads(runner.invoke(main, ["run", str(path), "--format", "json"]).output)
    assert (data["client"], data["trainer"], data["date"]) == ("<b>Ann</b> B.", "Sam Lee",
                                                               "2025-03-03")
    assert data["program"]["schedule"]["start"] == "2025-03-03"
    # --start still wins over the assessment date
    data = json.loads(runner.invoke(main, ["run", str(path), "--format", "json", "--start",
                                           "2025-04-07"]).output)
    assert data["program"]["schedule"]["start"] == "2025-04-07"


def test_without_a_date_nothing_is_dated(tmp_path: Path) -> None:
    page = CliRunner().invoke(main, ["run", str(SEED_B), "--format", "html"]).output
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page)


@pytest.mark.parametrize("bad", ["03/03/2025", "'2025-02-30'", "20250303", "2025-03-03T10:00"])
def test_a_bad_date_is_a_clear_error(tmp_path: Path, bad: str) -> None:
    result = CliRunner().invoke(main, ["run", str(_case(tmp_path, f"date: {bad}\n"))])
    assert result.exit_code == 1
    assert "date: " in result.output and "is not a date; write the assessment date as " \
        "YYYY-MM-DD (for example 2025-03-03)" in result.output
    assert "Traceback" not in result.output


def test_the_sheet_renders_without_the_picture_module(real_kb: KnowledgeBase, real: Reasoner,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from expert.program import sheet
    monkeypatch.setattr(sheet, "_picture_maker", lambda: None)
    case, data = _report(real_kb, real, SEED_A)
    page = render(real_kb, case.answers, data, "html")
    assert isinstance(page, str) and "<svg" not in page
    assert "Kneeling hip flexor stretch" in page and 'id="log"' in page


def test_a_card_says_each_careful_clause_once() -> None:
    from expert.program.sheet import said_once
    assert said_once(["Light pressure only; check with your doctor or midwife first.",
                      "Only while it is comfortable. Check with your doctor or midwife.",
                      "Pad the kneeling knee."]) == [
        "Light pressure only; check with your doctor or midwife first.",
        "Only while it is comfortable.", "Pad the kneeling knee."]
    # a clause ending with a semicolon closes the sentence when what followed it is dropped
    assert said_once(["Go gently; stop if it hurts.", "Easy does it; stop if it hurts."]) == \
        ["Go gently; stop if it hurts.", "Easy does it."]
    assert said_once(["Stop if it hurts.", "Stop if it hurts!"]) == ["Stop if it hurts."]
    assert said_once([]) == []


def test_the_pregnancy_sheet_asks_once_per_card_to_check_with_the_midwife(
        sheets: dict[str, Sheet], real_kb: KnowledgeBase, real: Reasoner) -> None:
    html = sheets["condition_pregnancy_12_weeks_apt.yaml"].html
    cards = re.findall(r'<td class="ex".*?</td>', html, flags=re.S)
    assert cards and all(card.lower().count("doctor or midwife") <= 1 for card in cards)
    assert "Check with your doctor or midwife." not in html
    # the Markdown sheet lists the same careful texts, one a line
    case, data = _report(real_kb, real, CASES / "condition_pregnancy_12_weeks_apt.yaml")
    markdown = render(real_kb, case.answers, data, "markdown")
    assert isinstance(markdown, str)
    careful = re.findall(r"^- \*Careful:\* (.*)$", markdown, flags=re.M)
    assert "Light pressure only; check with your doctor or midwife first." in careful
    assert all(len(line) > 10 for line in careful), careful
