"""Did-you-mean suggestions for misspelt ids (observations, muscles, sources, …), shared by the
case reader, the knowledge-base checks and the command line."""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

_LONGEST = 100  # no id is longer; a longer word is not a misspelt id


def closest(word: str, choices: Iterable[str], n: int = 1) -> list[str]:
    """The ``n`` choices closest to ``word``, best first (none when nothing is close)."""
    if len(word) > _LONGEST:
        return []
    return get_close_matches(word, sorted(choices), n=n, cutoff=0.6)


def suggest(word: str, choices: Iterable[str]) -> str:
    """``did you mean 'x'?`` for the closest choice, or "" when none is close."""
    close = closest(word, choices)
    return f"did you mean {close[0]!r}?" if close else ""
