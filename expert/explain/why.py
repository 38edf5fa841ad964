"""Why a muscle was flagged: every derivation of its finding, enriched with the rule's rationale,
the anatomy behind it in words, and the graph paths from the answers to the muscle."""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..certainty import rounded
from ..findings import Finding, Outcome, SignSupport
from ..graph.queries import anatomical_reason, relations_between
from ..knowledge import KnowledgeBase
from ..knowledge.rulebook import MuscleConclusion
from ..provenance import derivations, graph_paths
from .target import Target, findings_for

OPPOSITE = {"overactive": "underactive", "underactive": "overactive"}


def anatomy_for(kb: KnowledgeBase, muscle: str, state: str, rule_id: str,
                limit: int = 2) -> list[dict[str, str]]:
    """How the muscle opposes muscles the same rule puts in the opposite state: the 'crossed'
    picture behind a pattern (e.g. the hip flexors against the gluteus maximus)."""
    rule = kb.rules.get(rule_id)
    if rule is None:
        return []
    found: dict[str, dict[str, str]] = {}
    for c in rule.conclude:
        if not isinstance(c, MuscleConclusion) or c.state != OPPOSITE.get(state):
            continue
        # name the group when the relation does (hip flexors vs the adductor complex), else
        # the first member the muscle opposes
        for other in [c.muscle, *kb.expand(c.muscle)]:
            rel = next((r for r in relations_between(kb, muscle, other)
                        if r["kind"] == "antagonist"), None)
            if rel is not None and other != muscle:
                if other not in found and not set(kb.expand(other)) & set(found):
                    found[other] = {"muscle": other, "relation": rel["relation"],
                                    "text": anatomical_reason(kb, muscle, other,
                                                              rel["relation"])}
                break
    return list(found.values())[:limit]


def _enrich(d: dict[str, Any], kb: KnowledgeBase, muscle: str) -> dict[str, Any]:
    """Add each rule's rationale (and, for muscle conclusions, the anatomy) down the tree."""
    out = dict(d)
    if "rule" in d and d["rule"] in kb.rules:
        out["rationale"] = kb.rules[d["rule"]].rationale
        if kb.rules[d["rule"]].disagreement:
            out["disagreement"] = kb.rules[d["rule"]].disagreement
        if d.get("state"):
            out["anatomy"] = anatomy_for(kb, muscle, d["state"], d["rule"])
    if "premises" in d:
        out["premises"] = [_enrich(p, kb, muscle) for p in d["premises"]]
    if "because" in d:
        out["because"] = [_enrich(p, kb, muscle) for p in d["because"]]
    return out


def explain_finding(kb: KnowledgeBase, f: Finding, muscle: str,
                    signs: SignSupport) -> dict[str, Any]:
    out: dict[str, Any] = {
        "muscle": f.muscle, "name": kb.name(f.muscle), "state": f.state, "side": f.side,
        "certainty": rounded(f.certainty), "conflict": f.conflict, "inferred": f.inferred}
    if f.members:
        out["members"] = list(f.members)
    out["derivations"] = [_enrich(d, kb, muscle) for d in derivations(f.support, kb, signs)]
    out["against"] = [_enrich(d, kb, muscle) for d in derivations(f.against, kb, signs)]
    out["paths"] = graph_paths(kb, f, signs, muscle)
    return out


def sources_cited(kb: KnowledgeBase, tree: Any) -> dict[str, str]:
    """Every source key cited anywhere in an explanation, with its citation."""
    keys: set[str] = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            keys.update(k for k in x.get("sources", []) if isinstance(k, str))
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(tree)
    return {k: kb.sources[k].citation for k in sorted(keys) if k in kb.sources}


def why(kb: KnowledgeBase, case: Case, outcome: Outcome, target: Target) -> dict[str, Any]:
    """The explanation of why the target muscle was (or was not) flagged in this case."""
    found = findings_for(kb, outcome, target)
    data: dict[str, Any] = {
        "case_id": case.id, "kb_version": kb.version, "muscle": target.muscle,
        "name": kb.name(target.muscle), "state": target.state, "side": target.side,
        "flagged": bool(found),
        "referral": ({"level": outcome.referral.level,
                      "red_flags": list(outcome.referral.red_flags)}
                     if outcome.referral else None),
        "findings": [explain_finding(kb, f, target.muscle, outcome.signs) for f in found],
    }
    data["sources"] = sources_cited(kb, data["findings"])
    return data
