"""The programme's core: the few exercises a person does every session; the others are extras.

The plan's ``core`` (``facts/doses.yaml``) caps it at ``max_items`` exercises and
``target_minutes`` for a typical session (``timing.py``: the middle of the dose ranges). The
priority rule (docs/program.md, "The core"):

1. one item per phase first, in session order (inhibit, lengthen, activate, integrate), each the
   item answering the strongest key finding of its phase, so the core is a whole continuum;
2. then the other inhibit, lengthen and activate items, each time the one that answers the
   strongest finding not yet answered by the core (then the most such findings, the strongest
   finding at all, the most findings, the phase order, the catalogue order);
3. integration items last, by the same rule.

An item that would take the session past the target is left to the extras (unless the core is
still empty), and the next in priority is tried. Ties end in session order, so the choice is
deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge.exercises import PHASES

PHASE_RANK = {p: i for i, p in enumerate(PHASES)}
LAST = "integrate"


@dataclass(frozen=True)
class Candidate:
    position: int                  # place in session order (phase, then catalogue order)
    phase: str
    answers: dict[str, float]      # what it answers (findings, signs, checkpoints) and how surely
    seconds: int                   # time in a typical session


def _rank(c: Candidate, answered: set[str]) -> tuple[float, ...]:
    new = [cf for label, cf in c.answers.items() if label not in answered]
    return (-round(max(new, default=0.0), 6), -len(new),
            -round(max(c.answers.values(), default=0.0), 6), -len(c.answers),
            PHASE_RANK[c.phase], c.position)


def choose(candidates: list[Candidate], max_items: int, target_s: int) -> list[int]:
    """The positions of the core's items, in the order they were chosen."""
    core: list[int] = []
    answered: set[str] = set()
    used = 0

    def fits(c: Candidate) -> bool:
        return not core or used + c.seconds <= target_s

    def take(pool: list[Candidate], fresh: bool) -> bool:
        nonlocal used
        open_ = [c for c in pool if c.position not in core and fits(c)]
        if not open_ or len(core) >= max_items:
            return False
        best = min(open_, key=lambda c: _rank(c, answered if fresh else set()))
        core.append(best.position)
        answered.update(best.answers)
        used += best.seconds
        return True

    for phase in PHASES:
        take([c for c in candidates if c.phase == phase], fresh=False)
    while take([c for c in candidates if c.phase != LAST], fresh=True):
        pass
    while take([c for c in candidates if c.phase == LAST], fresh=True):
        pass
    return core
