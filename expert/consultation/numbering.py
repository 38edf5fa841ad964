"""The numbers of the questions, as the person sees them: one number per question put, in the
order asked, with no gaps. An answer given by picking a line of a checklist is part of that
checklist's question and has no number of its own (the side asked after it neither); ``review``
shows it under the checklist, and ``change N`` names questions by these numbers."""

from __future__ import annotations

from collections.abc import Sequence

from .session import Item


def numbers(items: Sequence[Item]) -> list[int]:
    """The question number of each answer (a pick: its checklist's number)."""
    out: list[int] = []
    of_checklist: dict[str, int] = {}
    n = 0
    for item in items:
        if item.picked:
            out.append(of_checklist.get(item.picked, n))
            continue
        n += 1
        out.append(n)
        if item.is_checklist:
            of_checklist[item.key] = n
    return out


def asked(items: Sequence[Item]) -> int:
    """How many questions have been put (the next one is this plus one)."""
    return sum(1 for item in items if not item.picked)


def position(items: Sequence[Item], number: int) -> int | None:
    """The index in ``items`` of question ``number``'s answer, or None if there is none."""
    return next((i for i, (item, n) in enumerate(zip(items, numbers(items), strict=True))
                 if n == number and not item.picked), None)


def last_step(items: Sequence[Item]) -> int | None:
    """The index of the answer given last, as ``back`` undoes it: a pick whose side is still
    to be asked (or that has no side) was given with its checklist, so the step before it is
    the checklist (or the side of an earlier pick)."""
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if item.picked and (item.side_pending or not item.side_asked):
            continue
        return i
    return None
