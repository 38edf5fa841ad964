"""A reference evaluator: the same compiled rules evaluated in plain Python (dicts, sets and
loops, no experta), written independently of the engine from the model in docs/knowledge-base.md.

Used two ways (issue 14): as a differential oracle (tests/test_reference.py: engine and reference
agree on every library case and on thousands of random cases) and as the floor the engine is
measured against in the same run (bench/bench_engine.py). It never serves users.

    ledger, signs = Reference(kb).evaluate(answers, age)   # then expert.findings.resolve
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from expert.evidence import strength
from expert.findings import per_side, resolve_one
from expert.graph.nodes import reasoning_edges
from expert.inference.compiler import Compiled, compile_rules
from expert.inference.ledger import Contribution, Flag, Ledger, Premise
from expert.knowledge import KnowledgeBase

OTHER = {"left": "right", "right": "left"}
FLIP = {"overactive": "underactive", "underactive": "overactive"}
DRIVES = {"overactive": "reciprocal_inhibition", "underactive": "synergistic_dominance"}
SignSupport = dict[tuple[str, str | None], tuple[float, list[Contribution]]]


class Reference:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        params = kb.meta.inference
        self.params = params
        self.rules: dict[str, list[Compiled]] = defaultdict(list)  # "stage:trigger id" -> rules
        for rule in compile_rules(kb):
            for ident in rule.needs[rule.trigger].ids:
                self.rules[f"{rule.stage}:{ident}"].append(rule)
        self.factors = {str(k): v for k, v in params.secondary.items()}
        self.edges = reasoning_edges(kb)

    def evaluate(self, answers: Iterable[Premise], age: int | None
                 ) -> tuple[Ledger, SignSupport]:
        ledger = Ledger()
        given = {p.id: p for p in answers}
        order = sorted(given)

        def options(rule: Compiled, trigger: Premise, signs: dict[str, list[Premise]]
                    ) -> list[tuple[Premise, ...]]:
            lists: list[list[Premise]] = []
            for i, need in enumerate(rule.needs):
                if i == rule.trigger:
                    lists.append([trigger])
                elif need.kind == "answer":
                    lists.append([given[x] for x in need.ids if x in given])
                elif need.kind == "sign":
                    lists.append(list(signs.get(need.ids[0], [])))
                elif age is not None and (age < need.low or age > need.high):
                    lists.append([Premise("subject", "age", None, 1.0, str(age))])
                else:
                    lists.append([])
            return list(itertools.product(*lists))

        # 1. the safety screen: any red flag stops everything
        for ident in order:
            for rule in self.rules.get(f"red_flag:{ident}", []):
                for premises in options(rule, given[ident], {}):
                    ledger.fired.append(rule.id)
                    ledger.flags.append(Flag(rule.id, premises))
        if ledger.flags:
            return ledger, {}

        grounds_of: dict[tuple[str, str | None], set[str]] = {}

        def fire(rule: Compiled, premises: tuple[Premise, ...]) -> None:
            ledger.fired.append(rule.id)
            cf = min(p.certainty for p in premises)
            anchor = premises[0].side
            rests: set[str] = set()
            for p in premises:
                if p.kind == "answer":
                    rests.add(p.id)
                elif p.kind == "sign":
                    rests |= grounds_of.get((p.id, p.side), set())
            for t in rule.targets:
                if not t.paired:
                    side = None
                elif t.side == "both" or anchor is None or anchor == "both":
                    side = "both"
                else:
                    side = anchor if t.side == "same" else OTHER[anchor]
                c = Contribution(t.id, side, rule.id, cf * t.certainty, premises, t.state,
                                 t.editions, t.via, family=rule.family, symptom=rule.symptom,
                                 grouped=t.grouped, link=t.certainty, grounds=tuple(sorted(rests)))
                if t.kind == "sign":
                    ledger.signs.append(c)
                else:
                    ledger.muscles.append(c)

        # 2. rules over answers
        for ident in order:
            for rule in self.rules.get(f"observations:{ident}", []):
                for premises in options(rule, given[ident], {}):
                    fire(rule, premises)

        # 3. each sign's evidence, combined
        evidence: dict[tuple[str, str | None], list[Contribution]] = defaultdict(list)
        for p in given.values():
            evidence[(p.id, p.side)].append(
                Contribution(p.id, p.side, "", p.certainty, (p,), grounds=(p.id,)))
        for c in ledger.signs:
            evidence[(c.target, c.side)].append(c)
        support: SignSupport = {}
        signs: dict[str, list[Premise]] = defaultdict(list)
        for key in sorted(evidence, key=lambda k: (k[0], k[1] or "")):
            cf = strength(evidence[key])
            support[key] = (cf, sorted(evidence[key]))
            grounds_of[key] = {g for c in evidence[key] for g in c.grounds}
            if cf >= self.params.premise_threshold and self.rules.get(f"signs:{key[0]}"):
                signs[key[0]].append(Premise("sign", key[0], key[1], cf))

        # 4. rules over signs
        for ident in sorted(signs):
            for p in signs[ident]:
                for rule in self.rules.get(f"signs:{ident}", []):
                    for premises in options(rule, p, signs):
                        fire(rule, premises)

        # 5. graph reasoning from the direct findings that drive an edge
        if self.factors:
            for (muscle, side), cs in sorted(per_side(self.kb, ledger.muscles).items(),
                                             key=lambda kv: (kv[0][0], kv[0][1] or "")):
                edges = self.edges.get(muscle)
                if not edges:
                    continue
                found = resolve_one(muscle, side, cs, self.params.symptom_alone)
                if not found.state or found.certainty < self.params.report_threshold:
                    continue
                kind = DRIVES[found.state]
                if kind not in self.factors or not any(e[0] == kind for e in edges):
                    continue
                driver = Premise("finding", muscle, side, found.certainty, found.state)
                for edge_kind, affected, relation in edges:
                    if edge_kind == kind:
                        ledger.secondary.append(Contribution(
                            affected, side, kind, found.certainty * self.factors[kind],
                            (driver,), FLIP[found.state], relation=relation))
        return ledger, support
