"""Pictures of explanations and of the muscle graph: a small directed graph built from an
explanation (answers → rules → signs → rules → finding, with the groups and anatomical relations
used), written as Graphviz DOT or as a self-contained SVG laid out in layers, left to right."""

from __future__ import annotations

import math
from html import escape
from typing import Any

import networkx as nx

STYLE = {  # kind -> (DOT shape, SVG fill)
    "answer": ("ellipse", "#e8f1fb"), "rule": ("box", "#fff6df"), "sign": ("diamond", "#f3e8fb"),
    "finding": ("doubleoctagon", "#fde4e1"), "group": ("folder", "#e6f5e6"),
    "muscle": ("oval", "#eef7ee"), "relation": ("hexagon", "#f0f0f0"),
    "subject": ("ellipse", "#e8f1fb"), "joint": ("box", "#f6f6f6"), "region": ("box", "#ffffff"),
    "observation": ("ellipse", "#e8f1fb"), "checkpoint": ("box", "#ffffff"),
    "red_flag": ("octagon", "#fde4e1"),
}


def _add(g: nx.DiGraph, ident: str, kind: str, label: str) -> str:
    if ident not in g:
        g.add_node(ident, kind=kind, label=label)
    return ident


def _derivation(g: nx.DiGraph, d: dict[str, Any], into: str) -> None:
    if "answer" in d:
        src = _add(g, f"answer:{d['answer']}", "answer", f"{d['answer']} = {d['value']}")
        g.add_edge(src, into)
        return
    if "subject" in d:
        g.add_edge(_add(g, "subject:age", "subject", f"age {d['value']}"), into)
        return
    if "reasoning" in d:
        rel = _add(g, f"relation:{d['relation']}", "relation",
                   f"{d['reasoning'].replace('_', ' ')}\n{d['relation']}")
        g.add_edge(rel, into, label="inferred", style="dashed")
        for p in d["premises"]:
            driver = _add(g, f"muscle:{p['finding']}", "muscle",
                          f"{p['finding']}\n{p['state']}")
            g.add_edge(driver, rel, label=d["anatomy"][0]["text"][:60] if d.get("anatomy")
                       else "", style="dashed")
        return
    if "rule" in d:
        rule = _add(g, f"rule:{d['rule']}", "rule", f"{d['title']}\n[{d['rule']}]")
        target = into
        for group in d.get("via", []):
            target = _add(g, f"group:{group}", "group", group)
            g.add_edge(target, into, label="member")
        g.add_edge(rule, target, label=f"{d['certainty']:.2f}")
        for p in d.get("premises", []):
            _derivation(g, p, rule)
        return
    if "sign" in d:
        sign = _add(g, f"sign:{d['sign']}", "sign",
                    f"{d['sign']}" + (f" ({d['side']})" if d.get("side") else ""))
        g.add_edge(sign, into)
        for inner in d.get("because", []):
            _derivation(g, inner, sign)


def explanation_graph(why: dict[str, Any]) -> nx.DiGraph:
    g = nx.DiGraph(name=f"why {why['muscle']}")
    for f in why["findings"]:
        side = f" ({f['side']})" if f["side"] else ""
        finding = _add(g, f"finding:{f['muscle']}", "finding",
                       f"{f['name']}\n{f['state']}{side} {f['certainty']:.2f}")
        for d in [*f["derivations"], *f["against"]]:
            _derivation(g, d, finding)
        for d in f["derivations"]:
            for link in d.get("anatomy", []) if "rule" in d else []:
                node = _add(g, f"anatomy:{link['muscle']}", "muscle", link["muscle"])
                g.add_edge(finding, node, label=f"opposes ({link['relation']})", style="dotted")
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
    """A self-contained SVG (no Graphviz needed): layers left to right, or a circle for large
    graphs."""
    box_w, box_h, gap_x, gap_y = 210, 44, 70, 18
    if layout == "circle" or not g.number_of_nodes():
        nodes = sorted(g.nodes)
        width = height = max(400.0, 26.0 * len(nodes))
        pos = _circle(nodes, width) if nodes else {}
        box_w, box_h = 150, 26
    else:
        layers = _layers(g)
        pos = {n: (20 + i * (box_w + gap_x) + box_w / 2, 50 + j * (box_h + gap_y) + box_h / 2)
               for i, layer in enumerate(layers) for j, n in enumerate(layer)}
        width = 40 + len(layers) * (box_w + gap_x)
        height = 70 + max(len(layer) for layer in layers) * (box_h + gap_y)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
           'font-size="10">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
           'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker>'
           '</defs>']
    if title:
        out.append(f'<text x="20" y="24" font-size="14" font-weight="bold">{escape(title)}</text>')
    for u, v in sorted(g.edges):
        (x1, y1), (x2, y2) = pos[u], pos[v]
        dash = ' stroke-dasharray="4 3"' if g.edges[u, v].get("style") else ""
        if layout == "circle":
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                       f'stroke="#999" stroke-width="0.6"{dash}/>')
            continue
        sx, tx = x1 + box_w / 2, x2 - box_w / 2
        mid = (sx + tx) / 2
        out.append(f'<path d="M{sx:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} '
                   f'{tx:.1f},{y2:.1f}" fill="none" stroke="#666" marker-end="url(#arrow)"'
                   f'{dash}><title>{escape(str(g.edges[u, v].get("label", "")))}</title></path>')
    for n in sorted(g.nodes):
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


def why_not_graph(data: dict[str, Any]) -> nx.DiGraph:
    """The rules that could flag a muscle and the state of each premise."""
    g = nx.DiGraph(name=f"why not {data['muscle']}")
    target = _add(g, f"finding:{data['muscle']}", "finding",
                  f"{data['name']}\n{data['state'] or 'flagged'}? {data['status']}")
    for r in data["rules"]:
        rule = _add(g, f"rule:{r['rule']}", "rule",
                    f"{r['title']}\n{'fired' if r['fired'] else 'did not fire'}")
        g.add_edge(rule, target, style=None if r["fired"] else "dashed")
        for p in r["premises"]:
            ident = p["kind"] + ":" + "|".join(p.get("ids", ["age"]))
            state = "held" if p["held"] else "missing" if p["missing"] else "no"
            kind = {"answer": "answer", "sign": "sign"}.get(p["kind"], "subject")
            node = _add(g, ident, kind, f"{' or '.join(p.get('ids', ['age']))}\n{state}")
            g.add_edge(node, rule, style=None if p["held"] else "dashed")
    return g
