"""The muscle graph (networkx): anatomy, relations and the rules' links between observations,
signs and muscles, built once per knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .nodes import node, reasoning_edges

if TYPE_CHECKING:
    import networkx as nx

    from ..knowledge import KnowledgeBase



def muscle_graph(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """The graph of ``kb``, built on first use and kept with it for the process."""
    graph = kb.__dict__.get("_graph")
    if graph is None:
        from .build import build_graph  # networkx: only for drawing and explaining

        graph = kb.__dict__["_graph"] = build_graph(kb)
    return graph


__all__ = ["muscle_graph", "node", "reasoning_edges"]
