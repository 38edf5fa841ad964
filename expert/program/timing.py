"""How long a programme item takes, for the session-time estimate.

An item's time comes from its dose (sets; reps at the tempo, or holds; sides) and, where the dose
does not say, its technique's ``timing`` in ``facts/doses.yaml`` (seconds to get into position on
each side, per rep when the tempo is not in seconds, per set when the dose gives neither reps nor
a hold, rest between sets)::

    seconds = sides * (setup + sets * work) + (sets - 1) * rest
    work    = hold * reps (holds repeated), or hold, or reps * seconds per rep, or the set time

Three figures: at the start of the block (the low end of every range: week 1 starts with the
fewest sets), at the full dose (the high end), and typical (halfway: the middle of the ranges,
which the core's time target uses). One-sided items done on both sides count twice.
"""

from __future__ import annotations

from ..knowledge.exercises import Timing
from .model import Dosing

START, FULL = 0, 1


def tempo_seconds(tempo: str) -> int | None:
    """Seconds of one rep at a tempo written in seconds (``4-2-1`` is 7), else None."""
    parts = tempo.split("-")
    if tempo and all(p.isdigit() for p in parts):
        return sum(int(p) for p in parts)
    return None


def seconds(dose: Dosing, timing: Timing, sides: int, end: int) -> int:
    """Seconds an item takes at one end of its dose ranges (``START`` or ``FULL``)."""
    def pick(span: tuple[int, int] | None) -> int | None:
        return span[end] if span is not None else None

    sets = pick(dose.sets) or 1
    reps, hold = pick(dose.reps), pick(dose.hold_s)
    if hold is not None:
        work = hold * (reps or 1)
    elif reps is not None:
        per_rep = tempo_seconds(dose.tempo)
        work = reps * (per_rep if per_rep is not None else timing.rep_s)
    else:
        work = timing.set_s
    return sides * (timing.setup_s + sets * work) + (sets - 1) * timing.rest_s


def span(dose: Dosing, timing: Timing, sides: int) -> tuple[int, int, int]:
    """Seconds at the start of the block, typical (halfway) and at the full dose."""
    start, full = seconds(dose, timing, sides, START), seconds(dose, timing, sides, FULL)
    return start, (start + full) // 2, full


def minutes(total_s: int) -> int:
    """Whole minutes, half up (a session of 10.5 minutes is about 11)."""
    return (total_s + 30) // 60
