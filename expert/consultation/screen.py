"""The terminal: plain text when output is piped, colour only on a terminal, never with
``--no-color`` or ``NO_COLOR``; lines read through click so that tests can script them; and the
signals of a terminal that goes away (SIGHUP) or a stop request (SIGTERM)."""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import click
from click.utils import should_strip_ansi

from .. import signals, terminal
from ..escaping import printable


class Hangup(BaseException):
    """The terminal went away (SIGHUP) or the process was asked to stop (SIGTERM)."""


def _raise_hangup(signum: int, frame: Any) -> None:
    raise Hangup(signum)


def hangup_guard() -> contextlib.AbstractContextManager[None]:
    """Turn SIGHUP and SIGTERM into an exception so that the session is saved and the exit is
    clean (only possible in the main thread)."""
    return signals.caught(_raise_hangup)


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
        """Say a line; on a terminal, one longer than the width is wrapped at spaces, the rest
        indented (to a file or a pipe it stays one line)."""
        text = printable(text)
        lines = terminal.refill(text, self.width) if terminal.is_terminal(sys.stdout) else [text]
        for line in lines:
            click.echo(self.style(line, **style), color=self.color)

    @property
    def width(self) -> int:
        """The width to wrap to, read again each time (the window may have been resized)."""
        return terminal.width()

    def command(self, intro: str, command: str, **style: Any) -> None:
        """Say ``intro`` and the command line ``command``: on the same line when it fits,
        else on a line of its own, never broken (it is copied as it stands)."""
        if len(intro) + 1 + len(command) <= self.width:
            self.say(f"{intro} {command}", **style)
            return
        self.wrap(intro, **style)
        click.echo(self.style(printable(f"  {command}"), **style), color=self.color)

    def wrap(self, text: str, indent: str = "", first: str | None = None, **style: Any) -> None:
        """Say ``text`` wrapped to the terminal's width, whole words only (file names stay
        whole); ``first`` prefixes the first line (a number)."""
        for line in terminal.wrap(text, self.width, indent, first):
            self.say(line, **style)

    def lines(self, lines: list[str], **style: Any) -> None:
        """Say preformatted lines, each wrapped to the width with a hanging indent."""
        size = self.width
        for line in lines:
            for part in terminal.refill(line, size):
                self.say(part, **style)

    def read(self, prompt: str) -> str:
        """One line from the person. EOFError at end of input, KeyboardInterrupt on Ctrl-C."""
        if terminal.is_terminal(sys.stdout) and len(prompt) > self.width:
            # a long prompt: its words wrapped, the answer typed after its last line
            *before, prompt = terminal.wrap(prompt, self.width - 2)
            for line in before:
                self.say(line, bold=True)
            prompt += " "
        return click.termui.visible_prompt_func(self.style(prompt, bold=True))

    def console(self) -> Any:
        """A rich console as wide as the terminal (the report at the end)."""
        from rich.console import Console
        size = terminal.columns()
        if self.color:
            return Console(highlight=False, width=size)
        return Console(highlight=False, no_color=True, color_system=None, width=size)
