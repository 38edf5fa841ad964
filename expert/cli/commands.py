"""The commands: run a case, check and list the knowledge base, print the case-file schema."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import click

from . import knowledge, main


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        click.echo(text, nl=False)
    else:
        from ..output import write_atomic
        write_atomic(out, text)


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


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
        _emit(_dump(data), out)
        return
    from rich.console import Console

    from .display import show_case
    if out is None:
        show_case(Console(), data)
        return
    buffer = io.StringIO()
    show_case(Console(file=buffer, width=120, color_system=None, force_terminal=False), data)
    _emit(buffer.getvalue(), out)


@main.group()
def kb() -> None:
    """Inspect and check the knowledge base."""


@kb.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate every knowledge file and cross-reference; report all problems at once."""
    from ..knowledge import read
    from ..knowledge.locate import default_root

    root = ctx.obj["kb_path"] or default_root()
    base, problems = read(root)
    for problem in sorted(problems):
        click.echo(problem.line(), err=True)
    if problems or base is None:
        click.echo(f"{len(problems)} problem(s) in the knowledge base at {root}", err=True)
        ctx.exit(1)
    assert base is not None
    click.echo(
        f"knowledge base {base.version} at {root}: {len(base.muscles)} muscles, "
        f"{len(base.groups)} groups, {len(base.relations)} relations, "
        f"{len(base.questions)} questions, {len(base.signs)} inferred signs, "
        f"{len(base.rules)} rules, {len(base.red_flags)} red flags, "
        f"{len(base.sources)} sources: no problems")


@kb.command()
@click.option("--category", help="Only questions of this category (e.g. ohsa, habit, red_flag).")
@click.pass_context
def questions(ctx: click.Context, category: str | None) -> None:
    """List the observation ids a case file can answer."""
    base = knowledge(ctx)
    for q in base.questions.values():
        if category and q.category != category:
            continue
        sided = "sided" if q.sided else "     "
        click.echo(f"{q.id:42} {q.category:17} {sided}  {q.person}")


@main.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the schema to this file instead of stdout.")
@click.pass_context
def schema(ctx: click.Context, out: Path | None) -> None:
    """Print the JSON Schema of case files (observation ids from the knowledge base)."""
    from ..schema import case_schema
    _emit(_dump(case_schema(knowledge(ctx))), out)
