"""The answers and findings so far, in words: ``review`` (the answers numbered as their
questions were, a checklist's picks under it; the findings so far), ``how N`` and ``explain
MUSCLE`` (how a finding was reached, down to the answers)."""

from __future__ import annotations

from . import numbering, reasons
from .answers import describe
from .commands import Command
from .consultant import Consultant
from .screen import Screen
from .session import Item

STATE_STYLE = {"overactive": "red", "underactive": "cyan"}


def review(screen: Screen, consultant: Consultant) -> None:
    """The answers so far, numbered as the questions were (a pick under its checklist), and
    the findings so far."""
    items = consultant.session.items
    if not items:
        screen.say("No answers yet.")
    for n, item in zip(numbering.numbers(items), items, strict=True):
        value = answer_words(consultant, item)
        if item.side_pending:
            value += " (side not given yet)"
        if item.picked:  # under its checklist, which holds its number
            screen.wrap(f"{consultant.questionnaire.item(item.key)} — {value}",
                        " " * 9, "       · ")
        else:
            label = consultant.questionnaire.label(item.key)
            screen.wrap(f"{label} — {value}", "     ", f"{n:>3}. ")
    report = consultant.report()
    if report["referral"]:
        screen.say(f"Referral ({report['referral']['level']}): the consultation stops "
                   "here.", fg="red", bold=True)
        return
    if report["findings"]:
        screen.say("Findings so far (how N shows how one was reached):", bold=True)
        for n, f in enumerate(report["findings"], 1):
            side = f" ({f['side']})" if f["side"] else ""
            # one style per line: a colour code inside the text would be escaped
            screen.wrap(f"{f['name']}{side}: {f['state']}, certainty "
                        f"{f['certainty']:.2f}", "     ", f"{n:>3}. ",
                        fg=STATE_STYLE[f["state"]])


def explain(screen: Screen, consultant: Consultant, command: Command) -> None:
    """How finding N (``how N``) or the findings about a muscle (``explain MUSCLE``) were
    reached, as trees down to the answers (no rule ids for a person alone)."""
    report = consultant.report()
    if report["referral"]:
        screen.say("A red flag stops the consultation: no findings are given.")
        return
    findings = report["findings"]
    if not findings:
        screen.say("No findings yet: they appear once an answer points to a muscle.")
        return
    if command.name == "how":
        if not 1 <= command.number <= len(findings):
            screen.say(f"how N: N is a finding from 1 to {len(findings)} "
                       "(review lists them).", fg="yellow")
            return
        chosen = [findings[command.number - 1]]
    else:
        chosen = reasons.find(findings, command.arg)
        if not chosen:
            names = ", ".join(f["name"] for f in findings[:8])
            screen.say(f"No finding about {command.arg!r}. Findings: {names}"
                       + (" …" if len(findings) > 8 else ""), fg="yellow")
            return
    for finding in chosen:
        screen.lines(reasons.tree(consultant.kb, finding, consultant.questionnaire.label,
                                       ids=consultant.session.mode != "self"))


def answer_words(consultant: Consultant, item: Item) -> str:
    """An answer in words; a checklist's says what it means for its items, the equipment's
    names what is at hand."""
    if item.is_equipment:
        return reasons.equipment_answer(consultant.kb, item.value, item.items)
    text = describe(item.value, item.certainty)
    if not item.is_checklist:
        return text
    if item.value == "no":
        return f"{text} (none of its {len(item.items)} items)"
    if item.value == "picked":
        return f"{text} (answered below; the others no)"
    return f"{text} (its items asked one by one)"
