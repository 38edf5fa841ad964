"""The experta fact types (CLIPS deftemplates) the engine reasons over.

Typed ``Fact`` subclasses, never plain ``Fact``: a plain pattern would also match any other fact
carrying the same keys (experta's open matching).
"""

from __future__ import annotations

from experta import Fact


class Answer(Fact):
    """A positive answer: ``obs`` was seen (``side`` left/right/both, or None) with ``cf``."""


class Subject(Fact):
    """What is known of the person: ``age`` in years."""


class Sign(Fact):
    """A sign (observed or inferred compensation or pattern) after its evidence was combined."""


class Phase(Fact):
    """Marks a step of the consultation (``name``) so low-salience rules can wait for it."""


class Referral(Fact):
    """A red flag fired (``rule``): the consultation stops with a referral."""

