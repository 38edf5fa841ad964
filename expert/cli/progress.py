"""``imbalance client report``: a client's progress over time (every assessment on a timeline,
a chart of each key finding's certainty), as one HTML page or JSON."""

from __future__ import annotations

from pathlib import Path

import click

from .client import client
from .printing import dump, emit
from .storage import client_of, db_option, open_db


@client.command("report")
@click.argument("client_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html",
              show_default=True, help="html: one self-contained page with an SVG chart; json: "
                                      "its data.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of stdout.")
@db_option
def report(client_id: str, fmt: str, out: Path | None, db_url: str | None) -> None:
    """The client's progress: every assessment on a timeline and a chart of each key
    finding's certainty over time (inline SVG, no script), from the reports as they were
    given.

    \b
    Example:
      imbalance client report 1 --out progress.html
    """
    from ..reassessment.timeline import progress_data, render

    with open_db(db_url) as store:
        person = client_of(store, client_id)
        data = progress_data(person, store.assessments(person.id))
    emit(dump(data) if fmt == "json" else render(data), out)
