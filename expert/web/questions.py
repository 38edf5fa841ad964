"""A consultant's prompt as a web form, and a submitted form as the consultant's ``Reply``.

The form's fields are turned into the words a person would type at the terminal and read by the
same readers (``expert.consultation.answers``), so both front ends accept exactly the same
answers. Checklists and the equipment are check boxes (the numbers of the ticked items), sides
radio buttons, "not sure" a certainty chosen from a short list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..consultation import review
from ..consultation.answers import (
    Reply,
    describe,
    parse_age,
    parse_answer,
    parse_checklist,
    parse_equipment,
    parse_side,
    parse_weeks,
)
from ..consultation.consultant import Consultant, Prompt
from ..consultation.session import Item

HOW = ("Nothing ticked answers every one of them no; ticking those that apply answers them yes "
       "(the others no); \"Not sure\" goes through them one by one.")
CERTAINTIES = (("1", "Sure"), ("0.8", "Fairly sure"), ("0.6", "Not quite sure"),
               ("0.4", "Rather unsure"))


@dataclass(frozen=True)
class Field:
    """What the page shows: ``kind`` is one of yesno, sided, side, checklist, equipment,
    number; ``options`` are (value, label) pairs of the radio buttons or check boxes."""

    kind: str
    options: tuple[tuple[str, str], ...]


def field(consultant: Consultant, prompt: Prompt) -> Field:
    topic, q = prompt.topic, consultant.questionnaire
    if topic.is_checklist:
        return Field("checklist", tuple((str(n), q.item(k))
                                        for n, k in enumerate(prompt.items, 1)))
    if topic.is_equipment:
        return Field("equipment", tuple((str(n), q.equipment_item(k))
                                        for n, k in enumerate(prompt.items, 1)))
    if topic.is_age or topic.is_refinement:
        return Field("number", ())
    if prompt.part == "side":
        return Field("side", (("left", "Left"), ("right", "Right"), ("both", "Both sides"),
                              ("unknown", "Not sure which side")))
    if topic.sided:
        return Field("sided", (("left", "Yes, on the left"), ("right", "Yes, on the right"),
                               ("both", "Yes, on both sides"), ("yes", "Yes (side not sure)"),
                               ("no", "No"), ("unknown", "Don't know")))
    return Field("yesno", (("yes", "Yes"), ("no", "No"), ("unknown", "Don't know")))


# a question's words for the terminal may end with how to type the answer ("Which of these do
# you have? (type the numbers, or none)"): on a form the boxes and buttons say that instead
_TYPING = re.compile(r"\s*\(type [^()]*\)$")


def text(prompt: Prompt) -> str:
    """The question as the page puts it: without the terminal's typing instructions."""
    return _TYPING.sub("", prompt.topic.text)


def answer_words(consultant: Consultant, item: Item) -> str:
    """An answer in words, as the review gives it, but an unsure yes or no in the words the
    form offered ("yes (not quite sure)", not "yes (certainty 0.6)"); a certainty typed at a
    terminal that the form does not offer, in per cent."""
    if item.is_checklist or item.is_equipment or item.certainty == 1.0:
        return review.answer_words(consultant, item)
    said = dict((float(value), label.lower()) for value, label in CERTAINTIES)
    sure = said.get(item.certainty) or f"{item.certainty:.0%} sure"
    return f"{describe(item.value)} ({sure})"


def _one(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value if isinstance(value, str) else ""


def reply(consultant: Consultant, prompt: Prompt, form: Mapping[str, Any],
          picks: list[str]) -> Reply:
    """The answer a submitted form gives (BadAnswer, with what to do, when it gives none).
    ``picks`` are the values of the ticked check boxes."""
    topic = prompt.topic
    choice = _one(form, "answer")
    if topic.is_checklist or topic.is_equipment:
        count = len(prompt.items)
        if choice in ("unknown", "yes"):
            text = "?" if choice == "unknown" else "yes"
        elif choice == "none" or not picks:
            text = "none" if topic.is_equipment else "no"
        else:
            text = " ".join(picks)
        return (parse_checklist(text, count) if topic.is_checklist
                else parse_equipment(text, count))
    if topic.is_age or topic.is_refinement:
        text = "?" if choice == "unknown" else _one(form, "number")
        return parse_age(text) if topic.is_age else parse_weeks(text)
    certainty = _one(form, "certainty") or "1"
    if prompt.part == "side":
        item = consultant.session.item(topic.key)
        return parse_side(choice, item.certainty if item else 1.0)
    if choice == "unknown" or not choice:
        return parse_answer(choice or "", topic.sided)
    return parse_answer(f"{choice} {certainty}", topic.sided)
