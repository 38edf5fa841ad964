"""Explanations in words, for trainers: the why tree, the why-not checklist and the what-if
difference, as plain text lines (deterministic; no colour)."""

from __future__ import annotations

from typing import Any

SIDE = {"both": "both sides", "left": "left side", "right": "right side", None: "midline"}


def _pct(x: float) -> str:
    return f"{x:.2f}"


def _counted(counts: dict[str, Any]) -> str:
    """How a derivation counted towards the finding (expert/evidence.py)."""
    family = counts.get("family", "").replace("_", " ")
    if counts["status"] == "same_grounds":
        text = f"no: rests on the same answers as {counts['instead']}, which counted instead"
    elif counts["status"] == "subsumed":
        text = (f"no: another view of the {family} pattern already stands at the certainty the "
                "pattern can give this muscle")
    elif family:
        text = f"yes, as one view of the {family} pattern"
    else:
        text = "yes"
    if "discounted_to" in counts:
        text += (f" (a symptom alone: discounted to {_pct(counts['discounted_to'])})")
    return text


def _tree(d: dict[str, Any], depth: int, number: str, lines: list[str]) -> None:
    pad = "   " * depth
    if "answer" in d:
        lines.append(f"{pad}{number} answer {d['answer']} = {d['value']} "
                     f"(certainty {_pct(d['certainty'])})")
        return
    if "subject" in d:
        lines.append(f"{pad}{number} subject's age is {d['value']}")
        return
    if "finding" in d:
        lines.append(f"{pad}{number} finding: {d['finding']} is {d['state']} "
                     f"({SIDE.get(d['side'], d['side'])}, certainty {_pct(d['certainty'])})")
        return
    if "sign" in d:
        side = f" on the {d['side']}" if d.get("side") in ("left", "right") else ""
        lines.append(f"{pad}{number} sign {d['sign']}{side} is known with certainty "
                     f"{_pct(d['certainty'])}, because:")
        for i, inner in enumerate(d.get("because", []), 1):
            _tree(inner, depth + 1, f"{number}{i}.", lines)
        return
    if "reasoning" in d:
        lines.append(f"{pad}{number} {d['reasoning'].replace('_', ' ')} (inferred, weaker) "
                     f"[relation {d['relation']}] certainty {_pct(d['certainty'])}")
        for link in d["anatomy"]:
            lines.append(f"{pad}   Anatomy: {link['text']}.")
        lines.append(f"{pad}   Why: {d['note']}.")
        lines.append(f"{pad}   Sources: {', '.join(d['sources'])}")
    else:
        lines.append(f"{pad}{number} {d['title']} [rule {d['rule']}] certainty "
                     f"{_pct(d['certainty'])}")
        extras = []
        if d.get("editions"):
            agreed = "agreed" if d.get("agreed", True) else "not agreed: weighs less"
            extras.append(f"editions {', '.join(d['editions'])} ({agreed})")
        if d.get("via"):
            extras.append(f"through the group {', '.join(d['via'])}")
        if extras:
            lines.append(f"{pad}   " + "; ".join(extras).capitalize())
        if d.get("counts"):
            lines.append(f"{pad}   Counted: {_counted(d['counts'])}")
        lines.append(f"{pad}   Why: {d['rationale']}")
        for link in d.get("anatomy", []):
            lines.append(f"{pad}   Anatomy: {link['text']}.")
        if d.get("disagreement"):
            lines.append(f"{pad}   Sources disagree: {d['disagreement']}")
        lines.append(f"{pad}   Sources: {', '.join(d['sources'])}")
    lines.append(f"{pad}   From:")
    for i, p in enumerate(d.get("premises", []), 1):
        _tree(p, depth + 1, f"{number}{i}.", lines)


def why_text(data: dict[str, Any]) -> str:
    lines = []
    name, muscle = data["name"], data["muscle"]
    if data["referral"]:
        ref = data["referral"]
        lines.append(f"Nothing is flagged in case {data['case_id']}: a red flag "
                     f"({', '.join(ref['red_flags'])}) stops the consultation with a referral "
                     f"({ref['level']}).")
    elif not data["findings"]:
        what = " ".join(x for x in (data["state"], SIDE.get(data["side"], "")
                                    if data["side"] else "") if x) or "at all"
        lines.append(f"{name} ({muscle}) is not flagged {what} in case {data['case_id']}.")
        lines.append(f"Ask why not: imbalance explain {muscle} --case FILE --why-not")
    for f in data["findings"]:
        lines.append(f"Why is {name} ({muscle}) probably {f['state']}? "
                     f"{SIDE.get(f['side'], f['side']).capitalize()}, certainty "
                     f"{_pct(f['certainty'])}" + (", inferred through the muscle graph"
                                                   if f["inferred"] else ""))
        if f.get("members"):
            lines.append(f"Reported as the group {f['name']} ({f['muscle']}): all its muscles "
                         "share this finding.")
        if f["conflict"]:
            lines.append("Some evidence points the other way (see 'Against' below); the two "
                         "were netted and the stronger side kept.")
        lines.append("")
        for i, d in enumerate(f["derivations"], 1):
            _tree(d, 0, f"{i}.", lines)
        if f["against"]:
            lines.append("Against:")
            for i, d in enumerate(f["against"], 1):
                _tree(d, 1, f"{i}.", lines)
        lines.append("")
        lines.append("Graph paths (answer → … → muscle):")
        for path in f["paths"]:
            lines.append("  " + " → ".join(path))
        if f.get("counterfactual"):
            change = ", ".join(f"{c['observation']}={c['value']}" for c in f["counterfactual"])
            lines.append(f"Smallest change that would clear it: {change}")
        lines.append("")
    if data.get("sources"):
        lines.append("Sources:")
        lines += [f"  {k}: {v}" for k, v in data["sources"].items()]
    return "\n".join(lines).rstrip() + "\n"


def why_not_text(data: dict[str, Any]) -> str:
    name, muscle = data["name"], data["muscle"]
    what = " ".join(x for x in (data["state"] or "flagged",
                                f"on the {SIDE[data['side']]}" if data["side"] else "") if x)
    status = {
        "referral": "A red flag stopped the consultation: nothing is flagged.",
        "flagged": f"{name} IS {what}; use imbalance explain {muscle} to see why.",
        "cancelled_out": "Evidence for overactive and for underactive cancelled out.",
        "other_state_or_side": "It is flagged, but not in that state or on that side:",
        "not_flagged": "No rule's premises all held.",
    }[data["status"]]
    lines = [f"Why is {name} ({muscle}) not {what}?", status]
    for c in data["current"]:
        lines.append(f"  reported: {c['muscle']} {c['state']} ({SIDE.get(c['side'], c['side'])},"
                     f" certainty {_pct(c['certainty'])})")
    lines.append("")
    lines.append("Rules that could flag it:")
    for r in data["rules"]:
        mark = "fired" + (" (for the other side)" if r.get("other_side") else "") \
            if r["fired"] else "did not fire"
        lines.append(f"- {r['title']} [rule {r['rule']}] ({'/'.join(r['states'])}): {mark}")
        for p in r["premises"]:
            lines.append("    " + _premise_line(p))
    if data["graph"]:
        lines.append("Graph reasoning that could infer it (weaker, only without direct "
                     "evidence):")
        for g in data["graph"]:
            lines.append(f"- {g['kind'].replace('_', ' ')} from {', '.join(g['drivers'])} "
                         f"[relation {g['relation']}]")
    lines.append("")
    lines.append("Missing (never answered): " + (", ".join(data["missing"]) or "none"))
    lines.append("Answered no: " + (", ".join(data["answered_no"]) or "none"))
    if data.get("counterfactual"):
        change = ", ".join(f"{c['observation']}={c['value']}" for c in data["counterfactual"])
        lines.append(f"Smallest change that would flag it: {change}")
    elif "counterfactual" in data:
        lines.append("No change of up to three answers would flag it.")
    return "\n".join(lines) + "\n"


def _premise_line(p: dict[str, Any]) -> str:
    if p["kind"] == "age":
        low, high = p["outside"]
        return f"{'✓' if p['held'] else '✗'} age below {low} or above {high}" + (
            " (age not given)" if p["missing"] else "")
    if p["kind"] == "answer":
        ids = " or ".join(p["ids"])
        if p["held"]:
            return f"✓ {ids}: yes"
        parts = [f"unanswered: {', '.join(p['missing'])}" if p["missing"] else "",
                 f"answered no: {', '.join(p['answered_no'])}" if p["answered_no"] else ""]
        return f"✗ {ids} ({'; '.join(x for x in parts if x)})"
    sign = p["ids"][0]
    if p["held"]:
        return f"✓ sign {sign} (certainty {_pct(p['certainty'])})"
    weak = f"too weak ({_pct(p['certainty'])})" if p.get("too_weak") else "absent"
    parts = [f"unanswered: {', '.join(p['missing'])}" if p["missing"] else "",
             f"answered no: {', '.join(p['answered_no'])}" if p["answered_no"] else ""]
    return f"✗ sign {sign} {weak}" + (f" ({'; '.join(x for x in parts if x)})"
                                      if any(parts) else "")


def what_if_text(data: dict[str, Any]) -> str:
    changes = ", ".join(f"{k}={v['value']}" for k, v in data["changes"].items())
    lines = [f"What if {changes} (case {data['case_id']})?"]
    ref = data["referral"]
    if ref["before"] != ref["after"]:
        lines.append(f"Referral: {ref['before'] or 'none'} → {ref['after'] or 'none'}")
    for kind, title in (("added", "Newly flagged"), ("removed", "No longer flagged"),
                        ("changed", "Changed")):
        rows = data[kind]
        if not rows:
            continue
        lines.append(f"{title}:")
        for r in rows:
            before = r.get("before")
            after = r.get("after")
            text = f"  {r['name']} ({r['muscle']}, {SIDE.get(r['side'], r['side'])}): "
            text += (f"{before['state']} {_pct(before['certainty'])}" if before else "—")
            text += " → " + (f"{after['state']} {_pct(after['certainty'])}" if after else "—")
            lines.append(text)
    if len(lines) == 1:
        lines.append("No finding changes.")
    return "\n".join(lines) + "\n"
