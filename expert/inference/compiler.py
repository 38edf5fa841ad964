"""Compiling knowledge-base rules into what the engine runs.

Each rule becomes one or more experta rules (one per alternative of an ``any_of`` premise; the
ledger keeps the strongest alternative, MYCIN's OR) whose left-hand side matches the premise
facts and whose body records the rule's pre-computed conclusions. Groups are expanded to muscles
here, once, and a muscle reached through several conclusions of one rule takes the union of their
editions (domain.md §0.2: agreement between editions weighs more).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from experta import AS, P

from ..knowledge import KnowledgeBase
from ..knowledge.rulebook import (AgePremise, AnyOfPremise, InferenceRule, MuscleConclusion,
                                  ObservationPremise, RedFlag, SignConclusion, SignPremise)
from .facts import Answer, Sign, Subject

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


@dataclass(frozen=True)
class Compiled:
    id: str
    stage: str  # red_flag | observations | signs
    targets: tuple[Target, ...]
    alternatives: tuple[tuple[Any, ...], ...]  # experta patterns, one tuple per any_of choice


def _outside(low: int, high: int) -> Callable[[Any], bool]:
    # a factory, not a default argument: experta passes None for unbound TEST arguments
    return lambda age: isinstance(age, int | float) and (age < low or age > high)


def _patterns(rule: InferenceRule | RedFlag) -> tuple[tuple[Any, ...], ...]:
    options: list[list[Any]] = []
    for i, p in enumerate(rule.when):
        bind = getattr(AS, f"f{i}")
        if isinstance(p, ObservationPremise):
            options.append([bind << Answer(obs=p.observation)])
        elif isinstance(p, AnyOfPremise):
            options.append([bind << Answer(obs=o.observation) for o in p.any_of])
        elif isinstance(p, SignPremise):
            options.append([bind << Sign(id=p.sign)])
        elif isinstance(p, AgePremise):
            options.append([bind << Subject(age=P(_outside(*p.outside)))])
    return tuple(itertools.product(*options))


def _muscle_targets(kb: KnowledgeBase, rule: InferenceRule) -> list[Target]:
    params = kb.meta.inference
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for c in rule.conclude:
        if not isinstance(c, MuscleConclusion):
            continue
        confidence = c.confidence or rule.confidence
        for leaf in kb.expand(c.muscle):
            slot = merged.setdefault((leaf, c.state, c.side),
                                     {"editions": set(), "via": set(), "confidence": "L"})
            slot["editions"] |= set(c.editions)
            if c.muscle != leaf:
                slot["via"].add(c.muscle)
            if CONFIDENCE_ORDER.index(confidence) > CONFIDENCE_ORDER.index(slot["confidence"]):
                slot["confidence"] = confidence
    targets = []
    for (leaf, state, side), slot in merged.items():
        certainty = params.confidence[slot["confidence"]]
        if rule.evidence:
            certainty *= params.evidence[rule.evidence]
        if len(slot["editions"]) == 1:
            certainty *= params.single_edition_factor
        targets.append(Target("muscle", leaf, state, side, certainty,
                              tuple(sorted(slot["editions"])), tuple(sorted(slot["via"])),
                              kb.muscles[leaf].paired))
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


def compile_rules(kb: KnowledgeBase) -> list[Compiled]:
    """Every red flag and inference rule of the knowledge base, in id order."""
    out = [Compiled(f.id, "red_flag", (), _patterns(f)) for f in
           sorted(kb.red_flags.values(), key=lambda f: f.id)]
    for rule in sorted(kb.rules.values(), key=lambda r: r.id):
        stage = "signs" if rule.over_signs else "observations"
        targets = _sign_targets(kb, rule) + _muscle_targets(kb, rule)
        targets.sort(key=lambda t: (t.kind, t.id, t.state, t.side))
        out.append(Compiled(rule.id, stage, tuple(targets), _patterns(rule)))
    return out
