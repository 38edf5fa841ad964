"""``imbalance batch``: run many case files, stream one record per case, score them against
their expected answers and write an evaluation report."""

from __future__ import annotations

import itertools
import os
import sys
import time
from pathlib import Path
from typing import Any

import click

from . import knowledge, main
from .printing import say, stdout_dash

EXIT_OK, EXIT_INPUT, EXIT_MISSED = 0, 1, 3


@main.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write the records to this file (atomically, when the run ends; devices "
                   "such as /dev/null and FIFOs straight through) instead of stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True, help="jsonl: one record per case; csv: one row per finding.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes (default: the number of CPUs; at most 4 per CPU and one "
                   "per case); 1 runs in this process.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the evaluation report: FILE.html (with charts), FILE.md or FILE.json.")
@click.option("--check", is_flag=True,
              help="Exit with status 3 when a case misses its expected answers.")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when stderr is a terminal).")
@click.option("--no-program", is_flag=True,
              help="Do not build the corrective programmes (faster; records' program is null).")
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask distributed cluster: tcp://HOST:8786, or local:N to start N "
                   "worker processes here (pip install 'imbalance-expert[dask]').")
@click.option("--connect-timeout", type=click.FloatRange(min=0.1), default=10.0,
              show_default=True, metavar="SECONDS",
              help="With --scheduler: how long to wait for the scheduler and a worker.")
@click.option("--chunk", type=click.IntRange(min=1), metavar="N",
              help="Cases per task sent to a worker (default: 16 locally, 64 on a cluster).")
@click.pass_context
def batch(ctx: click.Context, paths: tuple[str, ...], out: Path | None, fmt: str,
          jobs: int | None, report: Path | None, check: bool, progress: bool | None,
          no_program: bool, quiet: bool, scheduler: str | None, connect_timeout: float,
          chunk: int | None) -> None:
    """Evaluate many cases and score them against their expected answers.

    PATH is a case file (YAML or JSON), a directory (searched recursively for .yaml, .yml,
    .json and .jsonl files), a quoted glob pattern, a JSON Lines file (.jsonl: one case per
    line) or - for JSON Lines on stdin. Records stream out in input order, whatever --jobs is.
    A case that cannot be read becomes a record with its errors (file and line); the run goes
    on. With --scheduler the cases run on a Dask cluster, with the same records. Formats and
    definitions: docs/batch.md.

    \b
    Exit status:
      0  every case was read and evaluated (and, with --check, met its expectations)
      1  some cases could not be read or had problems (see their records' errors), or
         --out/--report cannot be written or names an input of the run, or the
         --scheduler cannot run the batch (unreachable, no workers, another knowledge base)
      2  bad command line
      3  with --check: every case was read, but some missed their expected answers
      130, 143  interrupted (Ctrl-C) or terminated (SIGTERM): no output file is written
      141  the reader of stdout went away (| head): stopped quietly

    \b
    Examples:
      imbalance batch examples/cases --report report.html > records.jsonl
      imbalance batch examples/cases --check --quiet --out /dev/null
      imbalance batch 'cases/**/*.yaml' more.jsonl --format csv --out findings.csv
      imbalance batch cases.jsonl --scheduler tcp://10.0.0.5:8786 --out records.jsonl
    """
    from ..batch.rendering import report_format

    report_fmt = None
    if report is not None:
        report_fmt = report_format(report)
        if report_fmt is None:
            raise click.BadParameter("the report must end in .html, .md or .json",
                                     param_hint="--report")
    if scheduler is not None:
        _check_scheduler(scheduler, jobs)
    from ..batch.cluster import ClusterError
    from ..batch.records import Output
    from ..batch.runner import Evaluator, Settings, run
    from ..batch.sources import STDIN, count

    _check_outputs(paths, out, report)
    kb = knowledge(ctx)
    kb_path = str(ctx.obj["kb_path"]) if ctx.obj["kb_path"] else None
    evaluator: Any
    if scheduler is None:
        settings = Settings(kb_path=kb_path, jobs=_jobs(paths, jobs), debug=ctx.obj["debug"],
                            program=not no_program, chunksize=chunk or 16)
        evaluator = Evaluator(settings)
    else:
        from ..batch.cluster import ClusterEvaluator, Plan
        evaluator = ClusterEvaluator(Plan(scheduler, kb_path, chunk or 64, connect_timeout,
                                          ctx.obj["debug"], not no_program))
    show = sys.stderr.isatty() if progress is None else progress
    on_terminal = show and out is None and sys.stdout.isatty()  # records print above the bar
    if STDIN in paths and sys.stdin is None:
        from ..problems import InputError, Problem
        raise InputError([Problem("<stdin>", message="is closed, so there are no cases to read",
                                  hint="pipe JSON Lines into it, or give files")])
    stdin = sys.stdin.buffer if STDIN in paths else None
    started = time.perf_counter()
    try:
        with evaluator, _Bar(show, count(paths) if show else None, on_terminal) as bar, \
                Output(out, fmt, bar.stdout) as output:
            board = run(paths, evaluator, kb, output.write, bar.advance, stdin)
    except ClusterError as exc:
        say(str(exc))  # one line: what is wrong with the cluster and what to do
        ctx.exit(EXIT_INPUT)
    elapsed = time.perf_counter() - started
    results = board.results(list(paths))
    if report is not None and report_fmt is not None:
        from ..batch.rendering import render
        from ..output import write_atomic
        write_atomic(report, render(results, report_fmt))
    if not quiet:
        how = evaluator.describe() if scheduler else \
            f"{settings.jobs} job{'s' * (settings.jobs != 1)}"
        _summary(results, elapsed, how, report)
    cases = results["cases"]
    if cases["with_errors"]:
        ctx.exit(EXIT_INPUT)
    if check and cases["missed"]:
        ctx.exit(EXIT_MISSED)


JOBS_PER_CPU = 4


def _check_scheduler(scheduler: str, jobs: int | None) -> None:
    """A usable --scheduler value, and Dask installed (before anything is read or run)."""
    from ..batch.cluster import scheduler_problem

    problem = scheduler_problem(scheduler)
    if problem is not None:
        raise click.BadParameter(problem, param_hint="--scheduler")
    if jobs is not None:
        raise click.BadParameter("--jobs is for the local pool; with --scheduler, local:N "
                                 "sets the workers", param_hint="--jobs")
    try:
        import distributed  # noqa: F401
    except ImportError:
        from ..problems import InputError, Problem
        raise InputError([Problem("--scheduler", message="needs Dask (dask[distributed]), "
                                  "which is not installed",
                                  hint="pip install 'imbalance-expert[dask]'")]) from None


def _jobs(paths: tuple[str, ...], asked: int | None) -> int:
    """The worker processes to start: as asked (default: the CPU count), but at most
    JOBS_PER_CPU per CPU (more only costs memory: each worker holds an engine) and never more
    than there are cases."""
    from ..batch.runner import cpu_count

    cpus = cpu_count()
    jobs = asked or cpus
    if jobs > JOBS_PER_CPU * cpus:
        say(f"note: --jobs {jobs} is more than {JOBS_PER_CPU} per CPU; using "
            f"{JOBS_PER_CPU * cpus} ({cpus} CPU{'s' * (cpus != 1)})")
        jobs = JOBS_PER_CPU * cpus
    return max(1, min(jobs, _at_least(paths, jobs)))


def _at_least(paths: tuple[str, ...], limit: int) -> int:
    """How many cases the paths hold, counted up to ``limit`` without reading any file (a JSON
    Lines file or stdin counts as ``limit``)."""
    from ..batch.sources import STDIN, expand, is_lines

    found = 0
    for arg in paths:
        if arg == STDIN:
            return limit
        for item in expand(arg):
            if isinstance(item, Path) and is_lines(item):
                return limit
            found += 1
            if found >= limit:
                return limit
    return found


def _check_outputs(paths: tuple[str, ...], out: Path | None, report: Path | None) -> None:
    """Refuse, before any case is run, outputs that cannot be written or that are inputs of
    the run (a case file, a JSON Lines file, a file inside a folder given; the knowledge
    base)."""
    from ..batch.sources import STDIN, expand
    from ..output import OutputError, check, refuse_inputs
    from .printing import knowledge_files

    for path in (out, report):
        if path is None:
            continue
        check(path)
        inputs = (p for arg in paths if arg != STDIN for p in expand(arg) if isinstance(p, Path))
        refuse_inputs(path, itertools.chain(inputs, knowledge_files()))
    if out is not None and report is not None and (
            os.path.realpath(out) == os.path.realpath(report)):
        raise OutputError(report, "is also the --out file: the report would replace the "
                                  "records", "give the report its own file name")


class _Bar:
    """A rich progress bar on stderr, or nothing. When the records go to the same terminal,
    the bar is drawn on stdout and :attr:`stdout` prints the records above it, unwrapped."""

    def __init__(self, show: bool, total: int | None, on_terminal: bool = False) -> None:
        self.show = show
        self.total = total
        self.on_terminal = on_terminal
        self.stdout: Any = None
        self._progress: Any = None
        self._task: Any = None
        self._problems = 0

    def __enter__(self) -> _Bar:
        if self.show:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            self._progress = Progress(
                TextColumn("[bold]cases"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[problems]}"), TimeElapsedColumn(),
                TextColumn("eta"), TimeRemainingColumn(),
                console=Console(stderr=not self.on_terminal), redirect_stdout=False,
                redirect_stderr=False)
            self._progress.start()
            if self.on_terminal:
                self.stdout = _Lines(self._progress.console)
            self._task = self._progress.add_task("cases", total=self.total, problems="")
        return self

    def advance(self, record: dict[str, Any]) -> None:
        if self._progress is None:
            return
        if record["errors"]:
            self._problems += 1
            self._progress.update(self._task, advance=1,
                                  problems=f"[red]{self._problems} with problems")
        else:
            self._progress.update(self._task, advance=1)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            done = self._progress.tasks[0].completed
            self._progress.update(self._task, total=done)
            self._progress.stop()


class _Lines:
    """Text written to a rich console as it is: no markup, highlighting or wrapping."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def write(self, text: str) -> None:
        self.console.out(text, end="", highlight=False)

    def flush(self) -> None:
        self.console.file.flush()


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _summary(r: dict[str, Any], elapsed: float, how: str, report: Path | None) -> None:
    from ..batch.records import error_text

    c = r["cases"]
    speed = c["total"] / elapsed if elapsed > 0 else 0.0
    say(f"{c['total']:,} cases in {elapsed:.2f} s ({speed:,.0f} cases/s, {how}): "
        f"{c['evaluated']:,} evaluated, {c['failed']:,} could not be "
        f"evaluated, {c['with_errors']:,} with problems")
    if c["checked"]:
        say(f"expectations: {c['passed']:,} of {c['checked']:,} cases agree, "
            f"{c['missed']:,} disagree")
        for state, s in r["states"].items():
            say(f"  {state:<11} precision {_rate(s['precision'])}  recall {_rate(s['recall'])}  "
                f"F1 {_rate(s['f1'])}")
        ref = r["referral"]
        say(f"  sides {r['sides']['right']}/{r['sides']['checked']} right; referrals "
            f"{ref['correct']}/{ref['checked']} right, {ref['missed']} missed")
    else:
        say("expectations: no case has an expected block")
    if r["screen"]["open"]:
        say(f"safety screen: {r['screen']['open']:,} case{'s' * (r['screen']['open'] != 1)} "
            "without a referral left safety questions open (programme withheld)")
    rules = r["rules"]
    never = ", ".join(n["id"] for n in rules["never"][:8])
    more = f" and {len(rules['never']) - 8} more" if len(rules["never"]) > 8 else ""
    say(f"rules: {rules['fired']} of {rules['total']} fired" +
        (f"; never: {never}{more}" if never else ""))
    for d in r["disagreements"]["shown"][:10]:
        where = d["source"] + (f":{d['line']}" if d["line"] else "")
        say(f"disagrees: {d['case_id']} ({where}): {'; '.join(d['misses'])}")
    for p in r["problems"]["shown"][:10]:
        for e in p["errors"]:
            say(error_text(e))
    hidden = r["problems"]["more"] + max(0, len(r["problems"]["shown"]) - 10)
    if hidden > 0:
        say(f"... and {hidden:,} more cases with problems (see their records)")
    if report is not None:
        say(f"report: {report}")
