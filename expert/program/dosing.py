"""Doses: the chosen variant of a technique's dose (doses.yaml), adjusted for older adults, with
an exercise's own note, as numbers and as one line of text."""

from __future__ import annotations

from ..knowledge import KnowledgeBase
from ..knowledge.exercises import DoseStep, Exercise
from .model import Dosing


def _span(value: tuple[int, int]) -> str:
    low, high = value
    return str(low) if low == high else f"{low}–{high}"


def _days(value: tuple[int, int]) -> str:
    if value == (7, 7):
        return "daily"
    return f"{_span(value)} days a week"


def dose_for(kb: KnowledgeBase, technique: str, exercise: Exercise | None, age: int | None,
             sided: bool, step: DoseStep | None = None) -> Dosing:
    """The dose of a technique (for an exercise), adjusted by age; ``step`` is a reassessment's
    dose step (``doses.yaml`` progression), whose numbers replace the variant's."""
    dose = kb.doses[technique]
    # an exercise may name its own variant of its technique's dose (holds are holds)
    own = (exercise.dose_variant
           if exercise is not None and technique == exercise.technique else None)
    v = dose.variant(own)
    sets, reps, hold, days = v.sets, v.reps, v.hold_s, v.days_per_week
    tempo = v.tempo
    if step is not None:
        sets, reps, hold = step.sets or sets, step.reps or reps, step.hold_s or hold
        tempo = step.tempo or tempo
    notes: list[str] = []
    adj = dose.older_adults
    if adj is not None and age is not None and age >= adj.min_age:
        sets = adj.sets or sets
        reps = adj.reps or reps
        hold = adj.hold_s or hold
        days = adj.days_per_week or days
        notes.append(f"longer hold from age {adj.min_age}")
    if exercise is not None and exercise.dose_note:
        notes.append(exercise.dose_note)
    per_side = v.per_side and sided
    parts: list[str] = []
    if v.steps:
        parts.append(v.steps.rstrip("."))
    if sets is not None:
        parts.append(f"{_span(sets)} set{'s' if sets[1] > 1 else ''}")
    if reps is not None and hold is not None:      # repeated holds (a chin tuck: 10 x 10 s)
        parts.append(f"{_span(reps)} holds of {_span(hold)} s")
    elif reps is not None:
        parts.append(f"{_span(reps)} reps")
    elif hold is not None:
        parts.append(f"hold {_span(hold)} s")
    if per_side and (hold is not None or reps is not None):
        parts.append("each side")
    if tempo:
        parts.append(f"tempo {tempo}" if tempo[0].isdigit() else tempo)
    if days is not None:
        parts.append(_days(days))
    if v.intensity:
        parts.append(v.intensity)
    text = "; ".join(parts)
    if notes:
        text += " (" + "; ".join(notes) + ")"
    return Dosing(technique, v.id, sets, reps, hold, tempo, days, per_side, v.intensity,
                  v.steps, tuple(notes), text)


def dose_summary(kb: KnowledgeBase, used: list[tuple[str, str]]) -> list[dict[str, object]]:
    """The doses a programme uses, as (technique, variant) pairs: the variant, why (the
    technique's reasoning, or the variant's own notes for an exercise-specific variant such as
    holds), and the alternatives the sources give."""
    out: list[dict[str, object]] = []
    for technique, vid in used:
        dose = kb.doses[technique]
        chosen = dose.variant(vid)
        out.append({
            "technique": technique, "name": dose.name, "phase": dose.phase,
            "variant": chosen.id, "label": chosen.label,
            "why": dose.why if chosen.id == dose.chosen else (chosen.notes or dose.why),
            "disagreement": dose.disagreement or None,
            "alternatives": [{"variant": v.id, "label": v.label, "sources": list(v.sources)}
                             for v in dose.variants if v.id != chosen.id],
            "sources": list(chosen.sources),
        })
    return out
