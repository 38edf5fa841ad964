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
