"""The terminal: plain text when output is piped, colour only on a terminal, never with
``--no-color`` or ``NO_COLOR``; lines read through click so that tests can script them; and the
signals of a terminal that goes away (SIGHUP) or a stop request (SIGTERM)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import click
from click.utils import should_strip_ansi

from ..escaping import printable

WIDTH = 88


class Hangup(BaseException):
    """The terminal went away (SIGHUP) or the process was asked to stop (SIGTERM)."""


@contextlib.contextmanager
def hangup_guard() -> Iterator[None]:
    """Turn SIGHUP and SIGTERM into an exception so that the session is saved and the exit is
    clean (only possible in the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_hangup(signum: int, frame: Any) -> None:
        raise Hangup(signum)

    previous = {}
    for name in ("SIGHUP", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, raise_hangup)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def use_color(no_color: bool) -> bool:
    """Colour only on a terminal, and never when asked not to (``--no-color``, ``NO_COLOR``)."""
    if no_color or os.environ.get("NO_COLOR"):
        return False
    return not should_strip_ansi(sys.stdout)


class Screen:
    def __init__(self, color: bool) -> None:
        self.color = color

    def style(self, text: str, **style: Any) -> str:
        return click.style(text, **style) if self.color and style else text

    def say(self, text: str = "", **style: Any) -> None:
        click.echo(self.style(printable(text), **style), color=self.color)

    def wrap(self, text: str, indent: str = "", first: str | None = None, **style: Any) -> None:
        """Say ``text`` wrapped to the width; ``first`` prefixes the first line (a number)."""
        for line in textwrap.wrap(" ".join(text.split()), WIDTH,
                                  initial_indent=indent if first is None else first,
                                  subsequent_indent=indent, break_on_hyphens=False,
                                  break_long_words=False) or [""]:  # file names stay whole
            self.say(line, **style)

    def lines(self, lines: list[str], **style: Any) -> None:
        for line in lines:
            if len(line) <= WIDTH:
                self.say(line, **style)
                continue
            pad = " " * (len(line) - len(line.lstrip()) + 2)
            wrapped = textwrap.wrap(line, WIDTH, subsequent_indent=pad)
            for part in wrapped:
                self.say(part, **style)

    def read(self, prompt: str) -> str:
        """One line from the person. EOFError at end of input, KeyboardInterrupt on Ctrl-C."""
        return click.termui.visible_prompt_func(self.style(prompt, bold=True))

    def console(self) -> Any:
        from rich.console import Console
        if self.color:
            return Console(highlight=False)
        return Console(highlight=False, no_color=True, color_system=None,
                       width=max(WIDTH, 100) if not sys.stdout.isatty() else None)
