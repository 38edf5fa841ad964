"""The questionnaire: what can be asked in a mode, in which order, and under which heading.

Everything comes from the knowledge base. A question is askable in a mode when its ``modes``
list names it (``self``: a person alone; ``trainer``: a trainer with a client). Each question
belongs to a *stratum* by its category:

- ``screen``: the safety screen (category ``red_flag``), always first;
- ``follow_up``: the subject's age, asked only when a rule that takes the age as a premise has
  its other premises met (see ``relevance``);
- ``survey``: symptoms, habits, posture and the movement assessments, grouped by kind (in the
  order of the categories in the question schema) and, within a kind, by body region (in the
  order of the kinetic-chain checkpoints in ``facts/anatomy.yaml``; other regions last);
- ``programme``: conditions that adapt the programme (category ``condition``), asked only when
  the report will contain a programme; a subject field that refines one of them (the weeks of
  pregnancy, ``refinements`` in ``facts/safety.yaml``), only after a yes to it; then the
  equipment at hand (``facts/equipment.yaml``,
  when the knowledge base has it), asked only when that programme addresses a finding (see
  ``standing``).

A question whose yes ``skips`` assessments (``fall_risk``: no single-leg squat) is asked on its
own in the survey, just before the first of those assessments in the mode (in a mode without
them it stays where its category puts it); after a yes, the questions of the skipped categories
are not asked (``standing``).

Within a group, questions keep their order in ``facts/questions.yaml``.

*Checklists.* A question may name a ``checklist`` (data: every red-flag and condition question
does, and so do the symptoms, habits, posture and movement assessments of the shipped knowledge
base). A checklist is a topic of its own, keyed ``checklist.ID``, asked at the place of its first
question ("do any of these apply?", its items listed in plain words); its questions follow it in
the order, and are asked one by one only when the checklist is answered yes or ? (see
``consultant`` and ``agenda``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from ..knowledge import KnowledgeBase
from ..knowledge.catalogue import Category, Checklist, in_mode
from ..knowledge.rulebook import AgePremise

SUBJECT = "subject."  # the keys of the subject's fields asked: subject.FIELD
AGE = "subject.age"  # the key of the age follow-up (a dot never occurs in a question id)
EQUIPMENT = "subject.equipment"  # the key of the equipment question
CHECKLIST = "checklist."  # the keys of checklists: checklist.ID
MODES = ("self", "trainer")
STRATA = ("screen", "follow_up", "survey", "programme")
SCREEN, PROGRAMME = "red_flag", "condition"
KIND_TITLES = {
    "red_flag": "Safety screen", "symptom": "Symptoms", "habit": "Habits and activities",
    "posture": "Standing posture", "ohsa": "Overhead squat assessment",
    "single_leg_squat": "Single-leg squat assessment", "push_pull": "Pushing and pulling",
    "condition": "Health conditions (they adapt the programme)",
}
AGE_TEXT = {"self": "How old are you (in years)?", "trainer": "How old is the client (in years)?"}
AGE_HELP = ("A whole number of years, or ? to leave it out. It is asked because new back or neck "
            "pain that starts very young or later in life is a reason to see a doctor first.")


@dataclass(frozen=True)
class Topic:
    """One thing the consultation can ask: a question of the knowledge base, or the age."""

    key: str  # question id, or AGE
    stratum: str
    rank: int  # position in the order of asking (lower first)
    category: str
    region: str
    sided: bool
    text: str  # in the words of the mode
    help: str = ""
    instructions: str = ""
    section: str = ""  # heading of its group ("" for a follow-up: it stays in the current one)
    checklist: str = ""  # a question: the key of the checklist it is in
    items: tuple[str, ...] = ()  # a checklist: its questions in this mode, in order
    title: str = ""  # a checklist: its title
    skips: tuple[str, ...] = ()  # categories of the mode a yes to this question skips
    refines: str = ""  # a subject field that refines a condition: the condition's question

    @property
    def is_refinement(self) -> bool:
        return bool(self.refines)

    @property
    def is_age(self) -> bool:
        return self.key == AGE

    @property
    def is_checklist(self) -> bool:
        return self.key.startswith(CHECKLIST)

    @property
    def is_equipment(self) -> bool:
        return self.key == EQUIPMENT


def checklist_key(checklist_id: str) -> str:
    return CHECKLIST + checklist_id


def _title(category: str) -> str:
    return KIND_TITLES.get(category, category.replace("_", " ").capitalize())


def _region_name(kb: KnowledgeBase, region: str) -> str:
    record = kb.checkpoints.get(region) or kb.regions.get(region)
    return record.name if record else region.replace("_", " ").capitalize()


def asks_equipment(kb: KnowledgeBase) -> bool:
    """True when the knowledge base says how to ask about the equipment at hand (it is asked
    only when there is a programme that addresses a finding: see ``standing``)."""
    return kb.equipment_question is not None and bool(kb.equipment)


def asks_age(kb: KnowledgeBase) -> bool:
    """True when some rule or red flag takes the subject's age as a premise."""
    premises = [p for r in kb.rules.values() for p in r.when]
    premises += [p for f in kb.red_flags.values() for p in f.when]
    return any(isinstance(p, AgePremise) for p in premises)


class Questionnaire:
    """The topics of one mode, in the order of asking."""

    def __init__(self, kb: KnowledgeBase, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use {' or '.join(MODES)}")
        self.kb, self.mode = kb, mode
        kinds = {c: i for i, c in enumerate(get_args(Category))}
        regions = {r: i for i, r in enumerate(kb.checkpoints)}
        present = {q.category for q in kb.questions.values() if mode in q.modes}
        keyed = []
        for index, q in enumerate(kb.questions.values()):
            if mode not in q.modes:
                continue
            stratum = ("screen" if q.category == SCREEN else
                       "programme" if q.category == PROGRAMME else "survey")
            region_rank = regions.get(q.region, len(regions))
            kind_rank = kinds.get(q.category, len(kinds))
            order = (STRATA.index(stratum), 0 if stratum == "screen" else kind_rank,
                     region_rank, index)
            if stratum == "screen" or stratum == "programme" or q.checklist is not None:
                section = _title(q.category)
            else:
                section = f"{_title(q.category)} · {_region_name(kb, q.region)}"
            text = q.person if mode == "self" else q.trainer
            group = checklist_key(q.checklist.id) if q.checklist is not None else ""
            skipped = sorted((kinds.get(c, len(kinds)), c) for c in q.skips if c in present)
            if skipped:  # asked on its own, just before the first assessment a yes skips
                stratum, section, group = "survey", _title(skipped[0][1]), ""
                order = (STRATA.index(stratum), skipped[0][0], -1, index)
            keyed.append((order, Topic(q.id, stratum, 0, q.category, q.region, q.sided, text,
                                       q.help, in_mode(q.instructions, mode), section, group,
                                       skips=tuple(c for _, c in skipped))))
        if asks_age(kb):
            keyed.append(((STRATA.index("follow_up"), 0, 0, 0),
                          Topic(AGE, "follow_up", 0, "subject", "general", False,
                                AGE_TEXT[mode], AGE_HELP)))
        for ref in kb.refinements.values():  # right after the conditions (pregnancy weeks)
            text = ref.person if mode == "self" else ref.trainer
            condition = kb.questions.get(ref.condition)
            if text and condition is not None and mode in condition.modes:
                keyed.append(((STRATA.index("programme"), len(kinds), 0, 0),
                              Topic(SUBJECT + ref.id, "programme", 0, "subject", "general",
                                    False, text, ref.help, refines=ref.condition)))
        if asks_equipment(kb):  # with the conditions, after them (and their questions)
            record = kb.equipment_question
            assert record is not None
            keyed.append(((STRATA.index("programme"), len(kinds) + 1, 0, 0),
                          Topic(EQUIPMENT, "programme", 0, "subject", "general", False,
                                record.person if mode == "self" else record.trainer,
                                record.help, "", record.title, items=tuple(kb.equipment),
                                title=record.title)))
        keyed.sort(key=lambda kv: kv[0])
        # a checklist takes the place of its first question; its questions follow it
        members: dict[str, list[Topic]] = {}
        for _, topic in keyed:
            if topic.checklist:
                members.setdefault(topic.checklist, []).append(topic)
        ordered: list[Topic] = []
        for _, topic in keyed:
            if not topic.checklist:
                ordered.append(topic)
            elif topic.checklist in members:
                ordered.append(self._checklist(topic, members[topic.checklist]))
                ordered += members.pop(topic.checklist)
        self.topics: dict[str, Topic] = {}
        for rank, topic in enumerate(ordered):
            self.topics[topic.key] = Topic(**{**topic.__dict__, "rank": rank})

    def _checklist(self, first: Topic, members: list[Topic]) -> Topic:
        """The checklist topic of ``first``'s checklist, with its questions in this mode."""
        record = self.kb.questions[first.key].checklist
        assert record is not None
        text = record.person if self.mode == "self" else record.trainer
        return Topic(first.checklist, first.stratum, 0, first.category, "general", False, text,
                     in_mode(record.help, self.mode), "", first.section,
                     items=tuple(t.key for t in members), title=record.title)

    def item(self, key: str) -> str:
        """A question's line in a checklist: its ``item`` text, or else its question."""
        question = self.kb.questions[key]
        return question.item or (question.person if self.mode == "self" else question.trainer)

    def equipment_item(self, key: str) -> str:
        """A piece of equipment's line in the equipment list: its ``item`` text, or its name."""
        record = self.kb.equipment[key]
        return record.item or record.name

    def __contains__(self, key: object) -> bool:
        return key in self.topics

    def topic(self, key: str) -> Topic:
        return self.topics[key]

    def label(self, key: str) -> str:
        """A short name for an answer in reviews: the question's text in this mode (a
        checklist: its title and question; the equipment: its title)."""
        if key.startswith(CHECKLIST):
            record = checklist_record(self.kb, key)
            if record is None:
                return key
            return f"{record.title}: {record.person if self.mode == 'self' else record.trainer}"
        if key == EQUIPMENT and self.kb.equipment_question is not None:
            return self.kb.equipment_question.title
        if key in self.topics:
            return self.topics[key].text
        question = self.kb.questions.get(key)
        if question is not None:  # asked in the other mode
            return question.person if self.mode == "self" else question.trainer
        return AGE_TEXT[self.mode] if key == AGE else key


def checklist_members(kb: KnowledgeBase, key: str) -> list[str]:
    """Every question of the checklist ``key`` (in any mode), in the order of the data."""
    ident = key.removeprefix(CHECKLIST)
    return [q.id for q in kb.questions.values()
            if q.checklist is not None and q.checklist.id == ident]


def checklist_record(kb: KnowledgeBase, key: str) -> Checklist | None:
    members = checklist_members(kb, key)
    return kb.questions[members[0]].checklist if members else None
