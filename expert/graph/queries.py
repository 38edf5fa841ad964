"""Questions asked of the muscle graph: antagonists and synergists (optionally at a joint),
group members, relations between two muscles, the anatomical reason in words, and paths from an
answer to a finding."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..knowledge import KnowledgeBase
from . import muscle_graph
from .nodes import _leaves, node, relation_reason

PARTNER_KINDS = ("antagonist", "synergist", "force_couple", "subsystem")


def _containers(kb: KnowledgeBase, muscle: str) -> list[str]:
    """The muscle and every group that contains it, as graph nodes."""
    return [node(kb, muscle), *(f"group:{g}" for g in kb.groups_of(muscle))]


def partners(kb: KnowledgeBase, muscle: str, kind: str = "antagonist",
             joint: str | None = None) -> list[tuple[str, str]]:
    """(muscle, relation id) pairs related to ``muscle`` by ``kind``, muscles expanded from
    groups, optionally only those crossing ``joint`` as ``muscle`` does."""
    g = muscle_graph(kb)
    found: set[tuple[str, str]] = set()
    for start in _containers(kb, muscle):
        for _, other, data in g.out_edges(start, data=True):
            if data["kind"] != kind:
                continue
            for leaf in _leaves(kb, other.split(":", 1)[1]):
                if leaf != muscle:
                    found.add((leaf, data["relation"]))
    if joint is not None:
        if joint not in kb.muscles[muscle].joints:
            return []
        found = {(m, r) for m, r in found if joint in kb.muscles[m].joints}
    return sorted(found)


def relations_between(kb: KnowledgeBase, a: str, b: str) -> list[dict[str, Any]]:
    """Every relation edge linking ``a`` and ``b`` (directly or through their groups)."""
    g = muscle_graph(kb)
    targets = set(_containers(kb, b)) if b in kb.muscles else {node(kb, b)}
    starts = _containers(kb, a) if a in kb.muscles else [node(kb, a)]
    out = {}
    for start in starts:
        for _, other, data in g.out_edges(start, data=True):
            if other in targets and data["kind"] in PARTNER_KINDS:
                out[(data["kind"], data["relation"])] = dict(data)
    return [out[k] for k in sorted(out)]


def anatomical_reason(kb: KnowledgeBase, a: str, b: str, relation: str | None = None) -> str:
    """One sentence: how ``a`` and ``b`` relate, at which joint, doing what."""
    if relation is not None:
        return relation_reason(kb, a, b, relation)
    for data in relations_between(kb, a, b):
        return relation_reason(kb, a, b, data["relation"])
    return ""


def members(kb: KnowledgeBase, group: str) -> tuple[str, ...]:
    return kb.expand(group)


def answer_paths(kb: KnowledgeBase, answer: str, muscle: str,
                 cutoff: int = 5) -> list[list[str]]:
    """Simple paths in the graph from an answer's observation node to a muscle, through the
    rules' suggests / implicates edges and group membership, shortest first."""
    g = muscle_graph(kb)
    usable = nx.subgraph_view(
        g, filter_edge=lambda u, v, k: g.edges[u, v, k]["kind"] in
        ("suggests", "implicates", "has_member"))
    source, target = node(kb, answer), node(kb, muscle)
    if source not in usable or target not in usable:
        return []
    paths = {tuple(p) for p in nx.all_simple_paths(usable, source, target, cutoff=cutoff)}
    return [list(p) for p in sorted(paths, key=lambda p: (len(p), p))]
