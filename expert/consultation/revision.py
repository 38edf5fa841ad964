"""Changing an earlier answer at the terminal (``change N``): question N is shown again with its
list and its answer now, the new answer is read (a sided yes with its side; Enter keeps the
old one), and the consultant works everything out again."""

from __future__ import annotations

from collections.abc import Callable

from . import forms, numbering, review
from .answers import SIDE_CHOICES, BadAnswer, parse_side
from .consultant import Consultant
from .screen import Screen
from .session import Item


def revise(screen: Screen, consultant: Consultant, number: int,
           unchanged: Callable[[], str]) -> Item | None:
    """Read a new answer to question ``number`` and record it: the answer as changed, or None
    when there is no such answer or Enter kept it (``unchanged()``: what follows the word
    "Unchanged.")."""
    items = consultant.session.items
    at = numbering.position(items, number)
    if at is None:
        n = numbering.asked(items)
        screen.say(f"change N: N is an answer from 1 to {n} (review lists them)."
                   if n else "There are no answers to change yet.", fg="yellow")
        return None
    item = items[at]
    screen.wrap(consultant.questionnaire.label(item.key), "     ", f"{number:>3}. ")
    if item.is_checklist or item.is_equipment:
        forms.show_list(screen, consultant.questionnaire, forms.listed(consultant, item),
                        item.is_equipment)
    screen.say(f"     now: {review.answer_words(consultant, item)}; new answer (Enter keeps it)")
    form = forms.of_answer(consultant, item)
    sided = forms.sided(consultant, item)
    while True:
        line = screen.read(f"     {form.choices} > ")
        if not line.strip():
            screen.say("     Unchanged." + unchanged())
            return None
        try:
            reply = form.read(line)
            if sided and reply.value == "yes":
                side = screen.read(f"     Which side? {SIDE_CHOICES} > ")
                reply = parse_side(side, reply.certainty)
        except BadAnswer as exc:
            screen.say(f"     {exc}", fg="yellow")
            continue
        return consultant.change(at + 1, reply)
