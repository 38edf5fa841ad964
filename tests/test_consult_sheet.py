"""The consultation's end gives the client sheet (issue 11): offered after the case file, saved
in the format its name says (.pdf, .html, .md) through the same ``documents.render`` as
``imbalance run`` (so the two give the same sheet), never over the session, the case file or a
knowledge-base file; in trainer mode the trainer's report is offered too. The PDF's page count
at the end of a real consultation is checked in test_consult_pty.py."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from expert.cli import main
from expert.knowledge import KnowledgeBase

from .conftest import FIXTURE_KB
from .test_consult_dialogue import consult, lines, typed_answers

SEED_A = {"low_back_pain": "y", "subject.age": "38", "prolonged_sitting": "yes",
          "anterior_pelvic_tilt": "Y"}


def test_the_sheet_saved_at_the_end_is_the_sheet_run_prints(real_kb: KnowledgeBase,
                                                             tmp_path: Path) -> None:
    typed = typed_answers(real_kb, "self", SEED_A, tmp_path / "scratch.json")
    session, case, sheet = tmp_path / "s.json", tmp_path / "case.yaml", tmp_path / "sheet.html"
    result = consult("--session", str(session), kb=None, input=lines(
        *typed, "y", str(case),
        "y",                                  # save the sheet
        str(tmp_path / "sheet.txt"),          # no format in the name: asked again
        str(session),                         # the session: refused
        str(case),                            # the case file just saved: refused
        str(tmp_path / "missing" / "x.html"),  # no such folder: said, asked again
        str(sheet), ""))
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Save your exercise sheet to print or keep (PDF, HTML or Markdown)? [Y/n]" in out
    assert f"File name (.pdf, .html or .md) [{tmp_path / 'case-sheet.pdf'}]" in out
    assert "sheet.txt: end the name in .pdf, .html or .md to say the format" in out
    assert "is this consultation's session file: writing the sheet there would destroy" in out
    assert "is the case file saved from this consultation" in out
    assert f"the folder {tmp_path / 'missing'} does not exist" in out
    assert f"Saved {sheet}" in out and "Traceback" not in out
    assert "Save your trainer's report" not in out            # self mode: the sheet only
    assert case.read_text().startswith("# Written by imbalance consult")   # intact
    assert not (tmp_path / "sheet.txt").exists() and not (tmp_path / "missing").exists()
    run = CliRunner().invoke(main, ["run", str(case), "--format", "html"])
    assert run.exit_code == 0, run.output
    assert sheet.read_text(encoding="utf-8") == run.output     # one renderer, the same sheet
    assert "Your exercise plan" in run.output and "Kneeling hip flexor stretch" in run.output


def test_trainer_mode_offers_the_report_too_in_any_format(tiny_kb: KnowledgeBase,
                                                          tmp_path: Path) -> None:
    typed = typed_answers(tiny_kb, "trainer", {"back_pain": "y", "subject.age": "40",
                                               "sitting": "y"}, tmp_path / "scratch.json")
    session = tmp_path / "s.json"
    (tmp_path / "old.md").write_text("keep me\n")
    result = consult("--session", str(session), "--mode", "trainer", input=lines(
        *typed, "n",                          # no case file
        "y", str(tmp_path / "old.md"), "n",   # exists: not replaced, not saved
        "y", "",                              # the report under its suggested name
        ""))
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Save the client sheet to print or send" in out
    assert f"{tmp_path / 'old.md'} exists; replace it? [y/N] n Not saved." in out
    assert (tmp_path / "old.md").read_text() == "keep me\n"
    assert f"Saved {tmp_path / 's-report.pdf'}" in out
    assert (tmp_path / "s-report.pdf").read_bytes().startswith(b"%PDF")
    # Markdown for the sheet, HTML for the report, in a second end (the answers unchanged)
    again = consult("--resume", str(session), "--mode", "trainer", input=lines(
        "n", "y", str(tmp_path / "sheet.md"), "y", str(tmp_path / "report.html"), ""))
    assert again.exit_code == 0, again.output
    assert (tmp_path / "sheet.md").read_text().startswith("# ")
    report = (tmp_path / "report.html").read_text()
    assert report.startswith("<!DOCTYPE html>") and "Key findings" in report


def test_a_knowledge_base_file_is_never_written_over(tmp_path: Path) -> None:
    from expert.knowledge import load
    kb = load(FIXTURE_KB)
    typed = typed_answers(kb, "self", {"back_pain": "y", "subject.age": "40"},
                          tmp_path / "scratch.json")
    target = FIXTURE_KB / "facts" / "questions.yaml"
    before = target.read_bytes()
    target_md = tmp_path / "kb.md"
    target_md.symlink_to(target)   # a link to a knowledge-base file, named to look harmless
    result = consult("--session", str(tmp_path / "s.json"), input=lines(
        *typed, "n", "y", str(target_md), "n"))
    out = " ".join(result.output.split())
    assert "is an input of this command" in out and target.read_bytes() == before
    assert out.endswith("Not saved. Type how N or explain MUSCLE to see a reason in full, "
                        "change N to revise an answer, review, or press Enter to finish. > "
                        "End of input. The consultation is saved in "
                        f"{tmp_path / 's.json'}.")
