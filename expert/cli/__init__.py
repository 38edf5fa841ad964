"""The ``imbalance`` command line.

Heavy imports (experta, pydantic, rich, networkx) happen inside the commands, so ``--help``
stays fast. Bad input is reported one problem per line on stderr, with exit status 1 and no
traceback unless ``--debug`` is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .. import __version__


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            if debug:
                raise
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if debug:
                raise
            from ..problems import InputError
            if isinstance(exc, InputError):
                for problem in exc.problems:
                    click.echo(problem.line(), err=True)
            else:
                click.echo(f"error: {exc.__class__.__name__}: {exc} "
                           "(run with --debug for the traceback)", err=True)
            ctx.exit(1)


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imbalance")
@click.option("--kb", "kb_path", type=click.Path(file_okay=False, path_type=Path),
              envvar="IMBALANCE_KB", metavar="DIR",
              help="Knowledge base folder holding facts/ and rules/ (default: the one shipped "
                   "with the program; env IMBALANCE_KB).")
@click.option("--debug", is_flag=True, help="Show the full traceback on errors.")
@click.pass_context
def main(ctx: click.Context, kb_path: Path | None, debug: bool) -> None:
    """Infer probably overactive and underactive muscles from what a person reports and a
    trainer observes, and show the reasoning.

    An educational and trainer aid, not a diagnosis. Red flags stop everything and produce a
    referral instead of findings.

    \b
    Examples:
      imbalance run examples/cases/seed_a_low_back_pain_apt.yaml
      imbalance run case.yaml --format json --out report.json
      imbalance kb check
    """
    ctx.obj = {"kb_path": kb_path, "debug": debug}


def knowledge(ctx: click.Context) -> Any:
    from ..knowledge.locate import knowledge_base
    return knowledge_base(ctx.obj["kb_path"])


# each module registers its commands on main
from . import batch, consult, explain, kb, run, schema  # noqa: E402,F401
