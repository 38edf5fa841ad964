"""``imbalance compare``: two assessments of one person (case files or stored assessments), what
changed, and the progressed programme."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from . import knowledge, main
from .printing import dump, emit, stdout_dash
from .storage import db_option


@main.command()
@click.argument("before", metavar="A")
@click.argument("after", metavar="B")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]),
              default="text", show_default=True,
              help="text for people, json for programs, markdown or html for the printable "
                   "reassessment sheet.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write to this file (atomically) instead of stdout.")
@click.option("--start", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="First day of the progressed programme (default: B's assessment date).")
@db_option
@click.pass_context
def compare(ctx: click.Context, before: str, after: str, fmt: str, out: Path | None,
            start: dt.datetime | None, db_url: str | None) -> None:
    """Compare assessment A (before) with B (after, the reassessment): the findings resolved,
    persisting and new (certainty before -> after), the answers that changed and which
    findings each change explains on its own, and the PROGRESSED PROGRAMME: items whose
    findings resolved are dropped, persisting ones move one step along their progression
    (harder, or easier when the finding got worse), new findings add items, with every
    safety rule applied. A and B are case files or stored assessments: client:ID@N,
    client:ID@latest, client:ID@previous.

    \b
    Examples:
      imbalance compare examples/reassessment/seed_a_week0.yaml \\
          examples/reassessment/seed_a_week5.yaml
      imbalance compare client:1@previous client:1@latest --format html --out sheet.html
    See docs/program.md, "Reassessment".
    """
    from ..inference.reasoner import Reasoner
    from ..reassessment.comparison import compare as compared
    from ..reassessment.references import resolve
    from .storage import open_db

    kb = knowledge(ctx)
    a, b = resolve([before, after], kb, lambda: open_db(db_url))
    data = compared(Reasoner(kb), a, b, start.date() if start else None)
    inputs = [x.path for x in (a, b) if x.path is not None]
    if fmt == "json":
        emit(dump(data), out, inputs)
    elif fmt == "text":
        from ..reassessment.rendering import text
        emit(text(data), out, inputs)
    else:
        from ..reassessment.rendering import render
        emit(render(data, fmt), out, inputs)
