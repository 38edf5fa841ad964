"""Two assessments of one person compared: the findings resolved, persisting and new (certainty
before and after, key or possible), the answers that changed and which findings each change
explains on its own (the what-if machinery: the change applied alone to the first assessment),
and the progressed programme, built from the second assessment through ``expert.program`` with
the first block as ``previous`` (so every safety gate applies), with the items of the last block
that were dropped and why."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..case import Case, parse_case
from ..certainty import rounded
from ..explain.whatif import changed, fold
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..problems import InputError
from ..program import build_program
from ..program.model import PROGRAM_DISCLAIMER
from ..program.progression import Leaf, Previous, leaves
from .references import Assessed
from .sheet import answer_lines, sheet

KINDS = ("resolved", "persisting", "new", "possible")


def _answer_text(case: Case, obs: str) -> str:
    a = case.answers.get(obs)
    if a is None:
        return "not asked"
    return a.value if a.certainty == 1.0 else f"{a.value} ({a.certainty:g})"


def _answer_data(case: Case, obs: str) -> dict[str, Any]:
    a = case.answers.get(obs)
    return {"value": "unknown"} if a is None else {"value": a.value, "certainty": a.certainty}


def changed_answers(a: Case, b: Case) -> list[str]:
    """Observations whose answer differs (not asked counts as unknown)."""
    out = []
    for obs in sorted(set(a.answers) | set(b.answers)):
        x, y = a.answers.get(obs), b.answers.get(obs)
        vx = (x.value, x.certainty) if x is not None else ("unknown", 1.0)
        vy = (y.value, y.certainty) if y is not None else ("unknown", 1.0)
        if vx != vy and not (vx[0] == "unknown" and vy[0] == "unknown"):
            out.append(obs)
    return out


def _entries(kb: KnowledgeBase, before: dict[Leaf, float], after: dict[Leaf, float]
             ) -> dict[str, list[dict[str, Any]]]:
    """Findings per kind, sides folded to ``both`` and whole groups folded to the group."""
    threshold = kb.meta.inference.key_threshold
    per: dict[tuple[str, str, tuple[Any, ...]], list[str | None]] = {}
    for leaf in sorted(set(before) | set(after), key=lambda k: (k[0], k[2], k[1] or "")):
        muscle, side, state = leaf
        old, new = before.get(leaf), after.get(leaf)
        # what counts is whether it is a key finding (the programme answers those): resolved
        # when it was key and is not any more (possible or gone), new when it became key
        was, now = old is not None and old >= threshold, new is not None and new >= threshold
        kind = ("persisting" if was and now else "resolved" if was else "new" if now
                else "possible")
        value = (kind, state,
                 None if old is None else (rounded(old), old >= threshold),
                 None if new is None else (rounded(new), new >= threshold))
        per.setdefault((muscle, state, value), []).append(side)
    raw = []
    for (muscle, _, value), sides in per.items():
        if "left" in sides and "right" in sides:
            sides = [s for s in sides if s not in ("left", "right")] + ["both"]
        for side in sides:
            raw.append((muscle, side, value, value))
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in KINDS}
    for muscle, side, value, _ in fold(kb, raw):
        kind, state, old, new = value
        out[kind].append({
            "muscle": muscle, "name": kb.name(muscle), "side": side, "state": state,
            "before": None if old is None else {"certainty": old[0], "key": old[1]},
            "after": None if new is None else {"certainty": new[0], "key": new[1]},
            "explained_by": []})
    for kind in KINDS:
        out[kind].sort(key=lambda e: (-max((e["before"] or {}).get("certainty", 0),
                                           (e["after"] or {}).get("certainty", 0)),
                                      e["muscle"], e["side"] or ""))
    return out


def _leaves_of(kb: KnowledgeBase, entry: dict[str, Any]) -> list[Leaf]:
    sides = (("left", "right") if entry["side"] == "both" else (entry["side"],))
    return [(m, s, entry["state"]) for m in kb.expand(entry["muscle"]) for s in sides]


def _label(entry: dict[str, Any]) -> str:
    side = f"@{entry['side']}" if entry["side"] else ""
    return f"{entry['muscle']}{side} {entry['state']}"


def explain_changes(reasoner: Reasoner, a: Case, b: Case, findings: dict[str, Any]
                    ) -> list[dict[str, Any]]:
    """Each changed answer, applied alone to the first assessment: which resolved findings it
    clears and which new ones it raises (``explains``); every finding records its changes."""
    kb = reasoner.kb
    out = []
    for obs in changed_answers(a, b):
        explains: list[str] = []
        try:
            alone = reasoner.evaluate(changed(a, kb, {obs: _answer_data(b, obs)}))
        except InputError:      # e.g. a red flag set against red_flags: none; nothing to say
            alone = None
        if alone is not None:
            now = leaves(kb, alone, key_only=True)
            for kind, test in (("resolved", False), ("new", True)):
                for entry in findings[kind]:
                    if all((leaf in now) == test for leaf in _leaves_of(kb, entry)):
                        entry["explained_by"].append(obs)
                        explains.append(f"{kind}: {_label(entry)}")
        q = kb.questions.get(obs)
        out.append({"observation": obs, "question": q.item or q.person if q else obs,
                    "category": q.category if q else None,
                    "before": _answer_text(a, obs), "after": _answer_text(b, obs),
                    "explains": explains})
    return out


def _dropped(kb: KnowledgeBase, old: dict[str, Any] | None, new: dict[str, Any] | None,
             findings: dict[str, Any]) -> list[dict[str, Any]]:
    """Items of the last block not in the new programme, each with why."""
    if not old:
        return []
    kept = {i["exercise"] for p in (new or {}).get("phases", []) for i in p["items"]}
    removed = {r["exercise"]: r for r in (new or {}).get("removed", [])}
    resolved = {leaf for e in findings["resolved"] for leaf in _leaves_of(kb, e)}
    out = []
    for phase in old.get("phases", []):
        for item in phase["items"]:
            if item["exercise"] in kept:
                continue
            answered = []
            for label in item["addresses"]:
                muscle, _, side = label.partition("@")
                sides = ("left", "right") if side in ("both", "") else (side,)
                if muscle in kb.muscles or muscle in kb.groups:
                    answered += [(m, s) for m in kb.expand(muscle) for s in sides]
            if new is None:
                why = "No programme at this assessment (see the referral or the safety screen)."
            elif item["exercise"] in removed:
                why = "Left out now: " + removed[item["exercise"]]["reason"]
            elif answered and all(any((m, s, st) in resolved or (m, None, st) in resolved
                                      for st in ("overactive", "underactive"))
                                  for m, s in answered):
                why = ("What it answered is no longer a key finding: "
                       + ", ".join(item["addresses"]))
            elif phase["phase"] == "integrate":
                why = "The signs it integrated are no longer seen, or another exercise " \
                      "integrates them now."
            else:
                why = "The findings it answered are answered by other exercises now."
            out.append({"exercise": item["exercise"], "name": item["name"],
                        "phase": phase["phase"], "addresses": item["addresses"],
                        "reason": why})
    return out


def last_block(reasoner: Reasoner, assessments: list[Any], outcome: Outcome
               ) -> Previous | None:
    """The last stored block as a new assessment of the same client sees it (``assessments``:
    the client's stored ``expert.store.Assessment`` records), or None when there is none or
    the last assessment gave no programme."""
    if not assessments or assessments[-1].program is None:
        return None
    last = assessments[-1]
    kb = reasoner.kb
    before = reasoner.evaluate(parse_case(last.case_data, f"assessment {last.number}", kb))
    return Previous.of(kb, last.program, before, outcome)


def _side_info(x: Assessed, outcome: Outcome) -> dict[str, Any]:
    return {"label": x.label, "case_id": x.case.id, "title": x.case.title,
            "date": x.date.isoformat() if x.date else None, "stored": x.stored,
            "number": x.number,
            "referral": outcome.referral.level if outcome.referral else None}


def compare(reasoner: Reasoner, a: Assessed, b: Assessed, start: dt.date | None = None
            ) -> dict[str, Any]:
    """The comparison of assessment ``a`` (before) with ``b`` (after), as data."""
    kb = reasoner.kb
    out_a, out_b = reasoner.evaluate(a.case), reasoner.evaluate(b.case)
    findings = _entries(kb, leaves(kb, out_a), leaves(kb, out_b))
    # under a referral the findings are not assessed at all: nothing resolved or new to say
    note = None
    if out_b.referral is not None:
        findings = {k: [] for k in KINDS}
        note = ("The reassessment found a reason to see a health professional first "
                f"({out_b.referral.level}), so its findings are not compared.")
    elif out_a.referral is not None:
        note = ("The first assessment referred, so it has no findings to compare with: every "
                "key finding now is listed as new.")
    answers = explain_changes(reasoner, a.case, b.case, findings)
    program_a = a.program
    if program_a is None and not a.stored:
        built = build_program(kb, a.case, out_a)
        program_a = built.to_data() if built else None
    previous = Previous.of(kb, program_a, out_a, out_b)
    built_b = build_program(kb, b.case, out_b, start, previous)
    program_b = built_b.to_data() if built_b else None
    together = [_label(e) for k in ("resolved", "new") for e in findings[k]
                if not e["explained_by"]]
    data: dict[str, Any] = {
        "before": _side_info(a, out_a), "after": _side_info(b, out_b),
        "kb_version": kb.meta.version,
        "key_threshold": kb.meta.inference.key_threshold,
        "summary": {k: len(findings[k]) for k in KINDS if k != "possible"},
        "note": note,
        "findings": findings,
        "answers": answers,
        "together": together,
        "program": program_b,
        "dropped": _dropped(kb, program_a, program_b, findings),
        "disclaimer": PROGRAM_DISCLAIMER,
    }
    data["sheet"] = sheet(kb, a.case, b.case, data)
    data["answer_lines"] = answer_lines(kb, a.case, b.case)
    return data

