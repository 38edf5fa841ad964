"""How a finding was reached, as data: each derivation names its rule, certainty, editions and
sources, and the premises it stood on down to the answers (signs carry their own derivations)."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from .certainty import rounded
from .evidence import Weight, weigh
from .findings import Finding
from .graph import node
from .graph.nodes import relation_reason
from .inference.compiler import agreed
from .inference.ledger import Contribution, Premise
from .knowledge import KnowledgeBase

SignSupport = dict[tuple[str, str | None], tuple[float, list[Contribution]]]


def premise(p: Premise, kb: KnowledgeBase, signs: SignSupport) -> dict[str, Any]:
    if p.kind == "finding":
        return {"finding": p.id, "state": p.value, "side": p.side,
                "certainty": rounded(p.certainty)}
    if p.kind == "answer":
        return {"answer": p.id, "value": p.value, "certainty": rounded(p.certainty)}
    if p.kind == "subject":
        return {"subject": p.id, "value": p.value}
    _, support = signs.get((p.id, p.side), (p.certainty, []))
    return {"sign": p.id, "side": p.side, "certainty": rounded(p.certainty),
            "because": [derivation(c, kb, signs)
                        for c in sorted(support, key=lambda c: (-c.certainty, c.rule))]}


def _graph_derivation(c: Contribution, kb: KnowledgeBase, signs: SignSupport) -> dict[str, Any]:
    relation = kb.relations[c.relation]
    assert relation.infers is not None
    driver = c.premises[0]
    return {"reasoning": c.rule, "relation": c.relation, "certainty": rounded(c.certainty),
            "state": c.state, "inferred": True,
            "anatomy": [{"muscle": driver.id, "relation": c.relation,
                         "text": relation_reason(kb, driver.id, c.target, c.relation)}],
            "note": relation.infers.note,
            "premises": [premise(driver, kb, signs)],
            "sources": list(relation.infers.sources)}


def _weights(contributions: tuple[Contribution, ...], kb: KnowledgeBase
             ) -> dict[Contribution, Weight]:
    """How each contribution counted, weighed per muscle (or sign) and side."""
    by_target: dict[tuple[str, str | None, str], list[Contribution]] = defaultdict(list)
    for c in contributions:
        by_target[(c.target, c.side, c.state)].append(c)
    out: dict[Contribution, Weight] = {}
    for group in by_target.values():
        out.update(weigh(group, kb.meta.inference.symptom_alone)[1])
    return out


def _weight_data(w: Weight, c: Contribution) -> dict[str, Any]:
    out: dict[str, Any] = {"status": w.status}
    if c.family:
        out["family"] = c.family
    if w.discounted:
        out["discounted_to"] = rounded(w.certainty)
    if w.instead is not None:
        out["instead"] = w.instead.rule
    return out


def derivation(c: Contribution, kb: KnowledgeBase, signs: SignSupport) -> dict[str, Any]:
    if not c.rule:  # a sign observed directly: the answer is its own evidence
        return premise(c.premises[0], kb, signs)
    if c.relation:
        return _graph_derivation(c, kb, signs)
    rule = kb.rules[c.rule]
    out: dict[str, Any] = {"rule": c.rule, "title": rule.title, "certainty": rounded(c.certainty)}
    if c.state:
        out["state"] = c.state
    if c.editions:
        out["editions"] = list(c.editions)
        out["agreed"] = agreed(kb, rule, c.editions)
    if c.via:
        out["via"] = list(c.via)
    out["premises"] = [premise(p, kb, signs) for p in c.premises]
    out["sources"] = list(rule.sources)
    return out


def derivations(contributions: tuple[Contribution, ...], kb: KnowledgeBase,
                signs: SignSupport) -> list[dict[str, Any]]:
    """One entry per distinct derivation (a rule firing on distinct premises), strongest first,
    each saying how it counted: ``counted``, ``same_grounds`` (a stronger route from the same
    answers counted instead) or ``subsumed`` (its evidence family already stood at its link)."""
    weights = _weights(contributions, kb)
    unique = {(c.rule, c.premises, c.state): c for c in contributions}
    ordered = sorted(unique.values(), key=lambda c: (-c.certainty, c.rule, c.premises))
    out = []
    for c in ordered:
        entry = derivation(c, kb, signs)
        if c.rule and c in weights:
            entry["counts"] = _weight_data(weights[c], c)
        out.append(entry)
    return out


def answers_behind(c: Contribution, signs: SignSupport) -> list[Premise]:
    """The answers a contribution rests on, following signs down to what was observed."""
    out: list[Premise] = []
    for p in c.premises:
        if p.kind == "answer":
            out.append(p)
        elif p.kind == "sign":
            for inner in signs.get((p.id, p.side), (0.0, []))[1]:
                out.extend(answers_behind(inner, signs))
        else:
            out.append(p)
    return sorted(set(out))


def _prefixes(kb: KnowledgeBase, p: Premise, signs: SignSupport) -> list[list[str]]:
    if p.kind == "answer":
        return [[node(kb, p.id)]]
    if p.kind == "finding":
        return [[f"muscle:{p.id}"]]
    if p.kind == "subject":
        return [["subject:age"]]
    out = []
    for inner in signs.get((p.id, p.side), (0.0, []))[1]:
        if not inner.rule:
            out.append([node(kb, p.id)])
        else:
            out += [[*path, node(kb, p.id)] for path in _paths_into(kb, inner, signs)]
    return out


def _paths_into(kb: KnowledgeBase, c: Contribution, signs: SignSupport) -> list[list[str]]:
    """Paths ending just before the node ``c`` concludes."""
    out = []
    for p in c.premises:
        out += _prefixes(kb, p, signs)
    return out


def graph_paths(kb: KnowledgeBase, f: Finding, signs: SignSupport,
                member: str | None = None) -> list[list[str]]:
    """Paths in the muscle graph from the answers (or the driver finding, for graph reasoning)
    to the finding's muscle or group (and on to ``member`` of a group), one per derivation."""
    paths = set()
    for c in f.support:
        if member:  # the muscle itself, through the groups the rule actually named
            tail = [f"group:{g}" for g in c.via] + [node(kb, member)]
        else:
            tail = [f"group:{g}" for g in c.via if g != f.muscle] + [node(kb, f.muscle)]
        for head in _paths_into(kb, c, signs):
            paths.add(tuple(head + tail))
    return [list(p) for p in sorted(paths, key=lambda p: (len(p), p))]


def _said(p: Premise, kb: KnowledgeBase) -> str:
    """An answer in the words of its question's checklist line, with its side."""
    if p.kind != "answer":
        return f"age {p.value}"
    question = kb.questions.get(p.id)
    words = (question.item or question.person) if question else p.id
    words = re.sub(r"\s*\([^)]*\)", "", words).rstrip("?.").strip()
    side = f" ({p.value})" if p.value in ("left", "right", "both") else ""
    uncertain = f" (certainty {p.certainty:.1f})" if p.certainty < 1 else ""
    return f"{words}{side}{uncertain}"


def _ranked_answers(c: Contribution, signs: SignSupport) -> list[Premise]:
    """The answers behind a contribution, those of its strongest routes first."""
    out: list[Premise] = []
    for p in c.premises:
        if p.kind == "sign":
            inner = sorted(signs.get((p.id, p.side), (0.0, []))[1],
                           key=lambda x: (-x.certainty, x.rule))
            for x in inner:
                out += [q for q in _ranked_answers(x, signs) if q not in out]
        elif p not in out:
            out.append(p)
    return out


def _pattern(c: Contribution, kb: KnowledgeBase) -> str:
    """The inferred pattern a rule stands on (a sign that is not itself an answer), by name."""
    for p in c.premises:
        if p.kind == "sign" and p.id in kb.signs:
            return kb.signs[p.id].name
    return ""


def reason_line(f: Finding, kb: KnowledgeBase, signs: SignSupport) -> str:
    """One line naming the evidence actually present: the answers behind the finding, strongest
    derivation first, and the pattern they were read as."""
    best = min(f.support, key=lambda c: (-c.certainty, c.rule, c.relation))
    if best.relation:
        driver = best.premises[0]
        words = best.rule.replace("_", " ")
        return (f"{words.capitalize()} (inferred): {driver.value} {kb.name(driver.id).lower()}"
                f" → {kb.relations[best.relation].action}")
    answers: list[Premise] = []
    for c in sorted(f.support, key=lambda c: (-c.certainty, c.rule, c.relation)):
        answers += [p for p in _ranked_answers(c, signs) if p not in answers]
    text = "; ".join(dict.fromkeys(_said(p, kb) for p in answers))
    pattern = _pattern(best, kb)
    if pattern:
        text += f" → {pattern}"
    if f.conflict:
        text += f" (conflicting evidence from {len({c.rule for c in f.against})} rule(s))"
    return text
