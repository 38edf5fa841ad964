"""Compiling knowledge-base rules into what the engine runs.

Groups are expanded to muscles here, once; a muscle reached through several conclusions of one
rule takes the union of their editions (domain.md §0.2: agreement between editions weighs more)
and the highest confidence. Each rule gets a *trigger*: the premise whose fact sets it off (its
first sign premise, or else its first premise). The engine indexes rules by trigger so that a
fact only meets the rules it can set off, whatever the size of the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..knowledge import KnowledgeBase
from ..knowledge.rulebook import (
    AgePremise,
    AnyOfPremise,
    InferenceRule,
    MuscleConclusion,
    ObservationPremise,
    RedFlag,
    SignConclusion,
    SignPremise,
)

CONFIDENCE_ORDER = ("L", "M-L", "L-M", "M", "H")


@dataclass(frozen=True)
class Target:
    """A conclusion ready to apply: muscle (or sign) id, state, side handling, certainty."""

    kind: str  # muscle | sign
    id: str
    state: str
    side: str  # same | opposite | both
    certainty: float
    editions: tuple[str, ...]
    via: tuple[str, ...]
    paired: bool  # muscles: has a left and a right; signs: is sided
    grouped: bool = False  # muscles: reached only through a group the rule names


@dataclass(frozen=True)
class Need:
    """One premise: ``kind`` answer (any of ``ids`` answered positively), sign (``ids[0]``
    known well enough), or age (outside ``low``..``high``)."""

    kind: str
    ids: tuple[str, ...] = ()
    low: int = 0
    high: int = 0


@dataclass(frozen=True)
class Compiled:
    id: str
    stage: str  # red_flag | observations | signs
    needs: tuple[Need, ...]
    trigger: int  # index of the need whose fact sets the rule off
    targets: tuple[Target, ...] = ()
    family: str = ""  # evidence family (rules/families.yaml)
    symptom: bool = False  # every premise is a symptom (category symptom)


def _needs(rule: InferenceRule | RedFlag) -> tuple[Need, ...]:
    out = []
    for p in rule.when:
        if isinstance(p, ObservationPremise):
            out.append(Need("answer", (p.observation,)))
        elif isinstance(p, AnyOfPremise):
            out.append(Need("answer", tuple(o.observation for o in p.any_of)))
        elif isinstance(p, SignPremise):
            out.append(Need("sign", (p.sign,)))
        elif isinstance(p, AgePremise):
            out.append(Need("age", (), *p.outside))
    return tuple(out)


def _trigger(needs: tuple[Need, ...]) -> int:
    for kind in ("sign", "answer"):
        for i, need in enumerate(needs):
            if need.kind == kind:
                return i
    raise ValueError("a rule needs an observation or sign premise to set it off")


def agreed(kb: KnowledgeBase, rule: InferenceRule, editions: set[str] | tuple[str, ...]) -> bool:
    """domain.md §0.2: muscles that both the long CES lists and CPT 7 name weigh more. Where the
    rule cites every edition of ``agreement_editions``, a muscle needs them all; elsewhere any
    two editions. A rule without edition tags is not weighed by editions."""
    cited = {e for c in rule.conclude if isinstance(c, MuscleConclusion) for e in c.editions}
    required = set(kb.meta.inference.agreement_editions) & cited
    if not editions:
        return True
    return required <= set(editions) if len(required) >= 2 else len(editions) >= 2


def _muscle_targets(kb: KnowledgeBase, rule: InferenceRule) -> list[Target]:
    params = kb.meta.inference
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for c in rule.conclude:
        if not isinstance(c, MuscleConclusion):
            continue
        confidence = c.confidence or rule.confidence
        for leaf in kb.expand(c.muscle):
            slot = merged.setdefault((leaf, c.state, c.side), {
                "editions": set(), "via": set(), "confidence": "L", "named": False})
            slot["editions"] |= set(c.editions)
            if c.muscle != leaf:
                slot["via"].add(c.muscle)
            else:
                slot["named"] = True
            if CONFIDENCE_ORDER.index(confidence) > CONFIDENCE_ORDER.index(slot["confidence"]):
                slot["confidence"] = confidence
    targets = []
    for (leaf, state, side), slot in merged.items():
        certainty = params.confidence[slot["confidence"]]
        if rule.evidence:
            certainty *= params.evidence[rule.evidence]
        if not agreed(kb, rule, slot["editions"]):
            certainty *= params.single_edition_factor
        targets.append(Target("muscle", leaf, state, side, certainty,
                              tuple(sorted(slot["editions"])), tuple(sorted(slot["via"])),
                              kb.muscles[leaf].paired, grouped=not slot["named"]))
    return targets


def _sign_targets(kb: KnowledgeBase, rule: InferenceRule) -> list[Target]:
    params = kb.meta.inference
    targets = []
    for c in rule.conclude:
        if isinstance(c, SignConclusion):
            certainty = params.confidence[c.confidence or rule.confidence]
            if rule.evidence:
                certainty *= params.evidence[rule.evidence]
            targets.append(Target("sign", c.sign, "", c.side, certainty, (), (),
                                  kb.sided_sign(c.sign)))
    return targets


def _on_symptoms(kb: KnowledgeBase, needs: tuple[Need, ...]) -> bool:
    """A rule over symptoms alone (domain.md §4: a symptom is weak evidence about muscles
    unless a posture or movement sign supports it)."""
    return all(need.kind == "answer" and all(
        i in kb.questions and kb.questions[i].category == "symptom" for i in need.ids)
        for need in needs)


def compile_rules(kb: KnowledgeBase) -> list[Compiled]:
    """Every red flag and inference rule of the knowledge base, in id order."""
    out = []
    for flag in sorted(kb.red_flags.values(), key=lambda f: f.id):
        needs = _needs(flag)
        out.append(Compiled(flag.id, "red_flag", needs, _trigger(needs)))
    for rule in sorted(kb.rules.values(), key=lambda r: r.id):
        needs = _needs(rule)
        targets = _sign_targets(kb, rule) + _muscle_targets(kb, rule)
        targets.sort(key=lambda t: (t.kind, t.id, t.state, t.side))
        stage = "signs" if rule.over_signs else "observations"
        out.append(Compiled(rule.id, stage, needs, _trigger(needs), tuple(targets),
                            rule.family or "", _on_symptoms(kb, needs)))
    return out
