"""``imbalance run``: evaluate one case file."""

from __future__ import annotations

import io
from pathlib import Path

import click

from . import knowledge, main
from .printing import dump, emit


@main.command()
@click.argument("case_file", metavar="CASE", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for programs.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to this file (atomically) instead of stdout.")
@click.pass_context
def run(ctx: click.Context, case_file: Path, fmt: str, out: Path | None) -> None:
    """Evaluate one case file (YAML or JSON) and report the findings or the referral.

    The case format is described in docs/case-files.md; `imbalance schema` prints its
    JSON Schema.
    """
    from ..case import load_case
    from ..inference.reasoner import Reasoner
    from ..report import to_data

    kb = knowledge(ctx)
    case = load_case(case_file, kb)
    data = to_data(case, kb, Reasoner(kb).evaluate(case))
    if fmt == "json":
        emit(dump(data), out)
        return
    from rich.console import Console

    from .display import show_case
    if out is None:
        show_case(Console(), data)
        return
    buffer = io.StringIO()
    show_case(Console(file=buffer, width=120, color_system=None, force_terminal=False), data)
    emit(buffer.getvalue(), out)
