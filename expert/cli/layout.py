"""Layout helpers for the text reports: numbered lists whose text wraps at spaces beside a
gutter (what a narrow terminal gets instead of a table), and runs of numbers in words."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text


def hanging(console: Console, rows: Sequence[tuple[str, Text | str]], gutter: int = 4) -> None:
    """Rows of a numbered list: the label in a gutter, the text wrapped at spaces beside it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, min_width=gutter)
    grid.add_column(overflow="fold")
    for label, text in rows:
        grid.add_row(label, text)
    console.print(grid)


def numbers_text(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1–3, 5"."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 2 else ", ".join(map(str, r))
                     for r in runs)
