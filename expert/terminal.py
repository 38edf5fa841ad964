"""The terminal's width and text wrapped to it, whole words only.

Text for a person is wrapped to the width of the terminal it goes to (read again for every
paragraph, so a window resized mid-consultation is followed), never narrower than ``MINIMUM``
and, for running prose, never wider than ``PROSE``. Output that is not a terminal keeps the
``COLUMNS`` the caller sets, or ``PIPED`` columns: the same text whatever terminal the tests run
from. Words are never broken; a word longer than the line (a file name) stays whole.
"""

from __future__ import annotations

import os
import textwrap
from typing import IO, Any

MINIMUM = 40  # narrower than this, wrapping does more harm than good
PROSE = 100  # longer lines are hard to read
PIPED = 88  # the width of text sent to a file or a pipe


def is_terminal(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def columns(stream: IO[Any] | None = None) -> int:
    """The columns of the terminal ``stream`` writes to (standard output by default): its
    window size on a terminal, else ``COLUMNS``, else ``PIPED``; at least ``MINIMUM``."""
    import sys
    stream = sys.stdout if stream is None else stream
    found = 0
    if is_terminal(stream):
        try:
            found = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, ValueError, OSError):
            found = 0
    if not found:
        env = os.environ.get("COLUMNS", "")
        found = int(env) if env.isdigit() and int(env) > 0 else PIPED
    return max(MINIMUM, found)


def width(stream: IO[Any] | None = None) -> int:
    """The width to wrap running prose to: the terminal's, at most ``PROSE``."""
    return min(PROSE, columns(stream))


def wrap(text: str, size: int, indent: str = "", first: str | None = None) -> list[str]:
    """``text`` as lines of at most ``size`` characters (a longer word stays whole), spaces
    collapsed; ``first`` prefixes the first line instead of ``indent`` (a number)."""
    return textwrap.wrap(" ".join(text.split()), max(size, len(indent) + 10),
                         initial_indent=indent if first is None else first,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False) or [first or ""]


def refill(line: str, size: int) -> list[str]:
    """A line of preformatted text wrapped to ``size``, keeping its indent and hanging the
    rest of it two columns further in."""
    if len(line) <= size:
        return [line]
    lead = line[:len(line) - len(line.lstrip())]
    return wrap(line, size, lead + "  ", lead)


def fold(line: str, size: int) -> list[str]:
    """One line of output (a message, a row of a listing) folded at spaces to ``size``, the
    rest indented two columns; its spacing is kept (columns stay aligned)."""
    if len(line) <= size:
        return [line]
    return textwrap.wrap(line, size, subsequent_indent="  ", break_on_hyphens=False,
                         break_long_words=False, replace_whitespace=False) or [line]
