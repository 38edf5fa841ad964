"""The corrective programme as data: items grouped by phase, what was left out and why, what no
technique addresses, the schedule, and the JSON form of all of it (``to_data``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

PROGRAM_DISCLAIMER = (
    "Educational and trainer aid, not a diagnosis or a treatment plan: these are movement-quality "
    "exercises commonly used for the probable imbalances found, not a cure for pain. Stop any "
    "exercise that causes pain and see a health professional for pain or symptoms that persist.")


@dataclass(frozen=True)
class Dosing:
    """The dose printed on an item: the chosen variant of its technique, adjusted by age."""

    technique: str
    variant: str
    sets: tuple[int, int] | None
    reps: tuple[int, int] | None
    hold_s: tuple[int, int] | None
    tempo: str
    days_per_week: tuple[int, int] | None
    per_side: bool
    intensity: str
    steps: str
    notes: tuple[str, ...]
    text: str

    def to_data(self) -> dict[str, Any]:
        def rng(value: tuple[int, int] | None) -> list[int] | None:
            return list(value) if value is not None else None

        return {"technique": self.technique, "variant": self.variant, "sets": rng(self.sets),
                "reps": rng(self.reps), "hold_s": rng(self.hold_s), "tempo": self.tempo or None,
                "days_per_week": rng(self.days_per_week), "per_side": self.per_side,
                "intensity": self.intensity or None, "steps": self.steps or None,
                "notes": list(self.notes), "text": self.text}


@dataclass(frozen=True)
class Adaptation:
    """A precaution that keeps an item but changes how it is done."""

    condition: str          # condition id, or "age" for an age rule
    label: str              # how people read it ("osteoporosis", "age 65+")
    advice: str
    reason: str
    sources: tuple[str, ...]

    def to_data(self) -> dict[str, Any]:
        return {"condition": self.condition, "label": self.label, "advice": self.advice,
                "reason": self.reason, "sources": list(self.sources)}


@dataclass(frozen=True)
class Option:
    """Another technique an item may be done with (the contract-relax stretch)."""

    technique: str
    name: str
    dose: Dosing

    def to_data(self) -> dict[str, Any]:
        return {"technique": self.technique, "name": self.name, "dose": self.dose.to_data()}


@dataclass(frozen=True)
class Item:
    exercise: str
    name: str
    phase: str
    technique: str
    targets: tuple[str, ...]          # muscle or group ids it addresses (groups folded back)
    target_names: tuple[str, ...]
    side: str | None                  # left / right / both; None: both sides at once
    bilateral: bool
    dose: Dosing
    equipment: tuple[str, ...]
    instead_of: dict[str, Any] | None  # {exercise, name, missing, reason}: an alternative used
    options: tuple[Option, ...]
    addresses: tuple[str, ...]         # the findings (muscle@side) or signs it answers
    places: tuple[str, ...]            # integrate: the checkpoints it integrates
    place_names: tuple[str, ...]
    cues: tuple[str, ...]
    regressions: tuple[str, ...]
    progressions: tuple[str, ...]
    precautions: tuple[str, ...]
    adaptations: tuple[Adaptation, ...]
    confidence: str
    sources: tuple[str, ...]
    notes: str = ""
    seconds: tuple[int, int, int] = (0, 0, 0)   # estimated time: start, typical, full dose
    core: bool = True                  # in the core (done every session), else an extra
    # at a reassessment (program/progression.py): status, level, the step taken and why
    progression: dict[str, Any] | None = None

    def to_data(self) -> dict[str, Any]:
        data = {
            "exercise": self.exercise, "name": self.name, "technique": self.technique,
            "core": self.core, "minutes": round(self.seconds[1] / 60, 1),
            "targets": list(self.targets), "target_names": list(self.target_names),
            "side": self.side, "bilateral": self.bilateral, "dose": self.dose.to_data(),
            "equipment": list(self.equipment), "instead_of": self.instead_of,
            "options": [o.to_data() for o in self.options], "addresses": list(self.addresses),
            "checkpoints": list(self.places), "checkpoint_names": list(self.place_names),
            "cues": list(self.cues), "regressions": list(self.regressions),
            "progressions": list(self.progressions), "precautions": list(self.precautions),
            "adaptations": [a.to_data() for a in self.adaptations],
            "confidence": self.confidence, "sources": list(self.sources),
            "notes": self.notes or None,
        }
        if self.progression is not None:
            data["progression"] = self.progression
        return data


@dataclass(frozen=True)
class Removed:
    """An exercise (or one of its options) left out, with the reason."""

    exercise: str
    name: str
    phase: str
    kind: str          # condition | underactive_target | overactive_target | sign | equipment
    reason: str
    condition: str | None = None
    technique: str | None = None       # the option removed, when only an option is
    option: str | None = None          # ... and its name
    targets: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {"exercise": self.exercise, "name": self.name, "phase": self.phase,
                "kind": self.kind, "condition": self.condition, "technique": self.technique,
                "option": self.option,
                "targets": list(self.targets), "reason": self.reason,
                "sources": list(self.sources)}


@dataclass(frozen=True)
class Unaddressed:
    """A finding no catalogue technique answers."""

    muscle: str
    name: str
    state: str
    side: str | None
    reason: str

    def to_data(self) -> dict[str, Any]:
        return {"muscle": self.muscle, "name": self.name, "state": self.state,
                "side": self.side, "reason": self.reason}


@dataclass(frozen=True)
class Week:
    week: int
    note: str
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True)
class Schedule:
    plan: str
    name: str
    weeks: tuple[Week, ...]
    start: dt.date | None
    reassess_week: int
    reassess_date: dt.date | None
    reassess: tuple[str, ...]          # what to look at again
    session: str
    frequency: tuple[tuple[str, str], ...]   # (phase, "5-7 days a week")
    why: str
    sources: tuple[str, ...]

    def to_data(self) -> dict[str, Any]:
        def day(d: dt.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "plan": self.plan, "name": self.name, "weeks": len(self.weeks),
            "start": day(self.start),
            "block": [{"week": w.week, "start": day(w.start), "end": day(w.end), "note": w.note}
                      for w in self.weeks],
            "reassess": {"week": self.reassess_week, "date": day(self.reassess_date),
                         "what": list(self.reassess)},
            "session": self.session,
            "frequency": [{"phase": p, "days": d} for p, d in self.frequency],
            "why": self.why, "sources": list(self.sources),
        }


@dataclass(frozen=True)
class CoreSummary:
    """The core of a programme: how many items it holds, the extras, and its session time."""

    max_items: int
    target_minutes: int
    items: int
    extras: int
    minutes: tuple[int, int, int]      # the core session: at the start, typical, full dose
    why: str

    @property
    def line(self) -> str:
        """The one line that tells people what the core is."""
        start, typical, full = self.minutes
        what = ("the exercise that answers your strongest finding" if self.items == 1 else
                f"the {self.items} exercises that answer your strongest findings")
        grows = f" ({start}–{full} as the dose grows)" if start != full else ""
        extras = "; extras if you have time" if self.extras else ""
        return f"Core: {what}, about {typical} minutes a session{grows}{extras}."

    def to_data(self) -> dict[str, Any]:
        start, typical, full = self.minutes
        return {"items": self.items, "extras": self.extras, "max_items": self.max_items,
                "target_minutes": self.target_minutes,
                "minutes": {"start": start, "typical": typical, "full": full},
                "line": self.line, "why": self.why}


@dataclass(frozen=True)
class PhasePlan:
    phase: str
    items: tuple[Item, ...]
    note: str = ""


@dataclass
class Program:
    phases: list[PhasePlan]
    removed: list[Removed]
    unaddressed: list[Unaddressed]
    schedule: Schedule | None
    conditions: list[dict[str, Any]]
    unscreened: list[str]
    equipment: list[str]
    equipment_assumed: bool
    doses: list[dict[str, Any]]
    avoided: list[dict[str, Any]]
    safety: list[str]
    notes: list[str] = field(default_factory=list)
    disclaimer: str = PROGRAM_DISCLAIMER
    core: CoreSummary | None = None

    @property
    def items(self) -> list[Item]:
        return [i for p in self.phases for i in p.items]

    def to_data(self) -> dict[str, Any]:
        return {
            "core": self.core.to_data() if self.core else None,
            "core_minutes": self.core.minutes[1] if self.core else None,
            "phases": [{"phase": p.phase, "items": [i.to_data() for i in p.items],
                        "note": p.note or None} for p in self.phases],
            "removed": [r.to_data() for r in self.removed],
            "not_addressed": [u.to_data() for u in self.unaddressed],
            "schedule": self.schedule.to_data() if self.schedule else None,
            "conditions": self.conditions,
            "unscreened_conditions": self.unscreened,
            "equipment": {"available": self.equipment, "assumed": self.equipment_assumed},
            "doses": self.doses,
            "avoided": self.avoided,
            "safety": self.safety,
            "notes": self.notes,
            "disclaimer": self.disclaimer,
        }
