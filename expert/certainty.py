"""MYCIN certainty arithmetic.

Certainties are in 0..1. Independent evidence for one conclusion combines as ``a + b - a*b``
(order-independent; values are sorted first so floating-point rounding cannot depend on the order
rules fired in). Several premises that must all hold take the weakest. Evidence that a muscle is
overactive and evidence that it is underactive are treated as MYCIN's positive and negative
evidence for one hypothesis and netted with ``(x - y) / (1 - min(x, y))``.
"""

from __future__ import annotations

from collections.abc import Iterable

DIGITS = 4


def combine(values: Iterable[float]) -> float:
    """Combine independent positive evidence."""
    total = 0.0
    for value in sorted(values):
        total = total + value - total * value
    return total


def conjunction(values: Iterable[float]) -> float:
    """Certainty of premises that must all hold: the weakest."""
    return min(values, default=1.0)


def net(over: float, under: float) -> float:
    """Signed certainty that a muscle is overactive (> 0) rather than underactive (< 0)."""
    if over == under:
        return 0.0
    return (over - under) / (1.0 - min(over, under))


def rounded(value: float) -> float:
    return round(value + 0.0, DIGITS)
