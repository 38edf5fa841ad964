"""Problems with user-supplied files, and the error that carries them to the command line.

Every problem names the file, the entry inside it and the field, says what is wrong and, where it
can, how to fix it. Commands print one line per problem and exit non-zero; no traceback. Values
from the input are quoted through :func:`shown`, and every part of a problem is bounded, so a huge
input value never makes a huge message.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field

SHOWN = 60  # characters of an input value echoed in a message
_ENTRY = 100  # characters of an entry or field name (they come from the input's keys)
_MESSAGE = 1000  # a last bound for any message
_FILE = 4096  # the longest path Linux opens

_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")  # what splitlines() splits at
_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = SHOWN
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict = 3, 6, 6, 6


def clip(text: str, limit: int = SHOWN) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def shown(value: object, limit: int = SHOWN) -> str:
    """A value from the input as a message quotes it (its repr), cut to a readable length.
    The work is bounded too: a value built from nested YAML aliases is never expanded."""
    if isinstance(value, str) and len(value) > limit:
        return clip(repr(value[:limit]), limit - 1) + "'"
    return clip(_REPR.repr(value), limit)


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    entry: str = ""
    field: str = ""
    message: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        # entries and fields quote the input's keys; every part is bounded for whatever prints
        # or records it (a 1 MB key must not become a 1 MB error line) and one line long (a key
        # holding a newline must not make one problem look like two)
        for name, limit in (("file", _FILE), ("entry", _ENTRY), ("field", _ENTRY),
                            ("message", _MESSAGE), ("hint", _MESSAGE)):
            value = getattr(self, name)
            if len(value) > limit:
                value = clip(value, limit)
            if _BREAKS.search(value):
                value = _BREAKS.sub(lambda m: repr(m.group())[1:-1], value)
            object.__setattr__(self, name, value)

    def line(self) -> str:
        where = self.file
        if self.entry:
            where += f": {self.entry}"
        if self.field:
            where += f": {self.field}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class InputError(Exception):
    """Bad input: one or more problems that stop this file (not the whole program)."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(p.line() for p in self.problems)
