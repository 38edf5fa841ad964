"""``imbalance run``: evaluate one case file."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import click

from . import knowledge, main
from .printing import dump, emit


@main.command()
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]),
              default="text", show_default=True,
              help="text for people, json for programs, markdown or html for a printable "
                   "one-page handout.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically; devices such as /dev/null "
                   "straight through) instead of stdout.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day of the programme: dates its weeks and the reassessment "
                   "(without it they are numbered, never taken from today's date).")
@click.pass_context
def run(ctx: click.Context, case_file: Path, fmt: str, out: Path | None,
        start: dt.datetime | None) -> None:
    """Evaluate one case file (YAML or JSON) and report the findings and the corrective
    programme (inhibit, lengthen, activate, integrate), or the referral. The programme is
    withheld while a safety-screen (red-flag) question that could refer the case is
    unanswered; the report lists those questions (or state `red_flags: none` in the case).

    The case format is described in docs/case-files.md; `imbalance schema` prints its
    JSON Schema. The programme is described in docs/program.md.
    """
    from ..case import load_case
    from ..inference.reasoner import Reasoner
    from ..program import build_program
    from ..report import to_data

    kb = knowledge(ctx)
    case = load_case(case_file, kb)
    outcome = Reasoner(kb).evaluate(case)
    program = build_program(kb, case, outcome, start.date() if start else None)
    data = to_data(case, kb, outcome, program.to_data() if program else None)
    if fmt == "json":
        emit(dump(data), out, [case_file])
        return
    if fmt in ("markdown", "html"):
        from ..program.handout import render
        emit(render(data, fmt), out, [case_file])
        return
    from rich.console import Console

    from .display import show_case
    if out is None:
        show_case(Console(), data)
        return
    buffer = io.StringIO()
    show_case(Console(file=buffer, width=120, color_system=None, force_terminal=False), data)
    emit(buffer.getvalue(), out, [case_file])
