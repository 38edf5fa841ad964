"""``imbalance batch`` as a user meets it: the case library passes --check, records stream out
as JSON Lines or CSV in input order whatever --jobs is, bad input is reported with file and line
and never stops the run, exit codes, and the HTML and Markdown reports."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from expert.batch.records import Output
from expert.batch.runner import Evaluator, Settings
from expert.batch.sources import Task
from expert.cli import main

from .conftest import CASES, FIXTURE_KB, REPO

GOOD = {
    "g1.yaml": "id: g1\nanswers: {tilt: yes}\nexpected:\n  overactive: [hip_flexor]\n"
               "  underactive: [hamstring_a, glute]\n  referral: null\n",
    "g2.yaml": "id: g2\nanswers: {carry: left}\nexpected:\n  overactive: [upper_trap@left]\n"
               "  underactive: [lower_trap@left]\n",
    "g3.json": '{"id": "g3", "answers": {"numb": "yes", "tilt": "yes"}, '
               '"expected": {"overactive": [], "referral": "emergency"}}',
    "plain.yaml": "id: plain\nanswers: {sitting: yes, back_pain: yes}\n",
}


def batch(*args: str, kb: Path | None = FIXTURE_KB, stdin: str | None = None) -> Result:
    prefix = ["--kb", str(kb)] if kb else []
    return CliRunner().invoke(main, [*prefix, "batch", *args], input=stdin,
                              catch_exceptions=False)


def records(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


def folder(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return tmp_path


# -- the case library ---------------------------------------------------------------------
def test_the_case_library_passes_check() -> None:
    result = batch(str(CASES), "--check", "--jobs", "1", kb=None)
    assert result.exit_code == 0, result.stderr
    out = records(result.stdout)
    assert len(out) == len([p for p in CASES.iterdir() if p.suffix in (".yaml", ".json")])
    assert all(r["status"] == "ok" and r["evaluation"]["passed"] for r in out)
    assert f"{len(out)} of {len(out)} cases agree, 0 disagree" in result.stderr
    seed = next(r for r in out if r["case_id"] == "seed_a_low_back_pain_apt")
    assert set(seed["program"]["phases"]) == {"inhibit", "lengthen", "activate", "integrate"}
    assert seed["program"]["items"] == sum(seed["program"]["phases"].values()) > 0
    assert all(r["program"] is None for r in out if r["referral"])


def test_the_case_library_passes_check_in_parallel(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    done = subprocess.run([sys.executable, "-m", "expert", "batch", "examples/cases", "--check",
                           "--jobs", "2", "--report", str(report), "--out",
                           str(tmp_path / "records.jsonl")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 disagree" in done.stderr and "<svg" in report.read_text()
    assert len((tmp_path / "records.jsonl").read_text().splitlines()) >= 40


# -- outputs ------------------------------------------------------------------------------
def test_jsonl_records_carry_the_documented_fields(tmp_path: Path) -> None:
    result = batch(str(folder(tmp_path, GOOD)), "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    out = {r["case_id"]: r for r in records(result.stdout)}
    assert list(out) == ["g1", "g2", "g3", "plain"]  # sorted walk, input order kept
    g1 = out["g1"]
    assert {"case_id", "source", "line", "kb_version", "status", "referral", "findings",
            "program", "evaluation", "rules_fired", "errors"} <= set(g1)
    assert g1["kb_version"] == "9.9.9"  # --kb reached the worker processes
    assert g1["source"].endswith("g1.yaml") and g1["program"] is None
    assert {f["muscle"] for f in g1["findings"]} >= {"hip_flexor", "hamstrings", "glute"}
    assert all({"muscle", "state", "side", "certainty", "expected", "reason"} <= set(f)
               for f in g1["findings"])
    assert g1["evaluation"]["passed"] and g1["evaluation"]["overactive"]["recall"] == 1.0
    assert out["g3"]["referral"]["level"] == "emergency" and out["g3"]["findings"] == []
    assert out["plain"]["evaluation"] is None


def test_csv_has_one_row_per_finding(tmp_path: Path) -> None:
    result = batch(str(folder(tmp_path, GOOD)), "--format", "csv", "--jobs", "1")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    jsonl = records(batch(str(tmp_path), "--jobs", "1").stdout)
    assert len(rows) == sum(max(1, len(r["findings"])) for r in jsonl)
    g2 = [r for r in rows if r["case_id"] == "g2"]
    assert {(r["muscle"], r["state"], r["side"]) for r in g2} == \
        {("upper_trap", "overactive", "left"), ("lower_trap", "underactive", "left")}
    assert {r["expected"] for r in g2} == {"yes"} and {r["passed"] for r in g2} == {"yes"}
    referral = [r for r in rows if r["case_id"] == "g3"]
    assert len(referral) == 1 and referral[0]["referral"] == "emergency"
    assert referral[0]["muscle"] == ""


def test_out_is_written_atomically(tmp_path: Path) -> None:
    cases = folder(tmp_path / "cases", GOOD)
    out = tmp_path / "records.jsonl"
    out.write_text("old\n")
    result = batch(str(cases), "--out", str(out), "--quiet")
    assert result.exit_code == 0 and result.stdout == ""
    assert len(records(out.read_text())) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases", "records.jsonl"]
    with pytest.raises(KeyboardInterrupt), Output(out) as output:  # a run that stops half-way
        output.write({"case_id": "x"})
        raise KeyboardInterrupt
    assert len(records(out.read_text())) == 4  # the old file is left in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases", "records.jsonl"]


def test_same_output_whatever_the_number_of_jobs(tmp_path: Path) -> None:
    folder(tmp_path, GOOD)
    lines = "\n".join(json.dumps({"id": f"l{i}", "answers": {"carry": ["left", "right"][i % 2],
                                                            "tilt": "yes"}})
                      for i in range(150))
    (tmp_path / "many.jsonl").write_text(lines + "\n")
    for fmt in ("jsonl", "csv"):
        one = batch(str(tmp_path), "--jobs", "1", "--format", fmt).stdout
        two = batch(str(tmp_path), "--jobs", "2", "--format", fmt).stdout
        assert one == two and one.count("l149") >= 1


def test_stdin_takes_json_lines(tmp_path: Path) -> None:
    lines = '{"id": "s1", "answers": {"tilt": "yes"}}\n{"id": "s2", "answers": {}}\n'
    result = batch("-", "--jobs", "1", stdin=lines)
    assert [r["case_id"] for r in records(result.stdout)] == ["s1", "s2"]
    assert records(result.stdout)[1]["source"] == "<stdin>"


def test_globs_are_expanded(tmp_path: Path) -> None:
    folder(tmp_path, {"a/one.yaml": GOOD["g1.yaml"], "b/two.yaml": GOOD["g2.yaml"],
                      "b/skip.txt": "not a case"})
    result = batch(str(tmp_path / "**" / "*.yaml"), "--jobs", "1")
    assert [r["case_id"] for r in records(result.stdout)] == ["g1", "g2"]


# -- bad input ----------------------------------------------------------------------------
JSONL = (b'{"id": "j1", "answers": {"tilt": "yes"}}\n'
         b'{"id": "j2", "answers": \n'
         b'\n'
         b'{"id": "j3", "answers": {"carry": "right"}}\n'
         b'{"id": "j4", "answers": {"\xff": "yes"}}\n'
         b'{"id": "j5", "answers": {"tilts": "yes"}}\n')


def test_bad_input_is_reported_with_file_and_line_and_never_stops_the_run(
        tmp_path: Path) -> None:
    cases = folder(tmp_path, {
        "a_good.yaml": GOOD["g1.yaml"],
        "b_malformed.yaml": "id: bad\nanswers:\n  tilt: yes\n   carry: left\n",
        "c_binary.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "d_lines.jsonl": JSONL,
        "e_duplicate.yaml": GOOD["g1.yaml"],
        "f_unknown.yaml": "id: unknown\nanswers: {tilt: yes}\nexpected:\n  overactive:\n"
                          "    - hip_flexor\n    - biceps@left\n",
        "g_good.yaml": GOOD["g2.yaml"],
    })
    result = batch(str(cases), str(tmp_path / "missing.yaml"), "--jobs", "2")
    assert result.exit_code == 1
    out = records(result.stdout)
    by = {(Path(r["source"]).name, r["line"]): r for r in out}
    assert len(out) == 12
    assert by[("a_good.yaml", None)]["status"] == "ok"
    assert by[("g_good.yaml", None)]["status"] == "ok"
    malformed = by[("b_malformed.yaml", None)]["errors"][0]
    assert malformed["line"] == 4 and "malformed YAML" in malformed["message"]
    assert "binary" in by[("c_binary.yaml", None)]["errors"][0]["message"]
    # the JSON Lines file: its good lines are evaluated, each bad line is reported
    assert by[("d_lines.jsonl", 1)]["status"] == "ok" and by[("d_lines.jsonl", 4)]["findings"]
    assert "malformed JSON" in by[("d_lines.jsonl", 2)]["errors"][0]["message"]
    assert "not UTF-8" in by[("d_lines.jsonl", 5)]["errors"][0]["message"]
    unknown_obs = by[("d_lines.jsonl", 6)]["errors"][0]
    assert (unknown_obs["line"], unknown_obs["entry"]) == (6, "answers.tilts")
    duplicate = by[("e_duplicate.yaml", None)]
    assert "duplicate case id 'g1'" in duplicate["errors"][0]["message"]
    assert duplicate["findings"]  # still evaluated
    unknown = by[("f_unknown.yaml", None)]
    assert unknown["errors"][0]["line"] == 6 and "'biceps'" in unknown["errors"][0]["message"]
    assert unknown["findings"] and unknown["evaluation"] is None  # run, but not scored
    assert "no such file" in by[("missing.yaml", None)]["errors"][0]["message"]
    # stderr names each problem with file and line
    assert f"{cases / 'd_lines.jsonl'}:2: malformed JSON" in result.stderr
    assert f"{cases / 'b_malformed.yaml'}:4: malformed YAML" in result.stderr


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    cases = folder(tmp_path, {"locked.yaml": GOOD["g1.yaml"], "open.yaml": GOOD["g2.yaml"]})
    real = os.open

    def os_open(path: str, flags: int, *args: int) -> int:  # chmod 000 does not stop root
        if str(path).endswith("locked.yaml"):
            raise PermissionError(13, "Permission denied")
        return real(path, flags, *args)

    monkeypatch.setattr(os, "open", os_open)
    result = batch(str(cases), "--jobs", "1")
    assert result.exit_code == 1
    locked, ok = records(result.stdout)
    assert "cannot be read: permission denied" in locked["errors"][0]["message"]
    assert ok["status"] == "ok"


def test_a_failing_programme_keeps_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    import expert.batch.worker as worker

    def broken(*args: Any) -> Any:
        raise ValueError("no exercise for that")

    monkeypatch.setattr(worker, "build_program", broken)
    seed = str(CASES / "seed_a_low_back_pain_apt.yaml")
    result = batch(seed, "--jobs", "1", kb=None)
    assert result.exit_code == 1
    [record] = records(result.stdout)
    assert record["findings"] and record["evaluation"]["passed"]
    assert record["errors"][0]["entry"] == "program"
    assert "ValueError: no exercise for that" in record["errors"][0]["message"]
    skipped = batch(seed, "--jobs", "1", "--no-program", kb=None)
    assert skipped.exit_code == 0 and records(skipped.stdout)[0]["program"] is None


def test_missing_paths_and_empty_globs_are_errors_not_crashes(tmp_path: Path) -> None:
    result = batch(str(tmp_path / "nope"), str(tmp_path / "*.yaml"), str(tmp_path), "-j", "1")
    assert result.exit_code == 1
    messages = [r["errors"][0]["message"] for r in records(result.stdout)]
    assert messages == ["no such file or directory", "matches no files",
                        "holds no case files (.yaml, .yml, .json, .jsonl)"]


def test_check_exits_3_when_a_case_misses_its_expectation(tmp_path: Path) -> None:
    miss = "id: m\nanswers: {carry: left}\nexpected:\n  overactive: [upper_trap@right]\n"
    folder(tmp_path, {**GOOD, "miss.yaml": miss})
    assert batch(str(tmp_path), "-j", "1").exit_code == 0  # without --check: just scored
    result = batch(str(tmp_path), "--check", "-j", "1")
    assert result.exit_code == 3
    assert "disagrees: m" in result.stderr and "expected upper_trap@right" in result.stderr
    (tmp_path / "broken.yaml").write_text("id: [\n")
    assert batch(str(tmp_path), "--check", "-j", "1").exit_code == 1  # input problems first


def test_bad_command_lines_exit_2(tmp_path: Path) -> None:
    assert batch(str(CASES), "--report", str(tmp_path / "r.pdf")).exit_code == 2
    assert batch(str(CASES), "--jobs", "0").exit_code == 2
    assert batch().exit_code == 2


def test_help_documents_exit_codes() -> None:
    text = batch("--help").stdout
    assert "Exit status" in text and "3  with --check" in text


def test_progress_bar_and_summary(tmp_path: Path) -> None:
    result = batch(str(folder(tmp_path, GOOD)), "--progress", "-j", "2", "--out",
                   str(tmp_path / "r.jsonl"))
    assert "4/4" in result.stderr and "4 cases in" in result.stderr
    quiet = batch(str(tmp_path / "g1.yaml"), "--quiet")
    assert quiet.stderr == ""


# -- reports ------------------------------------------------------------------------------
class _Checker(HTMLParser):
    """Fails on tags closed out of order or left open (void elements aside)."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "wbr", "col", "source"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.seen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.seen.add(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.seen.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def test_html_report_is_valid_with_charts_and_a_per_muscle_table(tmp_path: Path) -> None:
    miss = "id: m\nanswers: {carry: left}\nexpected:\n  overactive: [upper_trap@right]\n"
    folder(tmp_path, {**GOOD, "miss.yaml": miss, "broken.yaml": "id: [\n"})
    report = tmp_path / "report.html"
    result = batch(str(tmp_path), "--report", str(report), "-j", "1", "--out",
                   str(tmp_path / "r.jsonl"))
    assert result.exit_code == 1
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>")
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [] and {"html", "head", "title", "body", "svg", "table"} <= checker.seen
    for svg in html.split("<svg")[1:]:
        ET.fromstring("<svg" + svg.split("</svg>")[0] + "</svg>")  # well-formed SVG
    assert "Per muscle" in html and "<code>upper_trap</code>" in html
    assert "wrong side" in html and "expected upper_trap@right" in html
    assert "broken.yaml" in html and "not a diagnosis" in html
    assert "Certainty calibration" in html and "Rule coverage" in html


def test_markdown_report(tmp_path: Path) -> None:
    folder(tmp_path, GOOD)
    report = tmp_path / "report.md"
    batch(str(tmp_path), "--report", str(report), "-j", "1", "--quiet")
    text = report.read_text()
    assert text.startswith("# Batch evaluation: 4 cases")
    assert "| Muscle or group | State |" in text and "`hip_flexor`" in text
    assert "█" in text and "## Rule coverage" in text
    assert "| emergency | 0 | 0 | 1 |" in text


def test_json_report_is_the_results(tmp_path: Path) -> None:
    folder(tmp_path, GOOD)
    report = tmp_path / "report.json"
    batch(str(tmp_path), "--report", str(report), "-j", "1", "--quiet")
    data = json.loads(report.read_text())
    assert data["cases"]["checked"] == 3 and data["referral"]["accuracy"] == 1.0


# -- streaming ----------------------------------------------------------------------------
def test_the_pool_reads_ahead_only_a_bounded_number_of_cases() -> None:
    pulled = 0

    def stream() -> Any:
        nonlocal pulled
        for i in range(2000):
            pulled += 1
            yield Task("line", "mem", i + 1, json.dumps({"id": f"c{i}", "answers": {}}))

    settings = Settings(kb_path=str(FIXTURE_KB), jobs=2, chunksize=4)
    with Evaluator(settings) as ev:
        for i, record in enumerate(ev.records(stream())):
            assert record["case_id"] == f"c{i}"
            assert pulled <= i + 1 + 4 * 2 * 4 + 4, (i, pulled)  # in flight: 4 x jobs x chunk
    assert pulled == 2000
