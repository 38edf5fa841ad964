"""The programme block in time: its weeks (dated when a start date is given, never from today's
date, so the same input always gives the same output), how often each phase is done, and the
reassessment that closes the block."""

from __future__ import annotations

import datetime as dt

from ..case import Case
from ..knowledge import KnowledgeBase
from ..knowledge.exercises import Plan
from .dosing import dose_for
from .model import PhasePlan, Schedule, Week


def _days(span: tuple[int, int] | None) -> str:
    if span is None:
        return ""
    low, high = span
    if (low, high) == (7, 7):
        return "daily"
    return f"{low} days a week" if low == high else f"{low}–{high} days a week"


def reassessment(kb: KnowledgeBase, case: Case, plan: Plan) -> tuple[str, ...]:
    """What to look at again: the assessments and postures observed (else every positive
    answer that is not a condition)."""
    positive = [(q, a) for q, a in sorted(case.answers.items()) if a.positive]
    chosen = [(q, a) for q, a in positive
              if kb.questions[q].category in plan.reassess_categories]
    if not chosen:
        chosen = [(q, a) for q, a in positive
                  if kb.questions[q].category not in ("condition", "red_flag")]
    return tuple(kb.name(q) + (f" ({a.side})" if a.side else "") for q, a in chosen)


def schedule_for(kb: KnowledgeBase, case: Case, plan: Plan, phases: list[PhasePlan],
                 start: dt.date | None) -> Schedule:
    weeks = []
    for n, note in enumerate(plan.week_notes, 1):
        first = start + dt.timedelta(days=7 * (n - 1)) if start else None
        last = first + dt.timedelta(days=6) if first else None
        weeks.append(Week(n, note, first, last))
    reassess_date = start + dt.timedelta(days=7 * (plan.reassess_week - 1)) if start else None
    frequency = []
    for p in phases:
        if p.items:
            dose = dose_for(kb, p.items[0].technique, None, case.subject.age, False)
            frequency.append((p.phase, _days(dose.days_per_week)))
    return Schedule(plan.id, plan.name, tuple(weeks), start, plan.reassess_week, reassess_date,
                    reassessment(kb, case, plan), plan.session.strip(), tuple(frequency),
                    plan.why.strip(), tuple(plan.sources))
