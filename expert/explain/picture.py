"""Pictures of explanations and of the muscle graph: a small directed graph built from an
explanation (answers → rules → signs → rules → finding, with the groups and anatomical relations
used; labelled with names, the ids kept as details), written as Graphviz DOT or as a
self-contained SVG (an explanation top-down with a legend, ``diagram.py``; the muscle graph in a
circle)."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any

import networkx as nx

if TYPE_CHECKING:
    from ..knowledge import KnowledgeBase

STYLE = {  # kind -> (DOT shape, SVG fill)
    "answer": ("ellipse", "#e8f1fb"), "rule": ("box", "#fff6df"), "sign": ("diamond", "#f3e8fb"),
    "finding": ("doubleoctagon", "#fde4e1"), "group": ("folder", "#e6f5e6"),
    "muscle": ("oval", "#eef7ee"), "relation": ("hexagon", "#f0f0f0"),
    "subject": ("ellipse", "#e8f1fb"), "joint": ("box", "#f6f6f6"), "region": ("box", "#ffffff"),
    "observation": ("ellipse", "#e8f1fb"), "checkpoint": ("box", "#ffffff"),
    "red_flag": ("octagon", "#fde4e1"),
}


def _add(g: nx.DiGraph, ident: str, kind: str, label: str, detail: str = "") -> str:
    if ident not in g:
        g.add_node(ident, kind=kind, label=label, detail=detail or ident)
    return ident


class _Words:
    """Names for the people reading a picture: muscles, groups and signs by their names,
    answers by the question's plain words (ids without a knowledge base)."""

    def __init__(self, kb: KnowledgeBase | None) -> None:
        self.kb = kb

    def node(self, ident: str) -> str:
        if self.kb is not None and ident in self.kb.questions:
            return self.question(ident)
        return self.kb.name(ident) if self.kb is not None else ident.replace("_", " ")

    def question(self, ident: str) -> str:
        q = self.kb.questions.get(ident) if self.kb is not None else None
        words = (q.item if q is not None and q.item else ident.replace("_", " "))
        return f"{words[:1].upper()}{words[1:]}"

    def answer(self, ident: str, value: Any) -> str:
        return f"{self.question(ident)}: {value}"

    def relation(self, ident: str, reasoning: str) -> str:
        rel = self.kb.relations.get(ident) if self.kb is not None else None
        action = f" ({rel.action})" if rel is not None and rel.action else ""
        return f"{reasoning.replace('_', ' ').capitalize()}{action}"


def _derivation(g: nx.DiGraph, d: dict[str, Any], into: str, words: _Words,
                against: bool = False) -> None:
    kind = "against" if against else "supports"
    if "answer" in d:
        src = _add(g, f"answer:{d['answer']}", "answer", words.answer(d["answer"], d["value"]),
                   f"answer {d['answer']} = {d['value']}")
        g.add_edge(src, into, kind=kind)
        return
    if "subject" in d:
        g.add_edge(_add(g, "subject:age", "subject", f"Age {d['value']}"), into, kind=kind)
        return
    if "reasoning" in d:
        rel = _add(g, f"relation:{d['relation']}", "relation",
                   words.relation(d["relation"], d["reasoning"]), d["relation"])
        g.add_edge(rel, into, label="inferred", style="dashed", kind="inferred")
        for p in d["premises"]:
            driver = _add(g, f"muscle:{p['finding']}", "muscle",
                          f"{words.node(p['finding'])}: {p['state']}", p["finding"])
            g.add_edge(driver, rel, label=d["anatomy"][0]["text"][:60] if d.get("anatomy")
                       else "", style="dashed", kind="inferred")
        return
    if "rule" in d:
        rule = _add(g, f"rule:{d['rule']}", "rule", d["title"], f"rule {d['rule']}")
        target = into
        for group in d.get("via", []):
            target = _add(g, f"group:{group}", "group", words.node(group), group)
            g.add_edge(target, into, label="member", kind="member")
        g.add_edge(rule, target, label=f"{d['certainty']:.2f}", kind=kind)
        for p in d.get("premises", []):
            _derivation(g, p, rule, words)
        return
    if "sign" in d:
        sign = _add(g, f"sign:{d['sign']}", "sign",
                    words.node(d["sign"]) + (f" ({d['side']})" if d.get("side") else ""),
                    d["sign"])
        g.add_edge(sign, into, kind=kind)
        for inner in d.get("because", []):
            _derivation(g, inner, sign, words)


def _side(side: str | None) -> str:
    if side == "both":
        return " on both sides"
    return f" on the {side}" if side else ""


def explanation_graph(why: dict[str, Any], kb: KnowledgeBase | None = None) -> nx.DiGraph:
    """The picture of a why-explanation; ``graph["title"]`` names the findings it ends in
    (and the muscle asked about, when that is a member of a flagged group)."""
    words = _Words(kb)
    g = nx.DiGraph(name=f"why {why['muscle']}")
    titles = []
    for f in why["findings"]:
        finding = _add(g, f"finding:{f['muscle']}", "finding",
                       f"{f['name']}: {f['state']}{_side(f['side'])}, certainty "
                       f"{f['certainty']:.2f}", f["muscle"])
        titles.append(f"{f['name']} {f['state']}{_side(f['side'])}")
        for d in f["derivations"]:
            _derivation(g, d, finding, words)
        for d in f["against"]:
            _derivation(g, d, finding, words, against=True)
        for d in f["derivations"]:
            for link in d.get("anatomy", []) if "rule" in d else []:
                node = _add(g, f"anatomy:{link['muscle']}", "muscle", words.node(link["muscle"]),
                            link["muscle"])
                g.add_edge(finding, node, label=f"opposes ({link['relation']})", style="dotted",
                           kind="opposes")
    asked = why.get("name") or why["muscle"]
    if titles:
        g.graph["title"] = "Why: " + "; ".join(titles)
        if any(f["muscle"] != why["muscle"] for f in why["findings"]):
            g.graph["subtitle"] = (f"You asked about {asked}: the finding is the group it "
                                   "belongs to.")
    else:
        g.graph["title"] = f"{asked}: not flagged in this case"
    return g


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(g: nx.DiGraph, name: str = "explanation") -> str:
    lines = [f"digraph {_quote(name)} {{", "  rankdir=LR;",
             '  node [fontname="Helvetica", fontsize=10, style=filled];',
             '  edge [fontname="Helvetica", fontsize=8];']
    for n in sorted(g.nodes):
        data = g.nodes[n]
        shape, fill = STYLE.get(data.get("kind", ""), ("box", "#ffffff"))
        lines.append(f"  {_quote(n)} [label={_quote(data.get('label', n))}, shape={shape}, "
                     f"fillcolor={_quote(fill)}];")
    for u, v in sorted(g.edges):
        data = g.edges[u, v]
        attrs = []
        if data.get("label"):
            attrs.append(f"label={_quote(str(data['label']))}")
        if data.get("style"):
            attrs.append(f"style={data['style']}")
        extra = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_quote(u)} -> {_quote(v)}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layers(g: nx.DiGraph) -> list[list[str]]:
    """Columns aligned on the right: each node sits one column before the nearest of its
    successors' columns, so a rule stands next to what it concludes."""
    if not nx.is_directed_acyclic_graph(g):
        return [sorted(g.nodes)]
    height: dict[str, int] = {}
    for n in reversed(list(nx.topological_sort(g))):
        height[n] = 1 + max((height[s] for s in g.successors(n)), default=-1)
    top = max(height.values(), default=0)
    columns: list[list[str]] = [[] for _ in range(top + 1)]
    for n, h in height.items():
        columns[top - h].append(n)
    return [sorted(c) for c in columns if c]


def _circle(nodes: list[str], width: float) -> dict[str, tuple[float, float]]:
    radius = width / 2 - 120
    return {n: (width / 2 + radius * math.cos(2 * math.pi * i / len(nodes)),
                width / 2 + radius * math.sin(2 * math.pi * i / len(nodes)))
            for i, n in enumerate(nodes)}


def to_svg(g: nx.DiGraph, title: str = "", layout: str = "layers") -> str:
    """A self-contained SVG (no Graphviz needed): an explanation laid out top-down with a
    legend (``diagram.py``; the graph's own ``title`` when none is given), or a circle for
    large graphs (the muscle graph)."""
    if layout != "circle" and g.number_of_nodes():
        from .diagram import draw
        return draw(g, _layers(g), title or g.graph.get("title", g.name),
                    g.graph.get("subtitle", ""))
    box_w, box_h = 150, 26
    nodes = sorted(g.nodes)
    width = height = max(400.0, 26.0 * len(nodes))
    pos = _circle(nodes, width) if nodes else {}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="10">']
    if title:
        out.append(f'<text x="20" y="24" font-size="14" font-weight="bold">{escape(title)}</text>')
    for u, v in sorted(g.edges):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        dash = ' stroke-dasharray="4 3"' if g.edges[u, v].get("style") else ""
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                   f'stroke="#999" stroke-width="0.6"{dash}/>')
    for n in nodes:
        x, y = pos[n]
        data = g.nodes[n]
        _, fill = STYLE.get(data.get("kind", ""), ("box", "#ffffff"))
        lines = str(data.get("label", n)).split("\n")[:2]
        out.append(f'<g class="{escape(data.get("kind", ""))}"><title>{escape(n)}</title>'
                   f'<rect x="{x - box_w / 2:.1f}" y="{y - box_h / 2:.1f}" width="{box_w}" '
                   f'height="{box_h}" rx="6" fill="{fill}" stroke="#555"/>')
        for k, text in enumerate(lines):
            short = text if len(text) <= 34 else text[:33] + "…"
            dy = y + (k - (len(lines) - 1) / 2) * 12 + 3
            out.append(f'<text x="{x:.1f}" y="{dy:.1f}" text-anchor="middle">'
                       f'{escape(short)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def why_not_graph(data: dict[str, Any], kb: KnowledgeBase | None = None) -> nx.DiGraph:
    """The rules that could flag a muscle and the state of each premise."""
    words = _Words(kb)
    g = nx.DiGraph(name=f"why not {data['muscle']}")
    state = data["state"] or "flagged"
    target = _add(g, f"finding:{data['muscle']}", "finding",
                  f"{data['name']}: {state}{_side(data.get('side'))}? "
                  f"{data['status'].replace('_', ' ')}", data["muscle"])
    g.graph["title"] = f"Why not: {data['name']} {state}{_side(data.get('side'))}"
    for r in data["rules"]:
        rule = _add(g, f"rule:{r['rule']}", "rule",
                    f"{r['title']} ({'fired' if r['fired'] else 'did not fire'})",
                    f"rule {r['rule']}")
        g.add_edge(rule, target, style=None if r["fired"] else "dashed",
                   kind="supports" if r["fired"] else "not_held")
        for p in r["premises"]:
            ident = p["kind"] + ":" + "|".join(p.get("ids", ["age"]))
            held = "held" if p["held"] else "unanswered" if p["missing"] else "answered no"
            kind = {"answer": "answer", "sign": "sign"}.get(p["kind"], "subject")
            names = [words.node(i) for i in p.get("ids", ["age"])]
            node = _add(g, ident, kind, f"{' or '.join(names)}: {held}", ident)
            g.add_edge(node, rule, style=None if p["held"] else "dashed",
                       kind="supports" if p["held"] else "not_held")
    return g
