"""The equipment a programme may use: the case's ``subject.equipment`` when it lists any (an
explicit empty list means body weight only), otherwise the plan's assumed kit, said so in the
programme. An exercise can be done when one of its equipment options is fully at hand."""

from __future__ import annotations

from ..case import Case
from ..knowledge.exercises import Exercise, Plan


def available(case: Case, plan: Plan) -> tuple[frozenset[str], bool]:
    """The equipment at hand, and whether it was assumed (the case did not say)."""
    if "equipment" in case.subject.model_fields_set:
        return frozenset(case.subject.equipment), False
    return frozenset(plan.assumed_equipment), True


def option_for(exercise: Exercise, at_hand: frozenset[str]) -> tuple[str, ...] | None:
    """The first equipment option fully at hand (``()`` when it needs none), else None."""
    options = exercise.equipment_options()
    if not options:
        return ()
    for option in options:
        if set(option) <= at_hand:
            return option
    return None


def needs_text(exercise: Exercise) -> str:
    """'a foam roller or a massage ball' style text of what the exercise needs."""
    options = [" and ".join(o.replace("_", " ") for o in option)
               for option in exercise.equipment_options()]
    return " or ".join(options)
