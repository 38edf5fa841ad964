"""What the commands print and write: the report on stdout or in an ``--out`` file, lines on
stderr, and the state of the standard streams.

Every text that reaches a terminal or an output file from here has its control characters
escaped (:func:`expert.escaping.printable`), so a case cannot send escape sequences to the
terminal. ``--out`` files are written as :mod:`expert.output` says (atomically for regular
files, straight through for devices and FIFOs, links followed) and never over an input of the
command or a knowledge-base file.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from .. import indented_json
from ..escaping import json_text, printable


def stdout_dash(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """``--out -`` means standard output, as for any Unix tool."""
    return None if value is not None and str(value) == "-" else value


def emit(text: str, out: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Write text to stdout, or to the file ``out``, which must not be one of ``inputs``."""
    text = printable(text)
    if out is None:
        click.echo(text, nl=False)
        return
    from ..output import refuse_inputs, write_atomic
    refuse_inputs(out, [*inputs, *knowledge_files()])
    write_atomic(out, text)


def emit_text(text: str, out: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Like :func:`emit`, for text a person reads: on a terminal each long line is wrapped to
    its width at spaces (indented under itself); a file or a pipe gets the lines whole."""
    if out is None and sys.stdout is not None:
        from .. import terminal
        if terminal.is_terminal(sys.stdout):
            size = terminal.columns(sys.stdout)
            text = "".join(part + "\n" for line in text.splitlines()
                           for part in terminal.refill(line, size))
    emit(text, out, inputs)


def emit_bytes(data: bytes, out: Path, inputs: Iterable[Path] = ()) -> None:
    """Write binary output (a PDF) to the file ``out``, which must not be one of ``inputs``."""
    from ..output import refuse_inputs, write_atomic_bytes
    refuse_inputs(out, [*inputs, *knowledge_files()])
    write_atomic_bytes(out, data)


def say(text: str, err: bool = True) -> None:
    """One line for the person (on stderr unless ``err`` is false), control characters
    escaped. On a terminal it is wrapped to the window, whole words only, the rest indented;
    to a file or a pipe it stays one line (one problem, one line)."""
    from .. import terminal
    text = printable(text)
    stream = sys.stderr if err else sys.stdout
    if "\n" not in text and terminal.is_terminal(stream):
        text = "\n".join(terminal.fold(text, terminal.columns(stream)))
    click.echo(text, err=err)


def dump(data: Any) -> str:
    return json_text(indented_json.dumps(data)) + "\n"


def knowledge_files() -> list[Path]:
    """The files of the knowledge base in use (an output must never replace one)."""
    from ..knowledge.files import entries
    from ..knowledge.locate import default_root

    context = click.get_current_context(silent=True)
    root = (context.obj or {}).get("kb_path") if context is not None else None
    return entries(Path(root or default_root()))


class ClosedStream(io.TextIOBase):
    """Stands in for a standard stream that was closed when the program started
    (``imbalance run CASE >&-``): writing to it is an error that says so, instead of the
    report being lost without a word."""

    def __init__(self, name: str) -> None:
        self.stream_name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if not text:
            return 0
        from ..output import OutputError
        raise OutputError(self.stream_name, "is closed, so the output would be lost",
                          "redirect it to a file, or give --out FILE")


def guard_standard_streams() -> None:
    """Closed standard streams: point their descriptors at the null device (so that no file
    opened later takes descriptor 1 by accident) and make writing to a closed stdout an error
    instead of silence."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stdout is None:
        sys.stdout = ClosedStream("standard output")
