"""The report of one case, as JSON-ready data and as text for people.

Every report carries the scope statement: this is an educational and trainer aid, not a
diagnosis.
"""

from __future__ import annotations

from typing import Any

from . import __version__
from .case import Case
from .certainty import rounded
from .findings import Finding, Outcome
from .focus import is_key
from .knowledge import KnowledgeBase
from .provenance import derivations, graph_paths, reason_line
from .screening import screen_status

DISCLAIMER = ("Educational and trainer aid, not a diagnosis: findings are probable muscle "
              "imbalances commonly associated with what was reported, not a medical assessment. "
              "Stop any exercise that causes pain and see a health professional for pain or "
              "symptoms that persist.")


def _finding(f: Finding, kb: KnowledgeBase, outcome: Outcome,
             explained: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "muscle": f.muscle, "name": kb.name(f.muscle), "state": f.state or None, "side": f.side,
        "certainty": rounded(f.certainty), "key": is_key(kb, f.certainty),
        "conflict": f.conflict, "inferred": f.inferred,
    }
    if f.members:
        out["members"] = list(f.members)
    out["reason"] = reason_line(f, kb, outcome.signs) if f.support else ""
    if not explained:
        return out
    out["because"] = derivations(f.support, kb, outcome.signs)
    out["paths"] = graph_paths(kb, f, outcome.signs)
    if f.against:
        out["against"] = derivations(f.against, kb, outcome.signs)
    return out


def referral_data(outcome: Outcome, kb: KnowledgeBase) -> dict[str, Any] | None:
    ref = outcome.referral
    if ref is None:
        return None
    flags = sorted(ref.flags, key=lambda f: (kb.red_flags[f.rule].level != "emergency", f.rule))
    messages = list(dict.fromkeys(kb.red_flags[f.rule].message for f in flags))
    return {
        "level": ref.level,
        "red_flags": list(ref.red_flags),
        "message": " ".join(messages),
        "reasons": [{"rule": f.rule, "group": kb.red_flags[f.rule].group,
                     "level": kb.red_flags[f.rule].level,
                     "answers": sorted(p.id if p.kind == "answer" else f"age {p.value}"
                                       for p in f.premises),
                     "sources": list(kb.red_flags[f.rule].sources)} for f in flags],
    }


def to_data(case: Case, kb: KnowledgeBase, outcome: Outcome,
            program: dict[str, Any] | None = None, explained: bool = True) -> dict[str, Any]:
    """The JSON report. ``explained=False`` leaves out each finding's ``because``, ``paths``
    and ``against`` (the derivations), for callers that show or keep only the findings and
    their one-line reasons (the text report, batch records)."""
    return {
        "case_id": case.id,
        "title": case.title or None,
        "client": case.client or None,
        "trainer": case.trainer or None,
        "date": case.date.isoformat() if case.date else None,
        "tool_version": __version__,
        "kb_version": kb.version,
        "disclaimer": DISCLAIMER,
        "referral": referral_data(outcome, kb),
        "screen": screen_status(kb, case).to_data(),
        "key_threshold": kb.meta.inference.key_threshold,
        "findings": [_finding(f, kb, outcome, explained) for f in outcome.findings],
        "unresolved": [_finding(f, kb, outcome, explained) for f in outcome.unresolved],
        "signs": [{"sign": s, "side": side, "certainty": rounded(cf)}
                  for (s, side), (cf, _) in sorted(outcome.signs.items(),
                                                    key=lambda kv: (kv[0][0], kv[0][1] or ""))],
        "rules_fired": outcome.fired,
        "program": program,
    }
