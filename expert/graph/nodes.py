"""Node names of the muscle graph, without the graph: what explanations and reports need to name a
path, and the reasoning edges the engine follows, read straight from the knowledge base's
relations (so that evaluating a case never imports networkx)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..knowledge import KnowledgeBase

# driver muscle -> [(kind, affected muscle, relation id)]
ReasoningEdges = dict[str, list[tuple[str, str, str]]]


def node(kb: KnowledgeBase, ident: str) -> str:
    """The graph node of a knowledge-base id (muscle, group, observation or sign)."""
    if ident in kb.muscles:
        return f"muscle:{ident}"
    if ident in kb.groups:
        return f"group:{ident}"
    if ident in kb.questions:
        return f"observation:{ident}"
    return f"sign:{ident}"


def reasoning_edges(kb: KnowledgeBase) -> ReasoningEdges:
    """The secondary-reasoning edges of relations with ``infers`` (domain.md §1: altered
    reciprocal inhibition, synergistic dominance), groups expanded to muscles; computed once per
    knowledge base."""
    edges: ReasoningEdges | None = kb.__dict__.get("_reasoning_edges")
    if edges is None:
        edges = {}
        for rel in kb.relations.values():
            inf = rel.infers
            if inf is None:
                continue
            drivers = sorted({m for d in inf.drivers for m in kb.expand(d)})
            affected = sorted({m for x in inf.affected for m in kb.expand(x)})
            for d, x in itertools.product(drivers, affected):
                edges.setdefault(d, []).append((inf.kind, x, rel.id))
        kb.__dict__["_reasoning_edges"] = edges
    return edges


VERB = {"antagonist": "oppose each other", "synergist": "work together",
        "force_couple": "work as a force couple", "subsystem": "work in one subsystem"}


def _leaves(kb: KnowledgeBase, ident: str) -> set[str]:
    return set(kb.expand(ident)) if kb.is_node(ident) else set()


def joints_of(kb: KnowledgeBase, ident: str) -> set[str]:
    return {j for m in _leaves(kb, ident) for j in kb.muscles[m].joints}


def _joint_words(kb: KnowledgeBase, joints: set[str]) -> str:
    names = [kb.joints[j].name.lower() for j in sorted(joints) if j in kb.joints]
    if not names:
        return ""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def relation_reason(kb: KnowledgeBase, a: str, b: str, relation: str) -> str:
    """One sentence: how ``a`` and ``b`` relate through ``relation``, at which joint, doing
    what (read from the relation itself: explaining a graph-inferred finding needs no graph)."""
    rel = kb.relations[relation]
    text = f"{kb.name(a)} and {kb.name(b)} {VERB.get(rel.type, 'are related')}"
    where = _joint_words(kb, joints_of(kb, a) & joints_of(kb, b))
    if where:
        text += f" at the {where}"
    if rel.action:
        text += f": {rel.action}"
    return text
