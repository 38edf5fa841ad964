"""Schemas of the knowledge files in ``facts/``: sources, editions, anatomy, muscles, groups,
relations, questions and signs. Unknown keys and malformed values are rejected."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
SourceKey = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Za-z0-9-]*$")]
Text = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
Confidence = Literal["H", "M", "M-L", "L-M", "L"]
Reasoning = Literal["reciprocal_inhibition", "synergistic_dominance"]
Evidence = Literal["E+", "E0", "E-"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class InferenceParams(Record):
    confidence: dict[Confidence, float]
    evidence: dict[Evidence, float]
    single_edition_factor: float = Field(gt=0, le=1)
    # editions whose agreement makes a muscle weigh fully where a rule cites them all
    agreement_editions: list[Id] = []
    premise_threshold: float = Field(ge=0, lt=1)
    report_threshold: float = Field(ge=0, lt=1)
    # a reported finding at or above this is a key finding (it gets programme items); weaker
    # reported findings are possible ones
    key_threshold: float = Field(default=0.5, gt=0, le=1)
    noticeable_change: float = Field(default=0.05, gt=0, lt=1)
    # domain.md §4: a symptom alone is weak evidence about muscles; a symptom rule's
    # contribution is multiplied by this unless a non-symptom rule supports the same finding
    symptom_alone: float = Field(default=1.0, gt=0, le=1)
    secondary: dict[Reasoning, float] = {}

    @model_validator(mode="after")
    def _complete(self) -> InferenceParams:
        if self.key_threshold < self.report_threshold:
            raise ValueError("key_threshold cannot be below report_threshold: a key finding is "
                             "a reported one")
        if any(not 0 < v < 1 for v in self.secondary.values()):
            raise ValueError("secondary factors must be in (0, 1): weaker than direct evidence")
        for name, table, keys in (("confidence", self.confidence, get_args(Confidence)),
                                  ("evidence", self.evidence, get_args(Evidence))):
            missing = [k for k in keys if k not in table]
            if missing:
                raise ValueError(f"{name} lacks a certainty for {', '.join(missing)}")
            bad = [k for k, v in table.items() if not 0 < v <= 1]
            if bad:
                raise ValueError(f"{name} values must be in (0, 1]: {', '.join(bad)}")
        return self


class KbMeta(Record):
    name: Text
    version: Annotated[str, StringConstraints(pattern=r"^\d+\.\d+\.\d+$")]
    description: str = ""
    inference: InferenceParams


class Source(Record):
    key: SourceKey
    citation: Text
    urls: list[str] = []
    tier: Text
    notes: str = ""


class Edition(Record):
    id: Id
    name: Text
    description: Text
    sources: list[SourceKey] = []


class Region(Record):
    id: Id
    name: Text


class Joint(Record):
    id: Id
    name: Text
    region: Id


class Muscle(Record):
    id: Id
    name: Text
    # what a client calls it, plural ("hip flexors", "lower-back muscles"); muscles that share
    # one are named together on the client sheet
    plain: str = ""
    region: Id
    location: str = ""
    joints: list[Id] = []
    actions: list[Text] = []
    paired: bool = True
    tendency: str = ""
    aliases: list[Text] = []
    sources: list[SourceKey] = Field(min_length=1)
    notes: str = ""


class Group(Record):
    id: Id
    name: Text
    plain: str = ""     # as Muscle.plain
    members: list[Id] = Field(min_length=1)
    aliases: list[Text] = []
    sources: list[SourceKey] = Field(min_length=1)
    notes: str = ""


class Inference(Record):
    """Secondary reasoning a relation carries: findings on ``drivers`` imply the opposite
    state, more weakly, on ``affected`` (reciprocal inhibition: overactive drivers inhibit
    antagonists; synergistic dominance: underactive prime movers overload synergists)."""

    kind: Reasoning
    drivers: list[Id] = Field(min_length=1)
    affected: list[Id] = Field(min_length=1)
    note: Text
    sources: list[SourceKey] = Field(min_length=1)


class Relation(Record):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]*$")]
    type: Literal["antagonist", "synergist", "force_couple", "subsystem"]
    a: list[Id] = []
    b: list[Id] = []
    members: list[Id] = []
    action: str = ""
    use: str = ""
    sources: list[SourceKey] = Field(min_length=1)
    infers: Inference | None = None

    @model_validator(mode="after")
    def _shape(self) -> Relation:
        if self.type == "antagonist":
            if not self.a or not self.b or self.members:
                raise ValueError("an antagonist relation has sides a and b (and no members)")
            both = sorted(set(self.a) & set(self.b))
            if both:
                raise ValueError(f"{', '.join(both)} cannot oppose itself")
        elif self.a or self.b or len(self.members) < 2:
            raise ValueError(f"a {self.type} relation lists two or more members (and no a/b)")
        if self.infers:
            wanted = {"reciprocal_inhibition": "antagonist",
                      "synergistic_dominance": "synergist"}[self.infers.kind]
            if self.type != wanted:
                raise ValueError(f"{self.infers.kind} is carried by {wanted} relations")
            listed = {*self.a, *self.b, *self.members}
            stray = sorted({*self.infers.drivers, *self.infers.affected} - listed)
            if stray:
                raise ValueError(f"infers names {', '.join(stray)}, not members of the relation")
            drivers, affected = set(self.infers.drivers), set(self.infers.affected)
            a, b = set(self.a), set(self.b)
            if self.type == "antagonist" and not (
                    (drivers <= a and affected <= b) or (drivers <= b and affected <= a)):
                raise ValueError("drivers and affected must sit on opposite sides (a and b)")
        return self


Category = Literal["symptom", "habit", "posture", "ohsa", "single_leg_squat", "push_pull",
                   "red_flag", "condition"]


class ModeText(Record):
    """A text in the words of each mode of the consultation: ``person`` speaks to the person
    (self mode), ``trainer`` to the trainer about the client."""

    person: Text
    trainer: Text


def in_mode(text: str | ModeText, mode: str) -> str:
    """``text`` in the words of ``mode`` (a plain string suits both)."""
    if isinstance(text, ModeText):
        return text.person if mode == "self" else text.trainer
    return text


class Checklist(Record):
    """A checklist the consultation asks instead of its questions one by one ("do any of these
    apply?"). Every question of the checklist names the same record (a YAML anchor keeps one
    text); ``person`` and ``trainer`` are the checklist's question in each mode's words."""

    id: Id
    title: Text
    person: Text
    trainer: Text
    help: str | ModeText = ""  # one text, or one per mode


class Advice(Record):
    """What the client sheet advises a person who reported a habit (switch hands when carrying,
    breaks from sitting): ``text`` in the person's words, ``why`` the reasoning (trainer's
    report), with its sources."""

    text: Text
    why: Text
    sources: list[SourceKey] = Field(min_length=1)


class Changed(Record):
    """How the reassessment sheet says, in the person's words, that an answer changed since the
    last assessment: ``gone`` when it was seen and is not any more ("your knees no longer cave
    in on the squat"), ``new`` when it is seen now and was not."""

    gone: Text
    new: Text


class Question(Record):
    id: Id
    category: Category
    region: Id
    sided: bool = False
    modes: list[Literal["self", "trainer"]] = Field(min_length=1)
    person: Text
    trainer: Text
    help: str = ""
    # how to run the assessment (or set up the observation) the question belongs to; the
    # consultation shows each distinct text once, before the first question that carries it
    # (one text for both modes, or one per mode: ``person`` and ``trainer``)
    instructions: str | ModeText = ""
    # the checklist the question is asked in, and its line there in plain words (words that
    # suit both modes; default: the person's question)
    checklist: Checklist | None = None
    item: str = ""
    # a yes means the assessments of these categories are not done (fall_risk: no single-leg
    # squat; domain.md §7.5); the consultation does not ask them
    skips: list[Category] = []
    # advice for a person who answered yes (habits): shown on the client sheet
    advice: Advice | None = None
    # the reassessment sheet's words for a change of this answer
    changed: Changed | None = None
    sources: list[SourceKey] = []


class Sign(Record):
    id: Id
    name: Text
    kind: Literal["pattern", "compensation"]
    sided: bool = False
    checkpoint: Id
    description: Text
    sources: list[SourceKey] = Field(min_length=1)


class EquipmentItem(Record):
    """A piece of equipment the programme may use (``facts/equipment.yaml``): its id is one of
    the ``subject.equipment`` ids of case files; ``name`` is short (reviews, explanations) and
    ``item`` its line in the consultation's list, in plain words (default: the name)."""

    id: Id
    name: Text
    item: str = ""


class EquipmentQuestion(Record):
    """How ``imbalance consult`` asks which equipment is at hand: ``person`` and ``trainer`` are
    the question in each mode's words, ``title`` its heading, ``help`` what to type and ``why``
    why it is asked (shown by the why command)."""

    title: Text
    person: Text
    trainer: Text
    help: str = ""
    why: Text
