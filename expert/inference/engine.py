"""The experta engine: built once per process from the knowledge base, reset for every case.

experta's alpha network tests every new fact against every distinct constant in every pattern,
so an experta rule per knowledge-base rule makes each case cost more as the knowledge base grows.
Instead the compiled rules are indexed by their trigger premise, and a fixed handful of experta
rules, one per stratum, fire once per trigger fact and run the rules it sets off (joining the
other premises by lookup). Salience strata keep the consultation in order, and the result
independent of the order experta breaks ties in:

1. red-flag screening (100), then a rule that halts the run if any fired (90): a referral stops
   everything;
2. rules over observations (50): answers suggest signs and muscle states;
3. one rule (0) combines each sign's evidence and declares the signs strong enough to use;
4. rules over signs (-10): compensations and patterns implicate muscles;
5. one rule (-20) settles the direct findings and, in its body, follows the muscle graph's
   reasoning edges from those that can drive them, adding the weaker secondary evidence of altered
   reciprocal inhibition and synergistic dominance (domain.md §1).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from experta import AS, KnowledgeEngine, Rule
from experta.strategies import DepthStrategy

from .. import compat  # noqa: F401  (must precede experta)
from ..evidence import strength as combined
from ..findings import per_side, resolve_one
from ..graph.nodes import reasoning_edges
from ..knowledge import KnowledgeBase
from .compiler import Compiled, Need, Target, compile_rules
from .facts import Answer, Phase, Referral, Sign
from .ledger import Contribution, Flag, Ledger, Premise

MIRROR = {"left": "right", "right": "left"}
Index = dict[tuple[str, str], list[Compiled]]


def _side(target: Target, anchor: str | None) -> str | None:
    """Concrete side of a conclusion from its side handling and the first premise's side."""
    if not target.paired:
        return None
    if target.side == "both" or anchor in (None, "both"):
        return "both"
    return anchor if target.side == "same" else MIRROR[anchor]


REASONING = {"overactive": "reciprocal_inhibition", "underactive": "synergistic_dominance"}
OPPOSITE = {"overactive": "underactive", "underactive": "overactive"}


class _Depth(DepthStrategy):
    """experta's depth strategy with the same keys, uncached. Its ``get_key`` sits behind an
    ``lru_cache`` whose keys (activations) hash alike across resets but never compare equal, so
    the cache never hits, walks long ``__eq__`` chains and keeps every activation alive."""

    def get_key(self, activation: Any) -> tuple[int, list[int]]:
        facts = sorted((f["__factid__"] for f in activation.facts), reverse=True)
        return (activation.rule.salience, facts)


class ImbalanceEngine(KnowledgeEngine):
    """The consultation's working memory and its four strata of rules."""

    __strategy__ = _Depth

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.threshold = kb.meta.inference.premise_threshold
        self.symptom_alone = kb.meta.inference.symptom_alone
        self.index: Index = defaultdict(list)
        for rule in compile_rules(kb):
            trigger = rule.needs[rule.trigger]
            for ident in trigger.ids:
                self.index[(rule.stage, ident)].append(rule)
        self.screened = frozenset(i for (stage, i) in self.index if stage == "red_flag")
        self.reasoned = frozenset(i for (stage, i) in self.index if stage == "observations")
        self.used_signs = frozenset(i for (stage, i) in self.index if stage == "signs")
        self.secondary: dict[str, float] = {str(k): v for k, v in
                                            kb.meta.inference.secondary.items()}
        # the muscle graph's reasoning edges, read from the relations once (no networkx):
        # driver -> [(kind, affected, relation)]
        self.reasoning = {driver: [e for e in edges if e[0] in self.secondary]
                          for driver, edges in reasoning_edges(kb).items()}
        self.drivers: dict[str, frozenset[str]] = {
            kind: frozenset(m for m, edges in self.reasoning.items()
                            if any(k == kind for k, _, _ in edges))
            for kind in self.secondary}
        self._clear()
        super().__init__()
        self._deffacts = super().get_deffacts()

    def _clear(self) -> None:
        self.ledger = Ledger()
        self.answers: dict[str, Premise] = {}
        self.age: int | None = None
        self.signs: dict[str, list[Premise]] = defaultdict(list)
        self.sign_support: dict[tuple[str, str | None], tuple[float, list[Contribution]]] = {}
        self.sign_grounds: dict[tuple[str, str | None], set[str]] = {}
        self.direct: dict[tuple[str, str | None], Premise] = {}

    def get_deffacts(self) -> list[Any]:
        # experta finds deffacts with inspect.getmembers() on every reset(); they never change
        return getattr(self, "_deffacts", None) or super().get_deffacts()

    def reset(self, **kwargs: Any) -> None:
        # per-case state lives on the instance and would survive experta's reset
        self._clear()
        super().reset(**kwargs)

    # -- joining premises ---------------------------------------------------------------
    def _candidates(self, need: Need) -> list[Premise]:
        if need.kind == "answer":
            return [self.answers[i] for i in need.ids if i in self.answers]
        if need.kind == "sign":
            return list(self.signs.get(need.ids[0], ()))
        if self.age is not None and not need.low <= self.age <= need.high:
            return [Premise("subject", "age", None, 1.0, str(self.age))]
        return []

    def _derivations(self, rule: Compiled, trigger: Premise) -> Iterable[tuple[Premise, ...]]:
        options = [[trigger] if i == rule.trigger else self._candidates(need)
                   for i, need in enumerate(rule.needs)]
        return itertools.product(*options)

    def dispatch(self, stage: str, trigger: Premise) -> None:
        """Run every rule of ``stage`` that ``trigger`` sets off, once per derivation."""
        for rule in self.index.get((stage, trigger.id), ()):
            for premises in self._derivations(rule, trigger):
                self.ledger.fired.append(rule.id)
                if stage == "red_flag":
                    self.ledger.flags.append(Flag(rule.id, premises))
                    self.declare(Referral(rule=rule.id, n=len(self.ledger.flags)))
                else:
                    self._conclude(rule, premises)

    def _grounds(self, premises: tuple[Premise, ...]) -> tuple[str, ...]:
        """The answers a firing rests on, through the signs it stands on."""
        out: set[str] = set()
        for p in premises:
            if p.kind == "answer":
                out.add(p.id)
            elif p.kind == "sign":
                out.update(self.sign_grounds.get((p.id, p.side), ()))
        return tuple(sorted(out))

    def _conclude(self, rule: Compiled, premises: tuple[Premise, ...]) -> None:
        strength = min(p.certainty for p in premises)
        anchor = premises[0].side
        grounds = self._grounds(premises)
        for t in rule.targets:
            c = Contribution(t.id, _side(t, anchor), rule.id, strength * t.certainty, premises,
                             t.state, t.editions, t.via, family=rule.family,
                             symptom=rule.symptom, grouped=t.grouped, link=t.certainty,
                             grounds=grounds)
            (self.ledger.signs if t.kind == "sign" else self.ledger.muscles).append(c)

    def combine_signs(self) -> None:
        """Combine every sign's evidence (observed, and suggested by rules); declare the signs
        that rules use and that are at least as certain as the premise threshold."""
        evidence: dict[tuple[str, str | None], list[Contribution]] = defaultdict(list)
        for p in self.answers.values():
            evidence[(p.id, p.side)].append(Contribution(p.id, p.side, "", p.certainty, (p,),
                                                         grounds=(p.id,)))
        for c in self.ledger.signs:
            evidence[(c.target, c.side)].append(c)
        declared = []
        for key in sorted(evidence, key=lambda k: (k[0], k[1] or "")):
            strength = combined(evidence[key])
            self.sign_support[key] = (strength, sorted(evidence[key]))
            self.sign_grounds[key] = {g for c in evidence[key] for g in c.grounds}
            if key[0] in self.used_signs and strength >= self.threshold:
                self.signs[key[0]].append(Premise("sign", key[0], key[1], strength))
                declared.append(Sign(id=key[0], side=key[1]))
        if declared:
            self.declare(*declared)

    def settle_direct_findings(self) -> None:
        """Resolve the direct evidence so far and follow the muscle graph's reasoning edges from
        each finding that can drive them (reportable, and a driver of some edge). Done in this
        rule's body: a fact per driver would cost the RETE network and the agenda more than the
        reasoning itself, and nothing else matches such facts."""
        threshold = self.kb.meta.inference.report_threshold
        drivers = self.drivers.get("reciprocal_inhibition", frozenset()) | self.drivers.get(
            "synergistic_dominance", frozenset())
        candidates = [c for c in self.ledger.muscles if c.target in drivers]
        for (muscle, side), contributions in per_side(self.kb, candidates).items():
            found = resolve_one(muscle, side, contributions, self.symptom_alone)
            if not found.state or found.certainty < threshold:
                continue
            if muscle in self.drivers.get(REASONING[found.state], ()):
                self.direct[(muscle, side)] = Premise("finding", muscle, side, found.certainty,
                                                      found.state)
        for key in sorted(self.direct, key=lambda k: (k[0], k[1] or "")):
            self.reason_over_graph(self.direct[key])

    def reason_over_graph(self, driver: Premise) -> None:
        """Follow the driver's reasoning edges in the muscle graph to the muscles it affects."""
        kind = REASONING[driver.value]
        factor = self.secondary[kind]
        for edge_kind, affected, relation in self.reasoning.get(driver.id, ()):
            if edge_kind == kind:
                self.ledger.secondary.append(Contribution(
                    affected, driver.side, kind, driver.certainty * factor, (driver,),
                    OPPOSITE[driver.value], relation=relation))

    # -- one case ----------------------------------------------------------------------
    def consult(self, answers: Iterable[Premise], age: int | None) -> Ledger:
        """Run one case; ``answers`` are its positive answers."""
        self.reset()
        self.answers = {p.id: p for p in sorted(answers)}
        self.age = age
        facts: list[Any] = [
            Answer(obs=p.id, screen=p.id in self.screened, reason=p.id in self.reasoned)
            for p in self.answers.values() if p.id in self.screened or p.id in self.reasoned]
        facts.append(Phase(name="combine"))
        if self.secondary:
            facts.append(Phase(name="settle"))
        self.declare(*facts)
        self.run()
        return self.ledger

    # -- the strata ----------------------------------------------------------------------
    @Rule(AS.f << Answer(screen=True), salience=100)
    def screen_red_flags(self, f: Any) -> None:
        self.dispatch("red_flag", self.answers[f["obs"]])

    @Rule(Referral(), salience=90)
    def halt_on_referral(self) -> None:
        self.halt()

    @Rule(AS.f << Answer(reason=True), salience=50)
    def reason_over_observations(self, f: Any) -> None:
        self.dispatch("observations", self.answers[f["obs"]])

    @Rule(Phase(name="combine"), salience=0)
    def combine_sign_evidence(self) -> None:
        self.combine_signs()

    @Rule(AS.f << Sign(), salience=-10)
    def reason_over_signs(self, f: Any) -> None:
        for p in self.signs[f["id"]]:
            if p.side == f["side"]:
                self.dispatch("signs", p)

    @Rule(Phase(name="settle"), salience=-20)
    def settle_findings(self) -> None:
        self.settle_direct_findings()

