"""Exporting the muscle graph, whole or one region: DOT, SVG, node-link JSON or GraphML."""

from __future__ import annotations

import io
import json

import networkx as nx

from ..knowledge import KnowledgeBase
from ..problems import InputError, Problem
from ..spelling import suggest
from . import muscle_graph

ANATOMY = {"muscle", "group", "joint", "region"}
RULE_NODES = {"observation", "sign", "red_flag"}


def subgraph(kb: KnowledgeBase, region: str | None, with_rules: bool) -> nx.DiGraph:
    """A simple directed graph (parallel edges merged) of the anatomy and relations, optionally
    limited to one region's muscles with their groups and joints, and the rules' links."""
    g = muscle_graph(kb)
    kinds = ANATOMY | (RULE_NODES if with_rules else set())
    keep = {n for n, k in g.nodes(data="kind") if k in kinds}
    if region is not None:
        if region not in kb.regions:
            raise InputError([Problem("--region", region, "", "unknown region",
                                      suggest(region, kb.regions) or
                                      "one of " + ", ".join(kb.regions))])
        core = {f"muscle:{m.id}" for m in kb.muscles.values() if m.region == region}
        core |= {f"region:{region}"}
        near = {v for u in core for _, v in g.out_edges(u)} | \
               {u for v in core for u, _ in g.in_edges(v)}
        keep &= core | {n for n in near if g.nodes[n]["kind"] in ("group", "joint")
                        or (with_rules and g.nodes[n]["kind"] in RULE_NODES)}
    out = nx.DiGraph(name=f"muscle graph {kb.version}" + (f" ({region})" if region else ""))
    for n in sorted(keep):
        data = g.nodes[n]
        out.add_node(n, kind=data["kind"], label=data.get("name", n))
    for u, v, data in sorted(g.edges(data=True), key=lambda e: (e[0], e[1], e[2]["kind"])):
        if u in keep and v in keep and data["kind"] != "has_member":
            if out.has_edge(u, v):
                out.edges[u, v]["label"] += ", " + data["kind"]
                continue
            out.add_edge(u, v, label=data["kind"], relation=data.get("relation", ""),
                         sources=", ".join(data.get("sources", [])),
                         style="dashed" if data["kind"] == "antagonist" else "")
    return out


def export(kb: KnowledgeBase, region: str | None, with_rules: bool, fmt: str) -> str:
    from ..explain.picture import to_dot, to_svg

    g = subgraph(kb, region, with_rules)
    if fmt == "dot":
        return to_dot(g, g.name)
    if fmt == "svg":
        return to_svg(g, g.name, layout="circle")
    if fmt == "json":
        return json.dumps(nx.node_link_data(g, edges="links"), indent=2,
                          ensure_ascii=False) + "\n"
    buffer = io.BytesIO()
    nx.write_graphml(g, buffer)
    return buffer.getvalue().decode("utf-8")
