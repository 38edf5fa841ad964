"""``imbalance kb``: check the knowledge base and list what a case can answer."""

from __future__ import annotations

from pathlib import Path

import click

from . import examples, knowledge, main
from .printing import emit, say, stdout_dash


@main.group(epilog=examples("imbalance kb check",
                            "imbalance kb questions --category ohsa",
                            "imbalance kb graph --region neck --format svg --out neck.svg",
                            "imbalance kb exercises --pictures pictures/"))
def kb() -> None:
    """Inspect and check the knowledge base."""


@kb.command(epilog=examples(
    "imbalance kb check",
    "imbalance --kb my-kb kb check   # your own copy, after editing it"))
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate every knowledge file and cross-reference; report all problems at once."""
    from ..knowledge import read
    from ..knowledge.locate import default_root

    root = ctx.obj["kb_path"] or default_root()
    base, problems = read(root)
    for problem in problems:  # the causes first, then what follows from them
        say(problem.line())
    if problems or base is None:
        say(f"{len(problems)} problem(s) in the knowledge base at {root}")
        ctx.exit(1)
    assert base is not None
    say(
        f"knowledge base {base.version} at {root}: {len(base.muscles)} muscles, "
        f"{len(base.groups)} groups, {len(base.relations)} relations, "
        f"{len(base.questions)} questions, {len(base.signs)} inferred signs, "
        f"{len(base.rules)} rules, {len(base.red_flags)} red flags, "
        f"{len(base.exercises)} exercises, {len(base.sources)} sources: no problems", err=False)


@kb.command(epilog=examples(
    "imbalance kb questions",
    "imbalance kb questions --category red_flag   # the safety screen's ids"))
@click.option("--category", help="Only questions of this category (e.g. ohsa, habit, red_flag).")
@click.pass_context
def questions(ctx: click.Context, category: str | None) -> None:
    """List the observation ids a case file can answer."""
    from ..problems import shown

    base = knowledge(ctx)
    known = sorted({q.category for q in base.questions.values()})
    if category is not None and category not in known:
        raise click.BadParameter(f"{shown(category)} is not a category; the categories are "
                                 + ", ".join(known), param_hint="--category")
    for q in base.questions.values():
        if category and q.category != category:
            continue
        sided = "sided" if q.sided else "     "
        say(f"{q.id:42} {q.category:17} {sided}  {q.person}", err=False)


@kb.command(epilog=examples("imbalance kb graph | dot -Tpng > graph.png",
                            "imbalance kb graph --region neck --format svg --out neck.svg",
                            "imbalance kb graph --with-rules --format json --out graph.json"))
@click.option("--region", help="Only this region (e.g. hip_thigh, shoulder_arm) and what links "
                               "to it.")
@click.option("--with-rules", is_flag=True,
              help="Also draw observations, signs and the rules' links to muscles.")
@click.option("--format", "fmt", type=click.Choice(["dot", "svg", "json", "graphml"]),
              default="dot", show_default=True, help="Graphviz DOT, SVG picture, node-link "
                                                     "JSON or GraphML.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def graph(ctx: click.Context, region: str | None, with_rules: bool, fmt: str,
          out: Path | None) -> None:
    """Draw or export the muscle graph (anatomy and relations), whole or one region."""
    from ..graph.export import export

    emit(export(knowledge(ctx), region, with_rules, fmt), out)


@kb.command()
@click.option("--phase", type=click.Choice(["inhibit", "lengthen", "activate", "integrate"]),
              help="Only the exercises of this phase.")
@click.option("--pictures", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Write a picture of every exercise (start and end positions, SVG) and a "
                   "gallery page index.html into this folder (created if missing).")
@click.pass_context
def exercises(ctx: click.Context, phase: str | None, folder: Path | None) -> None:
    """List the exercises of the catalogue (id, phase, position, name), or draw them all.

    \b
    Examples:
      imbalance kb exercises --phase lengthen
      imbalance kb exercises --pictures pictures/   # then open pictures/index.html
    """
    base = knowledge(ctx)
    if folder is not None:
        from ..pictures.gallery import write_gallery
        from .printing import knowledge_files

        written = write_gallery(base, folder, knowledge_files())
        say(f"wrote {len(written) - 1} pictures and index.html to {folder}")
        return
    for ex in base.exercises.values():
        if phase and ex.phase != phase:
            continue
        say(f"{ex.id:34} {ex.phase:9} {ex.position:10} {ex.name}", err=False)
