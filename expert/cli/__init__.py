"""The ``imbalance`` command line.

Heavy imports (experta, pydantic, rich, networkx) happen inside the commands, so ``--help``
stays fast, and a command's module is imported only when it runs or the help lists it
(``COMMANDS``). Bad input is reported one problem per line on stderr, with exit status 1 and no
traceback unless ``--debug`` is given.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__, signals

# exit statuses beyond 0 (success), 1 (bad input, output not written) and 2 (bad command line);
# a signal that stops the program gives 128 + its number (SIGTERM 143, SIGHUP 129)
EXIT_INTERRUPTED = 130  # Ctrl-C
EXIT_PIPE = 141  # the reader of stdout went away, as for a process ended by SIGPIPE


class Stopped(BaseException):
    """The process was asked to stop (SIGTERM) or its terminal went away (SIGHUP): unwinds
    like Ctrl-C, so temporary files are removed and worker processes stopped."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop(signum: int, frame: Any) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second signal must not cut the clean-up short
    raise Stopped(signum)


def _stop_on_signals() -> contextlib.AbstractContextManager[None]:
    """SIGTERM and SIGHUP raise :class:`Stopped` while a command runs (main thread only)."""
    return signals.caught(_stop)


def _quiet_stdout() -> None:
    """The reader of stdout went away: send what is left to the null device, so that the
    interpreter's last flush does not complain."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def examples(*lines: str) -> str:
    """A command's help epilog: an "Examples:" section, its lines kept as they are."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


# each command and the modules that define it (each registers its commands on ``main``),
# imported only when the command runs or the help lists it, so a command does not pay for the
# others' imports
COMMANDS: dict[str, tuple[str, ...]] = {
    "batch": ("batch",), "client": ("client", "progress"), "compare": ("compare",),
    "consult": ("consult",), "db": ("db",), "explain": ("explain",), "kb": ("kb",),
    "run": ("run",), "schema": ("schema",), "serve": ("serve",)}


class _Cli(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        for module in COMMANDS.get(cmd_name, ()):
            importlib.import_module(f"{__name__}.{module}")
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        from .printing import guard_standard_streams, say

        debug = bool(ctx.params.get("debug"))
        guard_standard_streams()
        try:
            with _stop_on_signals():
                try:
                    return super().invoke(ctx)
                finally:  # a broken or closed stdout shows here, not at the interpreter's exit
                    if sys.stdout is not None:
                        sys.stdout.flush()
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # the reader went away (| head): stop quietly, as Unix tools do, with the status
            # of a process ended by SIGPIPE
            if debug:
                raise
            _quiet_stdout()
            ctx.exit(EXIT_PIPE)
        except KeyboardInterrupt:
            if debug:
                raise
            say("interrupted")
            ctx.exit(EXIT_INTERRUPTED)
        except Stopped as stop:
            if debug:
                raise
            say("stopped by a signal" if stop.signum != getattr(signal, "SIGTERM", 15)
                else "terminated")
            ctx.exit(128 + stop.signum)
        except Exception as exc:
            if debug:
                raise
            from ..output import OutputError
            from ..problems import InputError
            if isinstance(exc, InputError):
                for problem in exc.problems:
                    say(problem.line())
            elif isinstance(exc, OutputError):
                say(str(exc))
            else:
                say(f"error: {exc.__class__.__name__}: {exc} (run with --debug for the traceback)")
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
      imbalance consult                          # answer questions, leave with a programme
      imbalance run examples/cases/seed_a_low_back_pain_apt.yaml
      imbalance run case.yaml --format pdf --out sheet.pdf
      imbalance explain psoas_major --case case.yaml
      imbalance batch examples/cases --report report.html --out records.jsonl
      imbalance kb check

    Each command's --help has its own examples (imbalance run --help).
    """
    ctx.obj = {"kb_path": kb_path, "debug": debug}


def knowledge(ctx: click.Context) -> Any:
    from ..knowledge.locate import knowledge_base
    return knowledge_base(ctx.obj["kb_path"])

