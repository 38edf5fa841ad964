"""What if some answers were different: the difference in findings, and the smallest set of
answer changes that would clear (or raise) a flag."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from ..case import Answer, Case, parse_case
from ..certainty import rounded
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..problems import InputError, Problem, shown
from ..spelling import suggest
from .target import Target, findings_for

VALUES = ("yes", "no", "unknown", "left", "right", "both")
MIRROR = {"left": "right", "right": "left"}


def parse_changes(kb: KnowledgeBase, items: Iterable[str]) -> dict[str, dict[str, Any]]:
    """``obs=value`` or ``obs=value:certainty`` (comma-separated lists allowed) to answers."""
    out: dict[str, dict[str, Any]] = {}
    problems = []
    for raw in (part.strip() for item in items for part in item.split(",")):
        if not raw:
            continue
        obs, sep, value = raw.partition("=")
        obs, value = obs.strip().lower(), value.strip().lower()
        value, colon, cf = value.partition(":")
        value, cf = value.strip(), cf.strip()
        certainty = _certainty(cf) if colon else 1.0
        if not sep or not obs:
            problems.append(Problem("--what-if", raw, "", "expected obs=value",
                                    "e.g. --what-if anterior_pelvic_tilt=no"))
        elif obs not in kb.questions:
            problems.append(Problem("--what-if", raw, "", f"unknown observation id {shown(obs)}",
                                    suggest(obs, kb.questions)))
        elif value not in VALUES:
            problems.append(Problem("--what-if", raw, "", f"{shown(value)} is not an answer",
                                    "use yes, no, unknown, left, right or both, optionally "
                                    "with :certainty (yes:0.6)"))
        elif certainty is None:
            problems.append(Problem("--what-if", raw, "",
                                    f"certainty {shown(cf)} is not a number from 0 to 1",
                                    f"e.g. {obs}={value}:0.6"))
        elif value in ("left", "right", "both") and not kb.questions[obs].sided:
            problems.append(Problem("--what-if", raw, "", f"{obs} is not sided",
                                    "answer yes, no or unknown"))
        else:
            out[obs] = {"value": value, "certainty": certainty}
    if problems:
        raise InputError(problems)
    return out


def _certainty(text: str) -> float | None:
    """The certainty after ``value:``, or None when it is not a number from 0 to 1 (nan and
    inf are numbers to float(), not certainties)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0 <= value <= 1 else None


def changed(case: Case, kb: KnowledgeBase, changes: dict[str, dict[str, Any]],
            subject: dict[str, Any] | None = None) -> Case:
    """The case with some answers changed and (``subject``) some of the subject's fields set,
    a None removing one (the age or equipment not given); checked as a case file is."""
    data = case.model_dump(mode="json", exclude_none=True)
    # only the subject's fields given: equipment left out (the plan's assumed kit) is not an
    # empty list (body weight only)
    data["subject"] = case.subject.model_dump(mode="json", exclude_none=True,
                                              include=set(case.subject.model_fields_set))
    answers = data.get("answers", {})
    screen = [q.id for q in kb.questions.values() if q.category == "red_flag"]
    if data.get("red_flags") == "none" and (any(
            o in screen and Answer.model_validate(a).value != "no" for o, a in changes.items())
            or "age" in (subject or {})):
        # red_flags: none says every red-flag question was answered no; a change to one of
        # them (or to the age, which a red flag may name) keeps the others no (the statement
        # itself would contradict a red flag the change sets off)
        del data["red_flags"]
        answers = {**{o: "no" for o in screen}, **answers}
    data["answers"] = {**answers, **changes}
    if subject:
        fields = {**data["subject"], **subject}
        data["subject"] = {k: v for k, v in fields.items() if v is not None}
    return parse_case(data, f"{case.id} (what if)", kb)


def leaf_findings(kb: KnowledgeBase, outcome: Outcome) -> dict[tuple[str, str | None], Any]:
    out = {}
    for f in outcome.findings:
        for m in kb.expand(f.muscle):
            sides = ("left", "right") if f.side == "both" else (f.side,)
            for side in sides:
                out[(m, side)] = (f.state, rounded(f.certainty), f.conflict, f.inferred)
    return out


def fold(kb: KnowledgeBase, entries: list[tuple[str, str | None, Any, Any]]
          ) -> list[tuple[str, str | None, Any, Any]]:
    """Entries (muscle, side, before, after) with a whole group changing alike become the
    group; larger groups first."""
    index = {(m, s): (old, new) for m, s, old, new in entries}
    for gid in sorted(kb.groups, key=lambda g: (-len(kb.expand(g)), g)):
        leaves = kb.expand(gid)
        for side in sorted({s for _, s in index}, key=lambda s: s or ""):
            values = [index.get((m, side)) for m in leaves]
            if all(values) and len(set(values)) == 1:
                for m in leaves:
                    del index[(m, side)]
                index[(gid, side)] = values[0]  # type: ignore[assignment]
    return sorted(((m, s, *v) for (m, s), v in index.items()), key=lambda e: (e[0], e[1] or ""))


def diff(kb: KnowledgeBase, before: Outcome, after: Outcome) -> dict[str, Any]:
    """Findings added, removed and changed: muscle by muscle, a change on both sides listed
    once on both, a whole group changing alike listed as the group."""
    a, b = leaf_findings(kb, before), leaf_findings(kb, after)
    sides: dict[tuple[str, Any, Any], list[str | None]] = {}
    for key in sorted(set(a) | set(b), key=lambda k: (k[0], k[1] or "")):
        old, new = a.get(key), b.get(key)
        if old != new:
            sides.setdefault((key[0], old, new), []).append(key[1])
    entries = []
    for (muscle, old, new), found in sides.items():
        for side in (["both"] if found == ["left", "right"] else found):
            entries.append((muscle, side, old, new))
    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for muscle, side, old, new in fold(kb, entries):
        kind = "added" if old is None else "removed" if new is None else "changed"
        entry: dict[str, Any] = {"muscle": muscle, "name": kb.name(muscle), "side": side}
        if old:
            entry["before"] = {"state": old[0], "certainty": old[1]}
        if new:
            entry["after"] = {"state": new[0], "certainty": new[1]}
        out[kind].append(entry)
    ref = [o.referral.level if o.referral else None for o in (before, after)]
    return {**out, "referral": {"before": ref[0], "after": ref[1]}}


def what_if(reasoner: Reasoner, case: Case, changes: dict[str, dict[str, Any]]
            ) -> dict[str, Any]:
    kb = reasoner.kb
    before = reasoner.evaluate(case)
    after = reasoner.evaluate(changed(case, kb, changes))
    return {"case_id": case.id, "changes": changes, **diff(kb, before, after)}


def _flagged(kb: KnowledgeBase, outcome: Outcome, target: Target) -> bool:
    return bool(findings_for(kb, outcome, target))


def smallest_change(reasoner: Reasoner, case: Case, target: Target, candidates:
                    list[tuple[str, str]], clear: bool, max_size: int = 3,
                    budget: int = 400) -> list[dict[str, str]] | None:
    """The smallest set of answer changes (tried in a fixed order) after which the target is
    no longer flagged (``clear``) or is flagged; None when none is found within the budget."""
    kb = reasoner.kb
    tried = 0
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(candidates, size):
            if len({obs for obs, _ in combo}) < size:
                continue
            tried += 1
            if tried > budget:
                return None
            new = changed(case, kb, {o: {"value": v} for o, v in combo})
            outcome = reasoner.evaluate(new)
            if outcome.referral is None and _flagged(kb, outcome, target) != clear:
                return [{"observation": o, "value": v} for o, v in combo]
    return None


def clearing_candidates(kb: KnowledgeBase, case: Case, answers_behind: Iterable[str]
                        ) -> list[tuple[str, str]]:
    """Answers to turn to no: those the finding rests on first, then the other positive ones."""
    behind = sorted(set(answers_behind))
    rest = sorted(o for o, a in case.answers.items() if a.positive and o not in behind)
    return [(o, "no") for o in [*behind, *rest] if o in case.answers]


def raising_candidates(kb: KnowledgeBase, missing: Iterable[str], side: str | None
                       ) -> list[tuple[str, str]]:
    """Answers to turn to yes (or to a side) among the premises a why-not found missing."""
    out = []
    for obs in sorted(set(missing)):
        q = kb.questions.get(obs)
        if q is None or q.category == "red_flag":
            continue
        if not q.sided:
            out.append((obs, "yes"))
        elif side in MIRROR:
            out += [(obs, side), (obs, MIRROR[side])]
        else:
            out.append((obs, "both"))
    return out
