"""Schemas of the corrective-programme files in ``facts/``: the exercise catalogue
(``exercises.yaml``: exercises and the techniques deliberately avoided), the doses per technique
with their variants (``doses.yaml``: doses and the programme block) and the safety gates
(``safety.yaml``: restrictions by condition, stage or age, the notices a condition adds to a
programme, the subject fields that refine a condition, and the notes every programme carries).

Unknown keys and malformed values are rejected, as in ``catalogue.py``; cross-references are
checked in ``integrity.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .catalogue import Category, Confidence, Id, SourceKey, Text

Phase = Literal["inhibit", "lengthen", "activate", "integrate"]
PHASES: tuple[str, ...] = get_args(Phase)
Status = Literal["contraindicated", "precaution"]
# the body position an exercise is done in (safety restrictions select by it: nothing face down
# or lying on the back for long from 16 weeks of pregnancy)
Position = Literal["standing", "seated", "kneeling", "quadruped", "side_lying", "supine",
                   "prone"]
POSITIONS: tuple[str, ...] = get_args(Position)
# what an exercise demands of the body, for the restrictions that select by it
Feature = Literal[
    "single_leg",              # stands on one leg (fall risk)
    "lunge",                   # a lunge or split stance moving through range (fall risk)
    "unstable_surface",        # balances on a stability ball (pregnancy, fall risk)
    "spinal_flexion",          # rounds the spine forward
    "loaded_spinal_flexion",   # rounds the spine forward under load (osteoporosis, steroids)
    "flexion_with_rotation",   # rounds and twists the spine together (osteoporosis)
    "neck_stretch",            # takes the neck towards the end of its range (atlanto-axial risk)
    "pressure_near_neck",      # presses on muscles next to the neck
]
FEATURES: tuple[str, ...] = get_args(Feature)


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _range(value: Any) -> Any:
    """A number or ``[low, high]``; stored as ``(low, high)``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value, value)
    return value


Range = Annotated[tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]], Field()]


class _Ranged(Record):
    @field_validator("sets", "reps", "hold_s", "days_per_week", mode="before", check_fields=False)
    @classmethod
    def _as_range(cls, value: Any) -> Any:
        return _range(value)

    @model_validator(mode="after")
    def _ordered(self) -> _Ranged:
        for name in ("sets", "reps", "hold_s", "days_per_week"):
            value = getattr(self, name, None)
            if value is not None and value[0] > value[1]:
                raise ValueError(f"{name}: [low, high] needs low <= high")
        days = getattr(self, "days_per_week", None)
        if days is not None and days[1] > 7:
            raise ValueError("days_per_week cannot exceed 7")
        return self


class Exercise(Record):
    """One technique of the corrective exercise continuum."""

    id: Id
    name: Text
    phase: Phase
    technique: Id                     # a doses.yaml technique; its phase must match
    targets: list[Id] = []            # muscles or groups it works (safety checks use them)
    signs: list[Id] = []              # signs that call for it even without a muscle target
    checkpoints: list[Id] = []        # integrate: the kinetic-chain checkpoints it integrates
    regions: list[Id] = []            # catalogue regions it loads, besides its targets' regions
    sided: bool = True                # done one side at a time (False: both sides together)
    position: Position                # the body position it is done in
    features: list[Feature] = []      # what it demands (single leg, unstable surface, ...)
    # any one option will do; an option is an equipment id or a list of ids all needed
    equipment: list[Id | list[Id]] = []
    alternatives: list[Id] = []       # exercises to use instead when no option is at hand
    options: list[Id] = []            # other techniques it can be done with (e.g. contract-relax)
    not_with: list[Id] = []           # signs that rule it out
    not_with_reason: str = ""
    dose_variant: Id | None = None    # a variant of its technique's dose (holds), not the chosen
    dose_note: str = ""               # exercise-specific addition to the phase dose
    cues: list[Text] = Field(min_length=1)
    regressions: list[Text] = []
    progressions: list[Text] = []
    precautions: list[Text] = []
    confidence: Confidence
    sources: list[SourceKey] = Field(min_length=1)
    notes: str = ""

    @model_validator(mode="after")
    def _shape(self) -> Exercise:
        if self.phase == "integrate":
            if not self.checkpoints:
                raise ValueError("an integrate exercise names the checkpoints it integrates")
        elif not self.targets and not self.signs:
            raise ValueError("an exercise names its target muscles (or the signs it answers)")
        if self.not_with and not self.not_with_reason:
            raise ValueError("not_with needs a not_with_reason")
        if self.id in self.alternatives:
            raise ValueError("an exercise cannot be its own alternative")
        return self

    def equipment_options(self) -> list[tuple[str, ...]]:
        return [(o,) if isinstance(o, str) else tuple(o) for o in self.equipment]


class Avoided(Record):
    """A technique the generator never proposes, and why (domain.md §6.4, §8.1, §7.1)."""

    id: Id
    name: Text
    reason: Text
    concerns: list[Id] = []           # muscles or groups: the note is shown when they are treated
    instead: list[Id] = []            # exercises used instead
    sources: list[SourceKey] = Field(min_length=1)


class DoseVariant(_Ranged):
    id: Id
    label: Text
    sets: Range | None = None
    reps: Range | None = None
    hold_s: Range | None = None       # seconds
    tempo: str = ""                   # e.g. 4-2-1 (eccentric-isometric-concentric seconds)
    days_per_week: Range | None = None
    per_side: bool = False
    intensity: str = ""
    steps: str = ""                   # a protocol in words (contract-relax timings)
    sources: list[SourceKey] = Field(min_length=1)
    notes: str = ""


class AgeAdjustment(_Ranged):
    min_age: int = Field(ge=0, le=120)
    sets: Range | None = None
    reps: Range | None = None
    hold_s: Range | None = None
    days_per_week: Range | None = None
    why: Text
    sources: list[SourceKey] = Field(min_length=1)


class Timing(Record):
    """How long one item of a technique takes, where its dose does not say (for the session-time
    estimate, ``expert/program/timing.py``): seconds to get into position (per side), per rep
    when the tempo is not in seconds, per set when the dose gives neither reps nor a hold, and
    rest between sets."""

    setup_s: int = Field(ge=0, le=600)
    rep_s: int = Field(ge=0, le=60)
    set_s: int = Field(ge=0, le=600)
    rest_s: int = Field(ge=0, le=600)
    why: Text


class DoseStep(_Ranged):
    """One step up the dose at a reassessment: the numbers that replace the chosen variant's."""

    label: Text
    sets: Range | None = None
    reps: Range | None = None
    hold_s: Range | None = None
    tempo: str = ""


class Progression(Record):
    """How an item whose finding persists at a reassessment moves on (docs/program.md,
    "Reassessment"): the exercise's own catalogue progressions first (when ``catalogue``), one
    per reassessment, then these dose steps."""

    catalogue: bool = True
    steps: list[DoseStep] = []
    why: Text
    sources: list[SourceKey] = Field(min_length=1)


class Dose(Record):
    """The dose of one technique: the variants the sources give and the one used."""

    technique: Id
    name: Text
    phase: Phase
    chosen: Id
    why: Text
    disagreement: str = ""
    variants: list[DoseVariant] = Field(min_length=1)
    older_adults: AgeAdjustment | None = None
    timing: Timing
    progression: Progression | None = None   # at a reassessment; None: the dose is kept

    @model_validator(mode="after")
    def _chosen(self) -> Dose:
        ids = [v.id for v in self.variants]
        if len(set(ids)) != len(ids):
            raise ValueError("variant ids must be unique")
        if self.chosen not in ids:
            raise ValueError(f"chosen variant {self.chosen!r} is not among {', '.join(ids)}")
        if len(ids) > 1 and not self.disagreement.strip():
            raise ValueError("several variants: say where the sources disagree (disagreement)")
        return self

    def variant(self, vid: str | None = None) -> DoseVariant:
        wanted = vid or self.chosen
        return next(v for v in self.variants if v.id == wanted)


class Core(Record):
    """The programme's core: at most ``max_items`` exercises, chosen by priority while the
    estimated typical session stays within ``target_minutes``; the rest are extras."""

    max_items: int = Field(ge=1, le=30)
    target_minutes: int = Field(ge=1, le=180)
    why: Text
    sources: list[SourceKey] = Field(min_length=1)


class Reassessment(Record):
    """What a reassessment does with the items of the last block (docs/program.md,
    "Reassessment"): a finding that got more certain by ``worse_by`` or more is regressed, not
    progressed; catalogue progressions (free text the safety rules cannot judge) are skipped
    for a subject with a condition unless ``catalogue_with_conditions``."""

    worse_by: float = Field(gt=0, le=1)
    catalogue_with_conditions: bool = False
    why: Text
    sources: list[SourceKey] = Field(min_length=1)


class Plan(Record):
    """The programme block: its length, reassessment and the weekly progression."""

    id: Id
    name: Text
    weeks: int = Field(ge=1, le=12)
    reassess_week: int = Field(ge=2, le=13)
    session: Text
    week_notes: list[Text] = Field(min_length=1)
    # the same notes in a client's words, for the client sheet's log (default: week_notes)
    client_week_notes: list[Text] = []
    assumed_equipment: list[Id] = []   # when a case does not list the subject's equipment
    region_checkpoints: dict[Id, Id] = {}   # catalogue region -> checkpoint, for integration
    reassess_categories: list[Category] = []
    core: Core
    reassessment: Reassessment | None = None
    why: Text
    sources: list[SourceKey] = Field(min_length=1)

    @model_validator(mode="after")
    def _weeks(self) -> Plan:
        if len(self.week_notes) != self.weeks:
            raise ValueError(f"week_notes needs one note per week ({self.weeks})")
        if self.client_week_notes and len(self.client_week_notes) != self.weeks:
            raise ValueError(f"client_week_notes needs one note per week ({self.weeks})")
        if self.reassess_week <= self.weeks:
            raise ValueError("reassess_week comes after the last week of the block")
        return self


class Restriction(Record):
    """What a condition (or age) does to the techniques: remove them or keep them with care."""

    id: Id
    condition: Id | None = None        # a question of category condition answered yes
    min_age: int | None = Field(default=None, ge=0, le=120)
    techniques: list[Id] = Field(min_length=1)
    # pregnancy_weeks (a subject field refining the condition, ``refinements``): applies only from
    # this week (or when the weeks are not given) / only before this week (weeks given)
    from_week: int | None = Field(default=None, ge=0, le=45)
    before_week: int | None = Field(default=None, ge=0, le=45)
    muscles: list[Id] = []             # limits it to exercises targeting these (or their members)
    regions: list[Id] = []             # ... or loading these catalogue regions
    exercises: list[Id] = []           # ... or these exercises
    positions: list[Position] = []     # ... or done in these positions
    features: list[Feature] = []       # ... or demanding any of these
    status: Status
    reason: Text
    advice: str = ""                   # how to adapt, for a precaution
    sources: list[SourceKey] = Field(min_length=1)

    @model_validator(mode="after")
    def _trigger(self) -> Restriction:
        if (self.condition is None) == (self.min_age is None):
            raise ValueError("a restriction is triggered by a condition or by min_age (one)")
        if self.status == "precaution" and not self.advice.strip():
            raise ValueError("a precaution says how to adapt (advice)")
        if (self.from_week is not None or self.before_week is not None) and self.condition is None:
            raise ValueError("from_week / before_week refine a condition: name the condition")
        return self

    @property
    def scoped(self) -> bool:
        return bool(self.muscles or self.regions or self.exercises or self.positions
                    or self.features)


class Refinement(Record):
    """A subject field that refines a condition (``pregnancy_weeks`` refines ``pregnancy``):
    restrictions of that condition may apply only from or before a week."""

    id: Literal["pregnancy_weeks"]     # the subject field of case files
    condition: Id                      # the condition question it refines
    assume_when_unknown: int = Field(ge=0, le=45)   # weeks assumed when the field is not given
    why: Text
    sources: list[SourceKey] = Field(min_length=1)
    # how ``imbalance consult`` asks it, right after a yes to the condition (in each mode's
    # words; without them it is not asked), and what to type
    person: str = ""
    trainer: str = ""
    help: str = ""


class Notice(Record):
    """A line the programme carries when any of its conditions is present (check with the
    doctor that exercise is fine, for a history flag without spinal pain)."""

    id: Id
    conditions: list[Id] = Field(min_length=1)   # condition or red-flag questions answered yes
    text: Text
    sources: list[SourceKey] = Field(min_length=1)


class SafetyNote(Record):
    """A rule printed with every programme (stop on pain, signs of over-stretching, ...)."""

    id: Id
    text: Text
    # the same rule in a client's words, for the client sheet's "when to stop" (notes without
    # it are in the trainer's report only)
    client: str = ""
    sources: list[SourceKey] = Field(min_length=1)
