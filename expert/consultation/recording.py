"""How a reply becomes answers: a checklist's answer (``picked`` with the numbers of the lines
that apply, or no, yes, ?) keeps the lines it showed, and each line picked becomes a yes of its
own (its side asked next if it has one); the equipment's answer names the pieces picked, in the
order of the list, none (``no`` will do) or unknown."""

from __future__ import annotations

from ..knowledge import KnowledgeBase
from .answers import Reply
from .questionnaire import EQUIPMENT, Questionnaire
from .session import CHECKLIST_VALUES, EQUIPMENT_VALUES, Item


def checklist_answer(questionnaire: Questionnaire, key: str, reply: Reply,
                     listed: tuple[str, ...]) -> list[Item]:
    """The answer to a checklist that listed ``listed``, and the answers its picks give."""
    if reply.value not in CHECKLIST_VALUES:
        raise ValueError(f"{reply.value!r} does not answer a checklist")
    if reply.picks and not all(1 <= n <= len(listed) for n in reply.picks):
        raise ValueError(f"a checklist of {len(listed)} items has no item {reply.picks}")
    out = [Item(key, "picked" if reply.picks else reply.value, reply.certainty, items=listed)]
    for n in reply.picks:
        question = questionnaire.topics.get(listed[n - 1])
        out.append(Item(listed[n - 1], "yes", 1.0, bool(question and question.sided),
                        picked=key))
    return out


def equipment_answer(kb: KnowledgeBase, reply: Reply) -> Item:
    """The equipment's answer: the pieces picked by number (in the order of the list), none
    (``no`` will do) or unknown."""
    value = "none" if reply.value == "no" else reply.value
    if value not in EQUIPMENT_VALUES:
        raise ValueError(f"{reply.value!r} does not answer the equipment question")
    listed = tuple(kb.equipment)
    if reply.picks and not all(1 <= n <= len(listed) for n in reply.picks):
        raise ValueError(f"the equipment list of {len(listed)} has no item {reply.picks}")
    picked = tuple(listed[n - 1] for n in sorted(set(reply.picks)))
    return Item(EQUIPMENT, value, items=picked if value == "picked" else ())
