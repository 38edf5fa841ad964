"""How a finding was reached, as data: each derivation names its rule, certainty, editions and
sources, and the premises it stood on down to the answers (signs carry their own derivations)."""

from __future__ import annotations

from typing import Any

from .certainty import rounded
from .findings import Finding
from .graph import node
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
    from .graph.queries import anatomical_reason

    relation = kb.relations[c.relation]
    assert relation.infers is not None
    driver = c.premises[0]
    return {"reasoning": c.rule, "relation": c.relation, "certainty": rounded(c.certainty),
            "state": c.state, "inferred": True,
            "anatomy": [{"muscle": driver.id, "relation": c.relation,
                         "text": anatomical_reason(kb, driver.id, c.target, c.relation)}],
            "note": relation.infers.note,
            "premises": [premise(driver, kb, signs)],
            "sources": list(relation.infers.sources)}


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
    if c.via:
        out["via"] = list(c.via)
    out["premises"] = [premise(p, kb, signs) for p in c.premises]
    out["sources"] = list(rule.sources)
    return out


def derivations(contributions: tuple[Contribution, ...], kb: KnowledgeBase,
                signs: SignSupport) -> list[dict[str, Any]]:
    """One entry per distinct derivation (a rule firing on distinct premises), strongest first."""
    unique = {(c.rule, c.premises, c.state): c for c in contributions}
    ordered = sorted(unique.values(), key=lambda c: (-c.certainty, c.rule, c.premises))
    return [derivation(c, kb, signs) for c in ordered]


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


def reason_line(f: Finding, kb: KnowledgeBase, signs: SignSupport) -> str:
    """One line: the strongest derivation's rule and the answers it rests on."""
    best = min(f.support, key=lambda c: (-c.certainty, c.rule, c.relation))
    if best.relation:
        driver = best.premises[0]
        words = best.rule.replace("_", " ")
        return (f"{words.capitalize()} (inferred): {driver.value} {kb.name(driver.id).lower()}"
                f" → {kb.relations[best.relation].action}")
    answers = ", ".join(
        f"{p.id}={p.value}" if p.kind == "answer" else f"age {p.value}"
        for p in answers_behind(best, signs))
    text = f"{kb.rules[best.rule].title} ← {answers}"
    if f.conflict:
        text += f" (conflicting evidence from {len({c.rule for c in f.against})} rule(s))"
    return text
