"""Reasons in words: why a question is asked (the rules and findings it can still change), and
how a finding was reached (its derivation tree from the report, indented)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..inference.compiler import Need, Target
from ..knowledge import KnowledgeBase
from .answers import describe
from .questionnaire import KIND_TITLES
from .relevance import Effect, Relevance, Snapshot, satisfied_by

MAX_NAMES = 6
Label = Callable[[str], str]


def _names(kb: KnowledgeBase, ids: list[str]) -> str:
    names = list(dict.fromkeys(kb.name(i) for i in ids))
    if len(names) > MAX_NAMES:
        return ", ".join(names[:MAX_NAMES]) + f" and {len(names) - MAX_NAMES} more"
    return ", ".join(names)


def _muscles(kb: KnowledgeBase, targets: tuple[Target, ...] | list[Target]) -> str:
    parts = []
    for state in ("overactive", "underactive"):
        ids = [t.id for t in targets if t.kind == "muscle" and t.state == state]
        if ids:
            parts.append(f"{_names(kb, ids)} {state}")
    return "; ".join(parts)


def _need(kb: KnowledgeBase, need: Need) -> str:
    if need.kind == "answer":
        return " or ".join(i.replace("_", " ") for i in need.ids)
    if need.kind == "sign":
        return kb.name(need.ids[0])
    return f"an age under {need.low} or over {need.high}"


def _together(kb: KnowledgeBase, rel: Relevance, effect: Effect, key: str) -> str:
    others = [_need(kb, n) for n in rel.compiled[effect.rule].needs if not satisfied_by(n, key)]
    return f" (together with {' and '.join(others)})" if others else ""


def _effect(kb: KnowledgeBase, rel: Relevance, snap: Snapshot, effect: Effect, key: str,
            ids: bool = True) -> str:
    together = _together(kb, rel, effect, key)
    if effect.stage == "red_flag":
        flag = kb.red_flags[effect.rule]
        return (f"safety screen{together}: a yes means a referral ({flag.level}). "
                f"{flag.message}")
    rule = kb.rules[effect.rule]
    words = [_muscles(kb, effect.targets)] if _muscles(kb, effect.targets) else []
    for t in effect.targets:
        if t.kind == "sign":
            leads: list[Target] = [x for r in rel.by_sign.get(t.id, ())
                                   for x in snap.live_targets(r)]
            text = f"suggests {kb.name(t.id)}"
            if leads:
                text += f", which points to {_muscles(kb, leads)}"
            words.append(text)
    lead = "as an observed compensation, " if effect.stage == "signs" else ""
    named = f" ({rule.id})" if ids else ""  # a person alone gets the words only
    return f"{lead}rule “{rule.title}”{named}{together} → {'; '.join(words)}"


def why(kb: KnowledgeBase, rel: Relevance, snap: Snapshot, key: str, part: str,
        sided_help: str = "", ids: bool = True) -> list[str]:
    """Why the question ``key`` is asked, one line per rule it can still set off (``ids``:
    with the rule ids, for a trainer)."""
    refinement = kb.refinements.get(key.removeprefix("subject."))
    if refinement is not None:  # the weeks of a pregnancy
        return ["It does not change the findings; it adapts the programme. "
                + " ".join(refinement.help.split())]
    effects = snap.effects(key)
    if part == "side":
        lines = ["Findings are worked out per side: the rules below conclude about the muscles "
                 "on the same side (or, for some tests, the opposite one)."]
        if sided_help:
            lines.append(sided_help)
        return lines + [f"  • {_effect(kb, rel, snap, e, key, ids)}" for e in effects]
    if not effects:
        question = kb.questions.get(key)
        skips = []
        if question is not None and question.skips:
            kinds = " and ".join(KIND_TITLES.get(c, c).lower() for c in question.skips)
            skips = [f"A yes means the {kinds} is not done, to be safe; so it is asked first."]
        if question is not None and question.category == "condition":
            return [*skips, "This condition does not change the findings; it changes the "
                    "programme (some techniques are removed or adapted for it)."]
        if question is not None and question.category == "red_flag":
            return ["It is part of the safety screen: with the answers so far a yes could "
                    "mean a referral, so it is asked before any programme."]
        return skips or ["Nothing that is still open depends on this answer any more."]
    head = "A yes could change the referral or the findings through:"
    return [head] + [f"  • {_effect(kb, rel, snap, e, key, ids)}" for e in effects]


def _leads(kb: KnowledgeBase, rel: Relevance, snap: Snapshot, effects: list[Effect]) -> str:
    """What the rules a yes could set off point to, in a few words."""
    targets = [t for e in effects for t in e.targets]
    words = [_muscles(kb, targets)] if _muscles(kb, targets) else []
    signs = [t.id for t in targets if t.kind == "sign"]
    if signs:
        words.append(f"suggests {_names(kb, signs)}")
    return "; ".join(words) or "the findings"


TYPED = ("No answers every one of them no; the numbers of those that apply answer them yes "
         "(the others no); yes or ? goes through them one by one.")


def why_checklist(kb: KnowledgeBase, rel: Relevance, snap: Snapshot, stratum: str,
                  items: tuple[str, ...], item_text: Label, how: str = TYPED) -> list[str]:
    """Why a checklist is asked: what a yes to each of its items would do (``how``: how it
    is answered, in the words of the front end)."""
    if stratum == "screen":
        lines = ["These are red flags (the safety screen): a yes to any of them stops the "
                 "consultation and gives a referral to a clinician instead of findings and a "
                 "corrective programme, which would not be safe to start. " + how]
        for key in items:
            levels = sorted({kb.red_flags[e.rule].level for e in snap.effects(key)
                             if e.stage == "red_flag"})
            refer = f"a referral ({' or '.join(levels)})" if levels else "a referral"
            lines.append(f"  • {item_text(key)}: a yes means {refer}")
        return lines
    if stratum == "programme":
        return ["These conditions do not change the findings; they change the programme (some "
                "techniques are removed or adapted for them). " + how] + \
            [f"  • {item_text(key)}" for key in items]
    lines = ["A yes to any of these could change the findings. " + how]
    for key in items:
        effects = snap.effects(key)
        red = [e for e in effects if e.stage == "red_flag"]
        what = ("a referral" if red and len(red) == len(effects) else
                _leads(kb, rel, snap, [e for e in effects if e.stage != "red_flag"]))
        lines.append(f"  • {item_text(key)} → {what}")
    return lines


def _kit(kb: KnowledgeBase, ids: list[str] | tuple[str, ...]) -> str:
    """Equipment ids as their names, in the order of the equipment list."""
    order = {e: i for i, e in enumerate(kb.equipment)}
    ordered = sorted(ids, key=lambda e: (order.get(e, len(order)), e))
    return ", ".join(kb.equipment[e].name if e in kb.equipment else e.replace("_", " ")
                     for e in ordered)


def equipment_answer(kb: KnowledgeBase, value: str, items: tuple[str, ...]) -> str:
    """The equipment's answer in words, as shown in reviews."""
    if value == "none":
        return "none (body weight only)"
    if value == "unknown":
        return "not said (the programme assumes its basic kit)"
    return _kit(kb, items)


def why_equipment(kb: KnowledgeBase, report: dict[str, Any]) -> list[str]:
    """Why the equipment is asked: the knowledge base's reason, the kit assumed when it is not
    said, and what the programme so far uses each piece for."""
    record = kb.equipment_question
    lines = [" ".join(record.why.split())] if record is not None else []
    program = report.get("program") or {}
    kit = program.get("equipment", {})
    if kit.get("assumed"):
        lines.append(f"If you do not say (?), it assumes: {_kit(kb, kit.get('available', []))}.")
    uses: dict[str, list[str]] = {}
    for phase in program.get("phases", []):
        for item in phase["items"]:
            for piece in item.get("equipment", []):
                uses.setdefault(piece, []).append(item["name"])
    if uses:
        lines.append("With that kit, the programme so far uses:" if kit.get("assumed") else
                     "The programme so far uses:")
        order = {e: i for i, e in enumerate(kb.equipment)}
        for piece in sorted(uses, key=lambda e: (order.get(e, len(order)), e)):
            lines.append(f"  • {_kit(kb, [piece])}: {_listing(uses[piece])}")
    return lines


def _listing(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    if len(names) > MAX_NAMES:
        return ", ".join(names[:MAX_NAMES]) + f" and {len(names) - MAX_NAMES} more"
    return ", ".join(names)


# -- how a finding was reached ----------------------------------------------------------------
def _certainty(value: float, ids: bool) -> str:
    """A step's certainty: a decimal for a trainer (as the report gives it), a percentage for a
    person alone (as the results page's bars show it)."""
    return f"certainty {value:.2f}" if ids else f"certainty {value:.0%}"


def _node(kb: KnowledgeBase, node: dict[str, Any], label: Label, depth: int,
          ids: bool = True) -> list[str]:
    pad = "    " * depth
    if "rule" in node:
        rule = f" ({node['rule']})" if ids else ""
        head = f"{pad}• {node['title']}{rule}, {_certainty(node['certainty'], ids)}"
        if node.get("via"):
            head += f", through the group {_names(kb, node['via'])}"
        lines = [head]
        for premise in node.get("premises", []):
            lines += _node(kb, premise, label, depth + 1, ids)
        return lines
    if "reasoning" in node:  # graph reasoning from another finding, through a muscle relation
        anatomy = "; ".join(a["text"] for a in node.get("anatomy", []))
        relation = f" ({node['relation']})" if ids else ""
        head = (f"{pad}• {node['reasoning'].replace('_', ' ')}{relation}, "
                f"{_certainty(node['certainty'], ids)}: {anatomy}")
        if node.get("note"):
            head += f" — {node['note']}"
        lines = [head]
        for premise in node.get("premises", []):
            lines += _node(kb, premise, label, depth + 1, ids)
        return lines
    if "finding" in node:
        side = f" ({node['side']})" if node.get("side") else ""
        return [f"{pad}◦ {kb.name(node['finding'])} is {node['state']}{side}, "
                f"{_certainty(node['certainty'], ids)}"]
    if "answer" in node:
        return [f"{pad}◦ you answered {describe(node['value'], node['certainty'])} to "
                f"“{label(node['answer'])}”"]
    if "subject" in node:
        return [f"{pad}◦ the age given: {node['value']}"]
    side = f" ({node['side']})" if node.get("side") else ""
    lines = [f"{pad}◦ {kb.name(node['sign'])}{side}, {_certainty(node['certainty'], ids)}, "
             "because:"]
    for inner in node.get("because", []):
        lines += _node(kb, inner, label, depth + 1, ids)
    return lines


def _title(f: dict[str, Any], ids: bool = True) -> str:
    side = f" on the {f['side']} side" if f["side"] in ("left", "right") else (
        " on both sides" if f["side"] == "both" else "")
    notes = " (the evidence disagreed)" if f.get("conflict") else ""
    if f.get("inferred"):
        notes += " (inferred from a related muscle, so weaker)"
    return f"{f['name']}: probably {f['state']}{side}, {_certainty(f['certainty'], ids)}{notes}"


def tree(kb: KnowledgeBase, finding: dict[str, Any], label: Label,
         ids: bool = True) -> list[str]:
    """How a finding of the report was reached, as an indented tree in words (``ids``: with
    the rule ids, for a trainer; a person alone gets the words only)."""
    lines = [_title(finding, ids), "  because:"]
    for node in finding.get("because", []):
        lines += _node(kb, node, label, 1, ids)
    if finding.get("against"):
        lines.append("  against (evidence for the opposite state):")
        for node in finding["against"]:
            lines += _node(kb, node, label, 1, ids)
    return lines


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower())


def find(findings: list[dict[str, Any]], word: str) -> list[dict[str, Any]]:
    """Findings about the muscle (or group) named by id or name, exactly or by the start."""
    w = _norm(word)
    exact = [f for f in findings
             if w in (f["muscle"], _norm(f["name"])) or w in f.get("members", [])]
    if exact:
        return exact
    return [f for f in findings if f["muscle"].startswith(w) or _norm(f["name"]).startswith(w)
            or w in _norm(f["name"])]
