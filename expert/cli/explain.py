"""``imbalance explain``: why a muscle was flagged, why not, and what if."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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
        data = _why_not(reasoner, case, outcome, target)
        graph = picture.why_not_graph(data, kb)
        render = text.why_not_text
    else:
        data = _why(reasoner, case, outcome, target)
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


def _why(reasoner: Any, case: Any, outcome: Any, target: Any) -> dict[str, Any]:
    from ..explain.target import findings_for
    from ..explain.whatif import clearing_candidates, smallest_change
    from ..explain.why import why
    from ..provenance import answers_behind

    kb = reasoner.kb
    data = why(kb, case, outcome, target)
    for f, entry in zip(findings_for(kb, outcome, target), data["findings"], strict=True):
        behind = [p.id for c in f.support for p in answers_behind(c, outcome.signs)
                  if p.kind == "answer"]
        entry["counterfactual"] = smallest_change(
            reasoner, case, target, clearing_candidates(kb, case, behind), clear=True)
    return data


def _why_not(reasoner: Any, case: Any, outcome: Any, target: Any) -> dict[str, Any]:
    from ..explain.whatif import raising_candidates, smallest_change
    from ..explain.whynot import why_not

    kb = reasoner.kb
    data = why_not(kb, case, outcome, target)
    if data["status"] not in ("flagged", "referral"):
        candidates = raising_candidates(kb, [*data["missing"], *data["answered_no"]],
                                        target.side)
        data["counterfactual"] = smallest_change(reasoner, case, target, candidates,
                                                 clear=False)
    return data
