"""The subject's fields as what-if switches: the age (both modes; a red flag may name it), and in
trainer mode the fields that refine a condition (the weeks of a pregnancy, facts/safety.yaml
``refinements``) and the equipment at hand (facts/equipment.yaml), which shape the programme.

In the query they go by the consultation's keys: ``subject.age=60`` (empty: not given),
``subject.FIELD=N``, and the equipment as ``subject.equipment=given`` followed by the ids at
hand (none: body weight only) or ``unsaid`` (not said: the plan's assumed kit), as the page's
check boxes send them. A field as kept is no change."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..case import Case, Subject
from ..consultation.answers import whole
from ..knowledge import KnowledgeBase
from ..problems import shown

SUBJECT = "subject."
AGE, EQUIPMENT = "subject.age", "subject.equipment"
GIVEN, UNSAID = "given", "unsaid"  # the equipment list follows / not said


def bounds(name: str) -> tuple[int, int]:
    """The whole numbers a case file's subject field takes (from the case model)."""
    low, high = 0, 999
    for rule in Subject.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def keys(kb: KnowledgeBase) -> set[str]:
    """Every query key of a subject field."""
    return {AGE, EQUIPMENT, *(SUBJECT + f for f in kb.refinements)}


@dataclass(frozen=True)
class Number:
    """A whole-number field (the age, the weeks of a pregnancy) as a switch."""

    key: str
    label: str
    hint: str
    low: int
    high: int
    stored: str  # "" when not given
    value: str

    @property
    def changed(self) -> bool:
        return self.value != self.stored


@dataclass(frozen=True)
class Kit:
    """The equipment at hand as check boxes: ``items`` are (id, words); ``stored`` and
    ``value`` are the ids ticked, or ``[UNSAID]``."""

    label: str
    items: list[tuple[str, str]]
    stored: list[str]
    value: list[str]

    @property
    def changed(self) -> bool:
        return self.value != self.stored


@dataclass
class Asked:
    """The subject's fields the query changes (field -> value, None: not given), their words
    (label, before, after) and the problems with them."""

    fields: dict[str, Any] = field(default_factory=dict)
    words: list[tuple[str, str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    showing: dict[str, Any] = field(default_factory=dict)  # key -> the value its switch shows


def title(kb: KnowledgeBase, label: Any, mode: str, key: str) -> str:
    """A subject field's name in the mode's words (a refining field: its question)."""
    ref = kb.refinements.get(key.removeprefix(SUBJECT))
    if ref is not None:
        return (ref.person if mode == "self" else ref.trainer) or key
    return str(label(key))


def stored_kit(kb: KnowledgeBase, case: Case) -> list[str]:
    if "equipment" not in case.subject.model_fields_set:
        return [UNSAID]
    return [e for e in kb.equipment if e in case.subject.equipment]


def kit_words(kb: KnowledgeBase, kit: list[str]) -> str:
    if kit == [UNSAID]:
        return "Not said (the plan's usual kit assumed)"
    return ", ".join(kb.equipment[e].name for e in kit) or "None (body weight only)"


def asked(kb: KnowledgeBase, label: Any, mode: str, case: Case, given: dict[str, set[str]]
          ) -> Asked:
    """Read the subject's keys of the query (``given``: key -> the values sent) against the
    case as kept; ``label`` names a key in the mode's words."""
    out = Asked()
    numbers = [("age", AGE), *((f, SUBJECT + f) for f in kb.refinements)]
    for name, key in numbers:
        if key not in given:
            continue
        values = given[key]
        low, high = bounds(name)
        was = getattr(case.subject, name)
        if len(values) > 1:
            out.problems.append(f"{key} is given more than once, with different values: "
                                "give it once.")
            continue
        text = next(iter(values))
        out.showing[key] = text
        if text and not (whole(text, high) and low <= int(text)):
            out.problems.append(f"{shown(text)} is not a value of {key}: give a whole number "
                                f"from {low} to {high}, or leave it empty (not given).")
            continue
        now = int(text) if text else None
        if now != was:
            out.fields[name] = now
            out.words.append((title(kb, label, mode, key), "Not given" if was is None else str(was),
                              "Not given" if now is None else str(now)))
    if EQUIPMENT in given:
        values = given[EQUIPMENT] - {GIVEN}
        unknown = sorted(values - {*kb.equipment, UNSAID})
        if GIVEN not in given[EQUIPMENT]:
            out.problems.append(f"{EQUIPMENT} needs {EQUIPMENT}={GIVEN} with the ids at hand "
                                f"(or {UNSAID}), as the page's check boxes send it.")
        elif unknown:
            out.problems.append(f"{shown(unknown[0])} is not a piece of equipment: use "
                                f"{', '.join(kb.equipment)} or {UNSAID}.")
        else:
            kit = [UNSAID] if UNSAID in values else [e for e in kb.equipment if e in values]
            out.showing[EQUIPMENT] = kit
            was = stored_kit(kb, case)
            if kit != was:
                out.fields["equipment"] = None if kit == [UNSAID] else kit
                out.words.append((label(EQUIPMENT), kit_words(kb, was), kit_words(kb, kit)))
    return out


def switches(kb: KnowledgeBase, label: Any, mode: str, case: Case, query: Asked
             ) -> tuple[list[Number], Kit | None]:
    """The subject's switches of the mode: the age, and for a trainer the refining fields and
    the equipment (when the knowledge base lists any)."""
    names = [("age", AGE, "Whole years; empty: not given.")]
    if mode == "trainer":
        names += [(f, SUBJECT + f, "Only with a yes to "
                   f"“{label(ref.condition)}”; empty: not given.")
                  for f, ref in kb.refinements.items()]
    numbers = []
    for name, key, hint in names:
        was = getattr(case.subject, name)
        stored = "" if was is None else str(was)
        low, high = bounds(name)
        numbers.append(Number(key, title(kb, label, mode, key), hint, low, high, stored,
                              query.showing.get(key, stored)))
    kit = None
    if mode == "trainer" and kb.equipment:
        was_kit = stored_kit(kb, case)
        kit = Kit(label(EQUIPMENT), [(e, item.item or item.name)
                                     for e, item in kb.equipment.items()],
                  was_kit, query.showing.get(EQUIPMENT, was_kit))
    return numbers, kit
