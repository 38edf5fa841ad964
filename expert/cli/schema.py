"""``imbalance schema``: the JSON Schema of case files."""

from __future__ import annotations

from pathlib import Path

import click

from . import examples, knowledge, main
from .printing import dump, emit, stdout_dash


@main.command(epilog=examples("imbalance schema > case.schema.json",
                              "imbalance schema --out case.schema.json"))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write the schema to this file instead of stdout.")
@click.pass_context
def schema(ctx: click.Context, out: Path | None) -> None:
    """Print the JSON Schema of case files (observation ids from the knowledge base)."""
    from ..schema import case_schema
    emit(dump(case_schema(knowledge(ctx))), out)
