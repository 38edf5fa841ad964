"""The corrective programme: from findings to the NASM corrective exercise continuum (inhibit,
lengthen, activate, integrate), with every safety gate of the knowledge base applied.

``build_program(kb, case, outcome, start=None) -> Program | None`` (None under a referral);
``Program.to_data()`` is the report's ``program`` field; ``handout.render(data, fmt)`` prints it.
Modules: ``needs`` (what the findings ask), ``safety`` (conditions and restrictions),
``equipment``, ``selection`` (choosing exercises), ``dosing``, ``schedule``, ``builder``,
``model`` (the programme as data), ``handout`` (Markdown and HTML handouts).
"""

from .builder import build_program
from .model import Program

__all__ = ["Program", "build_program"]
