"""The muscle graph: one networkx MultiDiGraph built from the knowledge base.

Nodes are namespaced ``kind:id`` — ``muscle:``, ``group:``, ``joint:``, ``region:``,
``checkpoint:``, ``observation:``, ``sign:`` (inferred patterns), ``red_flag:`` (red-flag
groups). Every edge has a ``kind`` and keeps its ``sources``:

- ``member_of`` / ``has_member`` between a muscle (or group) and its group;
- ``crosses`` from a muscle to a joint, ``in_region`` to its region;
- ``antagonist``, ``synergist``, ``force_couple``, ``subsystem`` between the nodes a relation
  names (both directions; ``relation`` and ``action`` attributes);
- ``reciprocal_inhibition`` / ``synergistic_dominance`` from a driver muscle to an affected
  muscle, for the relations that carry secondary reasoning;
- ``suggests`` from an observation to a sign, ``implicates`` from an observation or sign to a
  muscle or group (``rule``, ``state``, ``side``), ``screens`` from an observation to a red-flag
  group, all from the rules.
"""

from __future__ import annotations

import itertools

import networkx as nx

from ..knowledge import KnowledgeBase
from ..knowledge.rulebook import (
    AnyOfPremise,
    MuscleConclusion,
    ObservationPremise,
    SignConclusion,
    SignPremise,
)
from .nodes import node, reasoning_edges


def _premise_nodes(kb: KnowledgeBase, premise: object) -> list[str]:
    if isinstance(premise, ObservationPremise):
        return [node(kb, premise.observation)]
    if isinstance(premise, AnyOfPremise):
        return [node(kb, o.observation) for o in premise.any_of]
    if isinstance(premise, SignPremise):
        return [node(kb, premise.sign)]
    return []


def _anatomy(kb: KnowledgeBase, g: nx.MultiDiGraph) -> None:
    for r in kb.regions.values():
        g.add_node(f"region:{r.id}", kind="region", name=r.name)
    for c in kb.checkpoints.values():
        g.add_node(f"checkpoint:{c.id}", kind="checkpoint", name=c.name)
    for j in kb.joints.values():
        g.add_node(f"joint:{j.id}", kind="joint", name=j.name)
        g.add_edge(f"joint:{j.id}", f"region:{j.region}", kind="in_region", sources=[])
    for m in kb.muscles.values():
        g.add_node(f"muscle:{m.id}", kind="muscle", name=m.name, region=m.region,
                   paired=m.paired)
        g.add_edge(f"muscle:{m.id}", f"region:{m.region}", kind="in_region",
                   sources=list(m.sources))
        for joint in m.joints:
            g.add_edge(f"muscle:{m.id}", f"joint:{joint}", kind="crosses",
                       sources=list(m.sources))
    for grp in kb.groups.values():
        g.add_node(f"group:{grp.id}", kind="group", name=grp.name)
    for grp in kb.groups.values():
        for member in grp.members:
            src = list(grp.sources)
            g.add_edge(node(kb, member), f"group:{grp.id}", kind="member_of", sources=src)
            g.add_edge(f"group:{grp.id}", node(kb, member), kind="has_member", sources=src)


def _relations(kb: KnowledgeBase, g: nx.MultiDiGraph) -> None:
    for rel in kb.relations.values():
        attrs = {"kind": rel.type, "relation": rel.id, "action": rel.action,
                 "sources": list(rel.sources)}
        if rel.type == "antagonist":
            for a, b in itertools.product(rel.a, rel.b):
                g.add_edge(node(kb, a), node(kb, b), **attrs)
                g.add_edge(node(kb, b), node(kb, a), **attrs)
        else:
            for a, b in itertools.permutations(rel.members, 2):
                g.add_edge(node(kb, a), node(kb, b), **attrs)
    for driver, edges in reasoning_edges(kb).items():
        for kind, affected, rid in edges:
            rel = kb.relations[rid]
            assert rel.infers is not None
            g.add_edge(f"muscle:{driver}", f"muscle:{affected}", kind=kind, relation=rid,
                       action=rel.action, note=rel.infers.note, sources=list(rel.infers.sources))


def _rules(kb: KnowledgeBase, g: nx.MultiDiGraph) -> None:
    for q in kb.questions.values():
        g.add_node(f"observation:{q.id}", kind="observation", name=q.trainer,
                   category=q.category)
    for s in kb.signs.values():
        g.add_node(f"sign:{s.id}", kind="sign", name=s.name)
    for rule in kb.rules.values():
        sources = list(rule.sources)
        starts = [n for p in rule.when for n in _premise_nodes(kb, p)]
        for start, c in itertools.product(starts, rule.conclude):
            if isinstance(c, SignConclusion):
                g.add_edge(start, node(kb, c.sign), kind="suggests", rule=rule.id,
                           side=c.side, sources=sources)
            elif isinstance(c, MuscleConclusion):
                g.add_edge(start, node(kb, c.muscle), kind="implicates", rule=rule.id,
                           state=c.state, side=c.side, sources=sources)
    for flag in kb.red_flags.values():
        g.add_node(f"red_flag:{flag.group}", kind="red_flag", name=flag.group.replace("_", " "))
        for start in (n for p in flag.when for n in _premise_nodes(kb, p)):
            g.add_edge(start, f"red_flag:{flag.group}", kind="screens", rule=flag.id,
                       level=flag.level, sources=list(flag.sources))


def build_graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph(kb_version=kb.version)
    _anatomy(kb, g)
    _relations(kb, g)
    _rules(kb, g)
    return g
