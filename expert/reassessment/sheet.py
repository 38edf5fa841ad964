"""The reassessment sheet: what changed since last time, in the person's words. The words for
each answer are data (``facts/questions.yaml``: a question's ``changed.gone`` and
``changed.new``; without them its checklist ``item``), the muscles' plain names too (``plain``
in ``facts/muscles.yaml`` and ``groups.yaml`` where given, else the name); nothing here names an
observation or a muscle."""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..knowledge import KnowledgeBase

SIDE_WORDS = {"left": "on the left", "right": "on the right", "both": "on both sides"}
STATE_WORDS = {"overactive": "tight or overactive", "underactive": "weak or underactive"}


def _plain_name(kb: KnowledgeBase, node: str) -> str:
    record = kb.muscles.get(node) or kb.groups.get(node)
    plain = getattr(record, "plain", "") if record is not None else ""
    if plain:
        return str(plain)
    name = kb.name(node)
    return name[:1].lower() + name[1:]


def _where(side: str | None) -> str:
    return f" ({SIDE_WORDS[side]})" if side in SIDE_WORDS else ""


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def answer_lines(kb: KnowledgeBase, a: Case, b: Case) -> list[dict[str, str]]:
    """One plain line per answer that changed between seen and not seen (or changed side)."""
    out = []
    for obs in sorted(set(a.answers) | set(b.answers)):
        q = kb.questions.get(obs)
        if q is None or q.category == "red_flag":
            continue
        x, y = a.answers.get(obs), b.answers.get(obs)
        was, now = bool(x and x.positive), bool(y and y.positive)
        item = q.item or q.person
        words = q.changed
        if was and not now:
            if y is None or y.value == "unknown":
                text = f"Not checked this time: {item}"
            else:
                text = words.gone if words else f"No longer: {item}"
                text += _where(x.side if x else None) if x and x.side != "both" else ""
            out.append({"observation": obs, "change": "gone", "text": _sentence(text)})
        elif now and not was:
            text = (words.new if words else f"New: {item}") + _where(y.side if y else None)
            out.append({"observation": obs, "change": "new", "text": _sentence(text)})
        elif was and now and x and y and x.side != y.side:
            text = (words.new if words else item) + f"{_where(y.side)}, " \
                   f"not {SIDE_WORDS.get(x.side or '', 'as before')} any more"
            out.append({"observation": obs, "change": "side", "text": _sentence(text)})
    return out


def sheet(kb: KnowledgeBase, a: Case, b: Case, data: dict[str, Any]) -> dict[str, Any]:
    """The sheet's lines: what you told us or we saw that changed, what it means for the
    findings, and what happens to the programme."""
    findings = data["findings"]
    meaning = []
    for e in findings["resolved"]:
        meaning.append(_sentence(f"Your {_plain_name(kb, e['muscle'])}{_where(e['side'])} "
                                 f"no longer look {STATE_WORDS[e['state']]}"))
    for e in findings["persisting"]:
        before, after = e["before"]["certainty"], e["after"]["certainty"]
        trend = ("less clearly than before" if after < before else
                 "as clearly as before" if after == before else "more clearly than before")
        meaning.append(_sentence(f"Your {_plain_name(kb, e['muscle'])}{_where(e['side'])} "
                                 f"still look {STATE_WORDS[e['state']]}, {trend}"))
    for e in findings["new"]:
        meaning.append(_sentence(f"New: your {_plain_name(kb, e['muscle'])}"
                                 f"{_where(e['side'])} now look {STATE_WORDS[e['state']]}"))
    program = data.get("program")
    counts = {"progressed": 0, "regressed": 0, "kept": 0, "new": 0}
    for phase in (program or {}).get("phases", []):
        for item in phase["items"]:
            status = (item.get("progression") or {}).get("status")
            if status in counts:
                counts[status] += 1
    dropped = len(data.get("dropped", []))
    if data["after"]["referral"]:
        plan = ("Please see a health professional before any exercise: something you told us "
                "needs checking first.")
    elif program is None:
        plan = "No programme yet: some safety questions are still open."
    else:
        parts = [f"{n} {word}" for n, word in (
            (dropped, "dropped"), (counts["progressed"], "one step harder"),
            (counts["regressed"], "one step easier"), (counts["kept"], "kept as they were"),
            (counts["new"], "new")) if n]
        plan = ("Your exercises: " + ", ".join(parts) + "." if parts
                else "Your exercises stay as they were.")
    if data.get("note"):
        meaning.insert(0, data["note"])
    return {"changes": [line["text"] for line in answer_lines(kb, a, b)],
            "meaning": list(dict.fromkeys(meaning)), "plan": plan}
