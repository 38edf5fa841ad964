"""``imbalance explain``: why a muscle was flagged, why not, and what if."""

from __future__ import annotations

from pathlib import Path

import click

from . import knowledge, main
from .printing import dump, emit, emit_text, stdout_dash


@main.command()
@click.argument("muscle")
@click.option("--case", "case_file", required=True, type=click.Path(path_type=Path),
              help="The case file to explain (- reads it from standard input).")
@click.option("--state", type=click.Choice(["overactive", "underactive"]),
              help="Only this state (default: either).")
@click.option("--side", type=click.Choice(["left", "right", "both"]),
              help="Only this side (default: any).")
@click.option("--why-not", is_flag=True,
              help="Explain why the muscle is NOT flagged (in that state / on that side): the "
                   "rules that could flag it and which premises were missing or answered no.")
@click.option("--what-if", "what_if", multiple=True, metavar="OBS=VALUE",
              help="Change answers and show the difference in findings; repeat the option or "
                   "separate with commas (e.g. --what-if anterior_pelvic_tilt=no,"
                   "neck_pain=yes:0.6).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "dot", "svg"]),
              default="text", show_default=True,
              help="text for people, json for programs, dot (Graphviz) or svg for a picture "
                   "of the explanation.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write to this file (atomically) instead of stdout.")
@click.pass_context
def explain(ctx: click.Context, muscle: str, case_file: Path, state: str | None,
            side: str | None, why_not: bool, what_if: tuple[str, ...], fmt: str,
            out: Path | None) -> None:
    """Explain a finding of CASE about MUSCLE: the derivation tree from the finding down to
    the answers, each step with its rule, rationale, sources and the anatomy behind it, and
    the smallest change of answers that would clear it.

    \b
    Examples:
      imbalance explain psoas_major --case examples/cases/seed_a_low_back_pain_apt.yaml
      imbalance explain upper_trapezius --side right --why-not --case CASE
      imbalance explain gluteus_maximus --case CASE --what-if anterior_pelvic_tilt=no
      imbalance explain psoas_major --case CASE --format svg --out why.svg
    """
    from ..case import load_case
    from ..explain import picture, text
    from ..explain.counterfactual import why_and_change, why_not_and_change
    from ..explain.target import parse_target
    from ..inference.reasoner import Reasoner

    kb = knowledge(ctx)
    target = parse_target(kb, muscle, state, side)
    case = load_case(case_file, kb)
    reasoner = Reasoner(kb)
    outcome = reasoner.evaluate(case)
    if what_if:
        if fmt in ("dot", "svg"):
            raise click.UsageError("--what-if shows a difference; use --format text or json")
        from ..explain.whatif import parse_changes
        from ..explain.whatif import what_if as compare
        data = compare(reasoner, case, parse_changes(kb, what_if))
        if fmt == "json":
            emit(dump(data), out, [case_file])
        else:
            emit_text(text.what_if_text(data), out, [case_file])
        return
    if why_not:
        data = why_not_and_change(reasoner, case, outcome, target)
        graph = picture.why_not_graph(data, kb)
        render = text.why_not_text
    else:
        data = why_and_change(reasoner, case, outcome, target)
        graph = picture.explanation_graph(data, kb)
        render = text.why_text
    if fmt == "json":
        emit(dump(data), out, [case_file])
    elif fmt == "dot":
        emit(picture.to_dot(graph, graph.name), out, [case_file])
    elif fmt == "svg":
        emit(picture.to_svg(graph), out, [case_file])
    else:
        emit_text(render(data), out, [case_file])

