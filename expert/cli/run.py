"""``imbalance run``: evaluate one case file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click

from . import knowledge, main
from .printing import dump, emit, emit_bytes, say, stdout_dash
from .storage import db_option


@main.command()
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--format", "fmt",
              type=click.Choice(["text", "json", "markdown", "html", "pdf"]),
              default="text", show_default=True,
              help="text for people, json for programs; html, markdown or pdf (needs --out) "
                   "for the printable client sheet or, with --audience trainer, the "
                   "trainer's report.")
@click.option("--audience", type=click.Choice(["client", "trainer"]), default="client",
              show_default=True,
              help="For html, markdown and pdf: client = a one-page A4 sheet the client "
                   "follows (exercises with pictures, doses in words, a weekly log); trainer "
                   "= the findings with reasons and certainties, removed items and extras.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write the report to this file (atomically; devices such as /dev/null "
                   "straight through) instead of stdout.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day of the programme: dates its weeks and the reassessment "
                   "(without it they are numbered, never taken from today's date).")
@click.option("--client", "client_ref", metavar="ID",
              help="Keep this assessment in the client database for client ID "
                   "(imbalance client add; see imbalance client show ID).")
@click.option("--date", "assessed", type=click.DateTime(formats=["%Y-%m-%d"]),
              metavar="YYYY-MM-DD",
              help="With --client: the day of the assessment (default: the case file's date, "
                   "else today).")
@click.option("--detail", is_flag=True,
              help="Text: everything, not just the key findings and the core programme: the "
                   "possible findings, the reason of each finding, the extras, what was left "
                   "out and why, and the schedule.")
@db_option
@click.pass_context
def run(ctx: click.Context, case_file: Path, fmt: str, audience: str, out: Path | None,
        start: dt.datetime | None, client_ref: str | None, assessed: dt.datetime | None,
        detail: bool, db_url: str | None) -> None:
    """Evaluate one case file (YAML or JSON) and report the findings and the corrective
    programme (inhibit, lengthen, activate, integrate), or the referral. The programme is
    withheld while a safety-screen (red-flag) question that could refer the case is
    unanswered; the report lists those questions (or state `red_flags: none` in the case).

    CASE is a file, or - to read the case from standard input. Only regular files are read
    (not pipes or devices), at most 1 MiB. The case format is described in
    docs/case-files.md; `imbalance schema` prints its JSON Schema. The programme is described
    in docs/program.md.

    \b
    Examples:
      imbalance run examples/cases/seed_a_low_back_pain_apt.yaml
      imbalance run case.yaml --detail          # every finding, reason and extra
      imbalance run case.yaml --format json --out report.json
      imbalance run case.yaml --format pdf --out sheet.pdf --start 2025-03-03
      imbalance run case.yaml --format html --audience trainer --out report.html
      cat case.json | imbalance run -
    """
    from ..case import load_case
    from ..inference.reasoner import Reasoner
    from ..program import build_program
    from ..report import to_data

    if client_ref is None and (assessed is not None or db_url is not None):
        raise click.UsageError("--date and --db go with --client ID")
    if fmt == "pdf" and out is None:
        raise click.UsageError("--format pdf writes a file: add --out FILE.pdf (a PDF is not "
                               "printed to the terminal)")
    kb = knowledge(ctx)
    case = load_case(case_file, kb)
    store = None
    if client_ref is not None:  # the client is checked before the work is done
        from .storage import client_of, open_db
        store = open_db(db_url)
        client_id = client_of(store, client_ref).id
        if out is not None:  # an output that cannot be written: nothing is kept either
            from ..output import check
            check(out)
    reasoner = Reasoner(kb)
    outcome = reasoner.evaluate(case)
    previous = None
    if store is not None:  # a reassessment: the client's last block carries on, progressed
        from ..reassessment.comparison import last_block
        previous = last_block(reasoner, store.assessments(client_id), outcome)
    program = build_program(kb, case, outcome, start.date() if start else None, previous)
    # the derivations (and the muscle graph behind them) only where they are shown or kept
    data = to_data(case, kb, outcome, program.to_data() if program else None,
                   explained=fmt == "json" or store is not None)
    if store is not None:
        with store:
            day = assessed.date() if assessed else getattr(case, "date", None) or dt.date.today()
            kept = store.store_assessment(client_id, case, data, data.get("program"), day,
                                          "file")
        say(f"Kept as assessment {kept.number} of client {client_id}, dated "
            f"{kept.date.isoformat()}.")
    if fmt == "json":
        emit(dump(data), out, [case_file])
        return
    if fmt in ("markdown", "html", "pdf"):
        from ..program.documents import render
        document = render(kb, case.answers, data, fmt, audience)
        if isinstance(document, bytes):
            assert out is not None
            emit_bytes(document, out, [case_file])
        else:
            emit(document, out, [case_file])
        return
    from rich.console import Console

    from .display import show_case
    more = "" if detail else ("Everything (possible findings, every reason, extras, what was "
                              f"left out, the schedule):\nimbalance run {case_file} --detail")
    if out is None:
        show_case(Console(), data, detail, more)
        return
    buffer = io.StringIO()
    show_case(Console(file=buffer, width=120, color_system=None, force_terminal=False), data,
              detail, more)
    # rich pads table cells to the width: a file gets the lines without trailing spaces
    emit("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()), out,
         [case_file])
