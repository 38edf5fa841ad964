"""Problems with user-supplied files, and the error that carries them to the command line.

Every problem names the file, the entry inside it and the field, says what is wrong and, where it
can, how to fix it. Commands print one line per problem and exit non-zero; no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    entry: str = ""
    field: str = ""
    message: str = ""
    hint: str = ""

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
