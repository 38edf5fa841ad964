"""Why a muscle was not flagged (or not in that state or on that side): the rules and graph
relations that could flag it, and for each premise whether it held, was answered no, or was
never answered."""

from __future__ import annotations

from typing import Any

from ..case import Case
from ..certainty import rounded
from ..findings import Outcome
from ..inference.compiler import Compiled, Need, compile_rules
from ..knowledge import KnowledgeBase
from ..knowledge.rulebook import AnyOfPremise, ObservationPremise, SignConclusion
from .target import Target, findings_for, side_covers


def _answer_status(case: Case, obs: str) -> str:
    answer = case.answers.get(obs)
    if answer is None or answer.value == "unknown":
        return "unanswered"
    if answer.value == "no":
        return "no"
    return "yes" if answer.certainty > 0 else "no"


def _sign_sources(kb: KnowledgeBase, sign: str) -> list[tuple[str, tuple[str, ...]]]:
    """How a sign can arise: observed directly, or suggested by rules over observations
    (rule id, the observations the rule needs)."""
    out: list[tuple[str, tuple[str, ...]]] = []
    if sign in kb.questions:
        out.append(("", (sign,)))
    for rule in kb.rules.values():
        if not any(isinstance(c, SignConclusion) and c.sign == sign for c in rule.conclude):
            continue
        observations: list[str] = []
        for p in rule.when:
            if isinstance(p, ObservationPremise):
                observations.append(p.observation)
            elif isinstance(p, AnyOfPremise):
                observations += [x.observation for x in p.any_of]
        out.append((rule.id, tuple(observations)))
    return out


def _premise(kb: KnowledgeBase, case: Case, outcome: Outcome, need: Need,
             threshold: float) -> dict[str, Any]:
    if need.kind == "answer":
        statuses = {o: _answer_status(case, o) for o in need.ids}
        held = any(s == "yes" for s in statuses.values())
        return {"kind": "answer", "ids": list(need.ids), "held": held,
                "missing": [] if held else [o for o, s in statuses.items() if s == "unanswered"],
                "answered_no": [] if held else [o for o, s in statuses.items() if s == "no"]}
    if need.kind == "age":
        age = case.subject.age
        held = age is not None and not need.low <= age <= need.high
        return {"kind": "age", "outside": [need.low, need.high], "held": held,
                "missing": ["subject.age"] if age is None else [], "answered_no": []}
    sign = need.ids[0]
    certainty = max((cf for (s, _), (cf, _) in outcome.signs.items() if s == sign), default=0.0)
    out: dict[str, Any] = {"kind": "sign", "ids": [sign], "certainty": rounded(certainty),
                           "held": certainty >= threshold, "missing": [], "answered_no": []}
    if out["held"]:
        return out
    if certainty > 0:
        out["too_weak"] = True
    routes = []
    for rule_id, observations in _sign_sources(kb, sign):
        statuses = {o: _answer_status(case, o) for o in observations}
        routes.append({"rule": rule_id or None, "observations": statuses})
        out["missing"] += [o for o, s in statuses.items() if s == "unanswered"]
        out["answered_no"] += [o for o, s in statuses.items() if s == "no"]
    out["routes"] = routes
    out["missing"] = sorted(set(out["missing"]))
    out["answered_no"] = sorted(set(out["answered_no"]) - set(out["missing"]))
    return out


def _rules_for(compiled: list[Compiled], target: Target) -> list[tuple[Compiled, list[str]]]:
    out = []
    for rule in compiled:
        states = sorted({t.state for t in rule.targets if t.kind == "muscle"
                         and t.id == target.muscle and (not target.state
                                                        or t.state == target.state)})
        if states:
            out.append((rule, states))
    return out


def why_not(kb: KnowledgeBase, case: Case, outcome: Outcome, target: Target) -> dict[str, Any]:
    """What stands between the case and a finding about the target."""
    threshold = kb.meta.inference.premise_threshold
    found = findings_for(kb, outcome, target)
    current = [{"muscle": f.muscle, "state": f.state, "side": f.side,
                "certainty": rounded(f.certainty), "conflict": f.conflict}
               for f in outcome.findings if target.muscle in kb.expand(f.muscle)]
    unresolved = [{"state": f.state or None, "side": f.side} for f in outcome.unresolved
                  if f.muscle == target.muscle]
    if outcome.referral:
        status = "referral"
    elif found:
        status = "flagged"
    elif unresolved:
        status = "cancelled_out"
    elif current:
        status = "other_state_or_side"
    else:
        status = "not_flagged"
    rules: list[dict[str, Any]] = []
    for rule, states in _rules_for(compile_rules(kb), target):
        premises = [_premise(kb, case, outcome, need, threshold) for need in rule.needs]
        fired = rule.id in outcome.fired
        sides = sorted({c.side or "" for f in outcome.findings + outcome.unresolved
                        for c in (*f.support, *f.against)
                        if c.rule == rule.id and c.target == target.muscle})
        entry: dict[str, Any] = {
            "rule": rule.id, "title": kb.rules[rule.id].title, "states": states,
            "fired": fired, "premises": premises,
            "missing": sorted({m for p in premises for m in p["missing"]}),
            "answered_no": sorted({m for p in premises for m in p["answered_no"]})}
        if fired and target.side and sides and not any(side_covers(s or None, target.side)
                                                       for s in sides):
            entry["other_side"] = True
        rules.append(entry)
    graph = [{"relation": rel.id, "kind": rel.infers.kind, "drivers": list(rel.infers.drivers)}
             for rel in kb.relations.values() if rel.infers
             and target.muscle in {m for a in rel.infers.affected for m in kb.expand(a)}]
    return {"case_id": case.id, "kb_version": kb.version, "muscle": target.muscle,
            "name": kb.name(target.muscle), "state": target.state, "side": target.side,
            "status": status, "current": current, "unresolved": unresolved,
            "rules": rules, "graph": graph,
            "missing": sorted({m for r in rules if not r["fired"] for m in r["missing"]}),
            "answered_no": sorted({m for r in rules if not r["fired"]
                                   for m in r["answered_no"]})}
