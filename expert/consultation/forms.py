"""The form of an answer at the terminal: the numbered lines a checklist (or the equipment
question) shows, the choices a prompt offers, and the reader that turns a typed line into a
``Reply``; for a question being put (by its topic and part) and for an earlier answer being
changed (by the answer itself, which may be to a question of the other mode)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .answers import (
    AGE_CHOICES,
    CHECKLIST_CHOICES,
    EQUIPMENT_CHOICES,
    SIDE_CHOICES,
    WEEKS_CHOICES,
    Reply,
    choices,
    parse_age,
    parse_answer,
    parse_checklist,
    parse_equipment,
    parse_side,
    parse_weeks,
)
from .consultant import Consultant, Prompt
from .questionnaire import Questionnaire
from .screen import Screen
from .session import Item


class Form(NamedTuple):
    """What a prompt takes: the choices it shows, and the reader of a typed line (raising
    ``BadAnswer`` with what to type instead)."""

    choices: str
    read: Callable[[str], Reply]


def of_prompt(consultant: Consultant, prompt: Prompt) -> Form:
    """The form of the question being put."""
    topic = prompt.topic
    count = len(prompt.items)
    if prompt.part == "side":
        item = consultant.session.item(topic.key)
        certainty = item.certainty if item else 1.0  # the side keeps the certainty of the yes
        return Form(SIDE_CHOICES, lambda line: parse_side(line, certainty))
    if topic.is_checklist:
        return Form(CHECKLIST_CHOICES, lambda line: parse_checklist(line, count))
    if topic.is_equipment:
        return Form(EQUIPMENT_CHOICES, lambda line: parse_equipment(line, count))
    if topic.is_age:
        return Form(AGE_CHOICES, parse_age)
    if topic.is_refinement:
        return Form(WEEKS_CHOICES, parse_weeks)
    return Form(choices(topic.sided), lambda line: parse_answer(line, topic.sided))


def of_answer(consultant: Consultant, item: Item) -> Form:
    """The form of an earlier answer being changed; a sided yes still wants its side
    (``sided``)."""
    count = len(listed(consultant, item))
    if item.is_checklist:
        return Form(CHECKLIST_CHOICES, lambda line: parse_checklist(line, count))
    if item.is_equipment:
        return Form(EQUIPMENT_CHOICES, lambda line: parse_equipment(line, count))
    topic = consultant.questionnaire.topics.get(item.key)
    if topic is not None and topic.is_refinement:
        return Form(WEEKS_CHOICES, parse_weeks)
    if item.key not in consultant.kb.questions:  # the age
        return Form(AGE_CHOICES, parse_age)
    yes_side = sided(consultant, item)
    return Form(choices(yes_side), lambda line: parse_answer(line, yes_side))


def sided(consultant: Consultant, item: Item) -> bool:
    """Does a yes to the question of ``item`` take a side?"""
    question = consultant.kb.questions.get(item.key)
    return bool(question and question.sided)


def listed(consultant: Consultant, item: Item) -> tuple[str, ...]:
    """The lines an answer was given from: the checklist's as it showed them, every piece of
    equipment."""
    return tuple(consultant.kb.equipment) if item.is_equipment else item.items


def show_list(screen: Screen, questionnaire: Questionnaire, items: tuple[str, ...],
              equipment: bool = False) -> None:
    """The lines of a checklist (or the equipment list), numbered, in plain words."""
    text = questionnaire.equipment_item if equipment else questionnaire.item
    for n, key in enumerate(items, 1):
        screen.wrap(text(key), " " * 10, f"      {n:>2}) ")
