"""The experta engine: built once per process from the knowledge base, reset for every case.

Salience strata keep the consultation in order (and the result independent of the order experta
breaks ties in):

1. red flags (100), then a rule that halts the run if any fired (90): a referral stops everything;
2. rules over observations (50): answers suggest signs and muscle states;
3. one rule (0) combines each sign's evidence and declares the signs strong enough to use;
4. rules over signs (-10): compensations and patterns implicate muscles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .. import compat  # noqa: F401  (must precede experta)
from experta import KnowledgeEngine, Rule

from ..certainty import combine
from ..knowledge import KnowledgeBase
from .compiler import Compiled, Target, compile_rules
from .facts import Answer, Phase, Referral, Sign, Subject
from .ledger import Contribution, Flag, Ledger, Premise

SALIENCE = {"red_flag": 100, "halt": 90, "observations": 50, "combine": 0, "signs": -10}
MIRROR = {"left": "right", "right": "left"}


def _premise(fact: Any) -> Premise:
    if isinstance(fact, Answer):
        return Premise("answer", fact["obs"], fact["side"], fact["cf"], fact["value"])
    if isinstance(fact, Sign):
        return Premise("sign", fact["id"], fact["side"], fact["cf"])
    return Premise("subject", "age", None, 1.0, str(fact["age"]))


def _side(target: Target, anchor: str | None) -> str | None:
    """Concrete side of a conclusion from its side handling and the first premise's side."""
    if not target.paired:
        return None
    if target.side == "both" or anchor in (None, "both"):
        return "both"
    return anchor if target.side == "same" else MIRROR[anchor]


class ImbalanceEngine(KnowledgeEngine):  # type: ignore[misc]
    """Base class; :func:`build_engine` adds the compiled rules as class attributes."""

    def __init__(self, kb: KnowledgeBase, sign_premises: frozenset[str]) -> None:
        self.kb = kb
        self.sign_premises = sign_premises
        self.threshold = kb.meta.inference.premise_threshold
        self.ledger = Ledger()
        self.observed: list[Premise] = []
        self.sign_support: dict[tuple[str, str | None], tuple[float, list[Contribution]]] = {}
        super().__init__()
        self._deffacts = super().get_deffacts()

    def get_deffacts(self) -> list[Any]:
        # experta looks deffacts up with inspect.getmembers() on every reset(), a cost that grows
        # with the number of rules; they never change, so look once
        return getattr(self, "_deffacts", None) or super().get_deffacts()

    def reset(self, **kwargs: Any) -> None:
        # per-case state lives on the instance and survives experta's reset: clear it here
        self.ledger = Ledger()
        self.observed = []
        self.sign_support = {}
        super().reset(**kwargs)

    def apply(self, compiled: Compiled, facts: dict[str, Any]) -> None:
        premises = tuple(_premise(facts[f"f{i}"]) for i in range(len(facts)))
        strength = min(p.certainty for p in premises)
        anchor = premises[0].side
        self.ledger.fired.append(compiled.id)
        for t in compiled.targets:
            side = _side(t, anchor)
            c = Contribution(t.id, side, compiled.id, strength * t.certainty, premises, t.state,
                             t.editions, t.via)
            (self.ledger.signs if t.kind == "sign" else self.ledger.muscles).append(c)

    def flag(self, compiled: Compiled, facts: dict[str, Any]) -> None:
        premises = tuple(_premise(facts[f"f{i}"]) for i in range(len(facts)))
        self.ledger.flags.append(Flag(compiled.id, premises))
        self.ledger.fired.append(compiled.id)
        self.declare(Referral(rule=compiled.id, n=len(self.ledger.flags)))

    def combine_signs(self) -> None:
        """Combine every sign's evidence (observed, and suggested by rules) and declare the
        signs that rules over signs use and that are at least as certain as the threshold."""
        evidence: dict[tuple[str, str | None], list[Contribution]] = defaultdict(list)
        for p in self.observed:
            evidence[(p.id, p.side)].append(Contribution(p.id, p.side, "", p.certainty, (p,)))
        for c in self.ledger.signs:
            evidence[(c.target, c.side)].append(c)
        declared = []
        for key in sorted(evidence, key=lambda k: (k[0], k[1] or "")):
            strength = combine(strongest_per_rule(evidence[key]))
            self.sign_support[key] = (strength, sorted(evidence[key]))
            if key[0] in self.sign_premises and strength >= self.threshold:
                declared.append(Sign(id=key[0], side=key[1], cf=strength))
        if declared:
            self.declare(*declared)

    def consult(self, answers: Iterable[Premise], age: int | None,
                screened: frozenset[str]) -> Ledger:
        """Run one case: ``answers`` are the positive answers; only those some rule screens
        or reasons over become facts (the others are signs of themselves, combined in Python)."""
        self.reset()
        self.observed = sorted(answers)
        facts: list[Any] = [Answer(obs=p.id, side=p.side, cf=p.certainty, value=p.value)
                            for p in self.observed if p.id in screened]
        if age is not None:
            facts.append(Subject(age=age))
        facts.append(Phase(name="combine"))
        self.declare(*facts)
        self.run()
        return self.ledger


def strongest_per_rule(contributions: Iterable[Contribution]) -> list[float]:
    """One certainty per rule (the strongest of its alternatives): MYCIN's OR within a rule."""
    best: dict[str, float] = {}
    for c in contributions:
        key = c.rule or f"answer:{c.target}"
        best[key] = max(best.get(key, 0.0), c.certainty)
    return list(best.values())


def _body(compiled: Compiled, name: str) -> Callable[..., None]:
    if compiled.stage == "red_flag":
        def fire(engine: ImbalanceEngine, **facts: Any) -> None:
            engine.flag(compiled, facts)
    else:
        def fire(engine: ImbalanceEngine, **facts: Any) -> None:
            engine.apply(compiled, facts)
    fire.__name__ = name  # experta names firings after the function
    return fire


def _halt(engine: ImbalanceEngine) -> None:
    engine.halt()


def _combine(engine: ImbalanceEngine) -> None:
    engine.combine_signs()


def build_engine(kb: KnowledgeBase) -> tuple[ImbalanceEngine, frozenset[str]]:
    """Compile the knowledge base into an engine; also return the observations it screens."""
    compiled = compile_rules(kb)
    attrs: dict[str, Any] = {
        "halt_on_referral": Rule(Referral(), salience=SALIENCE["halt"])(_halt),
        "combine_signs_rule": Rule(Phase(name="combine"), salience=SALIENCE["combine"])(_combine),
    }
    screened: set[str] = set()
    sign_premises: set[str] = set()
    for c in compiled:
        for k, alternative in enumerate(c.alternatives):
            name = c.id if len(c.alternatives) == 1 else f"{c.id}#{k + 1}"
            attrs["rule:" + name] = Rule(*alternative, salience=SALIENCE[c.stage])(_body(c, name))
    for rule in kb.rules.values():
        for p in rule.when:
            if hasattr(p, "observation"):
                screened.add(p.observation)
            elif hasattr(p, "any_of"):
                screened |= {o.observation for o in p.any_of}
            elif hasattr(p, "sign"):
                sign_premises.add(p.sign)
    for flag in kb.red_flags.values():
        for p in flag.when:
            if hasattr(p, "observation"):
                screened.add(p.observation)
            elif hasattr(p, "any_of"):
                screened |= {o.observation for o in p.any_of}
    cls = type("KnowledgeBaseEngine", (ImbalanceEngine,), attrs)
    return cls(kb, frozenset(sign_premises)), frozenset(screened)
