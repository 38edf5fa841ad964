"""The explanation picture as SVG, laid out top-down to be read on a screen or a printed page
(1280 units wide): from the answers down through the rules and signs they lead to (each box
just above what it leads to) to the finding at the bottom. Each layer wraps into rows of
boxes, labels wrap inside their box (never cut), and a legend says what each kind of box and
line means. Boxes show names; ids are only in the tooltips. Self-contained: no external
references, styles as attributes."""

from __future__ import annotations

import textwrap
from html import escape

import networkx as nx

WIDTH, PAD, BOX_W, GAP_X, ROW_GAP = 1280, 24, 290, 20, 46
FONT, LINE, CHARS = 14, 18, 34           # label size, line height, characters per line
NODES = {  # kind -> (what the legend calls it, fill, border)
    "answer": ("answer given", "#e8f1fb", "#6a8fb5"),
    "subject": ("about the person", "#e8f1fb", "#6a8fb5"),
    "observation": ("observation", "#e8f1fb", "#6a8fb5"),
    "sign": ("sign or pattern", "#f3e8fb", "#9a6fb8"),
    "rule": ("rule", "#fff6df", "#b8963f"),
    "relation": ("anatomical relation", "#f0f0f0", "#8a8a8a"),
    "group": ("muscle group", "#e6f5e6", "#6a9a6a"),
    "muscle": ("muscle", "#eef7ee", "#6a9a6a"),
    "finding": ("finding", "#fde4e1", "#b8584a"),
}
EDGES = {  # kind -> (what the legend calls it, colour, dash pattern)
    "supports": ("leads to", "#55606b", ""),
    "member": ("via the group", "#5f9a5f", ""),
    "inferred": ("inferred through the anatomy", "#55606b", "7 4"),
    "opposes": ("opposing muscle (anatomy)", "#8a8a8a", "2 4"),
    "against": ("evidence against", "#c2553a", ""),
    "not_held": ("did not hold, or did not fire", "#a0a7ad", "7 4"),
}


def _n(v: float) -> str:
    return f"{v:.1f}"


def _ordered(g: nx.DiGraph, layers: list[list[str]]) -> list[list[str]]:
    """Each layer ordered by where what it leads to sits (bottom layer first), so that lines
    cross as little as they can; ties by id, so the order never depends on the input's."""
    place: dict[str, float] = {}
    out: list[list[str]] = []
    for layer in reversed(layers):
        def key(n: str) -> tuple[float, str]:
            below = [place[s] for s in g.successors(n) if s in place]
            return (sum(below) / len(below) if below else 0.5, n)
        ordered = sorted(layer, key=key)
        place.update({n: (i + 0.5) / len(ordered) for i, n in enumerate(ordered)})
        out.append(ordered)
    return out[::-1]


def _rows(g: nx.DiGraph, layers: list[list[str]]) -> list[list[str]]:
    per_row = max(1, (WIDTH - 2 * PAD + GAP_X) // (BOX_W + GAP_X))
    return [layer[i:i + per_row] for layer in _ordered(g, layers)
            for i in range(0, len(layer), per_row)]


def _lines(g: nx.DiGraph, node: str) -> list[str]:
    label = str(g.nodes[node].get("label", node))
    return [line for part in label.split("\n")
            for line in textwrap.wrap(part, CHARS, break_long_words=False) or [""]]


def _legend(g: nx.DiGraph, y: float) -> tuple[list[str], float]:
    kinds = [k for k in NODES if any(d.get("kind") == k for _, d in g.nodes(data=True))]
    edges = [k for k in EDGES if any(d.get("kind") == k for _, _, d in g.edges(data=True))]
    out = [f'<text x="{PAD}" y="{_n(y + 14)}" font-size="13" font-weight="bold">Boxes</text>']
    x = PAD + 60.0
    for k in kinds:
        name, fill, border = NODES[k]
        out.append(f'<rect x="{_n(x)}" y="{_n(y + 2)}" width="18" height="15" rx="3" '
                   f'fill="{fill}" stroke="{border}"/>')
        out.append(f'<text x="{_n(x + 24)}" y="{_n(y + 14)}" font-size="13">{name}</text>')
        x += 24 + 6.8 * len(name) + 26
    y += 24
    out.append(f'<text x="{PAD}" y="{_n(y + 14)}" font-size="13" font-weight="bold">Lines</text>')
    x = PAD + 60.0
    for k in edges:
        name, colour, dash = EDGES[k]
        pattern = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<line x1="{_n(x)}" y1="{_n(y + 9)}" x2="{_n(x + 34)}" y2="{_n(y + 9)}" '
                   f'stroke="{colour}" stroke-width="2"{pattern}/>')
        out.append(f'<text x="{_n(x + 40)}" y="{_n(y + 14)}" font-size="13">{name}</text>')
        x += 40 + 6.8 * len(name) + 26
    return out, y + 30


def draw(g: nx.DiGraph, layers: list[list[str]], title: str, subtitle: str = "") -> str:
    """The SVG of an explanation graph whose nodes come in ``layers`` (top to bottom)."""
    head = [f'<text x="{PAD}" y="34" font-size="22" font-weight="bold">{escape(title)}</text>']
    y = 44.0
    if subtitle:
        head.append(f'<text x="{PAD}" y="62" font-size="14" fill="#444">{escape(subtitle)}'
                    "</text>")
        y = 72.0
    legend, y = _legend(g, y)
    y += 10
    pos: dict[str, tuple[float, float, float]] = {}   # node -> centre x, top, bottom
    boxes: list[str] = []
    for row in _rows(g, layers):
        tall = max(len(_lines(g, n)) for n in row) * LINE + 14.0
        span = len(row) * BOX_W + (len(row) - 1) * GAP_X
        x0 = (WIDTH - span) / 2
        for i, n in enumerate(row):
            cx = x0 + i * (BOX_W + GAP_X) + BOX_W / 2
            pos[n] = (cx, y, y + tall)
            boxes.append(_box(g, n, cx, y, tall))
        y += tall + ROW_GAP
    lines = [_edge(g, u, v, pos) for u, v in sorted(g.edges) if u in pos and v in pos]
    height = y - ROW_GAP + PAD
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="Helvetica, Arial, sans-serif" '
        f'font-size="{FONT}" fill="#222" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
        *head, *legend, *lines, *boxes, "</svg>"]) + "\n"


def _box(g: nx.DiGraph, n: str, cx: float, top: float, height: float) -> str:
    data = g.nodes[n]
    _, fill, border = NODES.get(data.get("kind", ""), ("", "#ffffff", "#555555"))
    lines = _lines(g, n)
    first = top + height / 2 - (len(lines) - 1) * LINE / 2 + FONT * 0.35
    weight = ' font-weight="bold"' if data.get("kind") == "finding" else ""
    text = "".join(f'<text x="{_n(cx)}" y="{_n(first + k * LINE)}" text-anchor="middle"'
                   f"{weight}>{escape(line)}</text>" for k, line in enumerate(lines))
    return (f'<g><title>{escape(str(data.get("detail", n)))}</title>'
            f'<rect x="{_n(cx - BOX_W / 2)}" y="{_n(top)}" width="{BOX_W}" '
            f'height="{_n(height)}" rx="8" fill="{fill}" stroke="{border}" stroke-width="1.2"/>'
            f"{text}</g>")


def _edge(g: nx.DiGraph, u: str, v: str, pos: dict[str, tuple[float, float, float]]) -> str:
    data = g.edges[u, v]
    _, colour, dash = EDGES.get(data.get("kind", ""), EDGES["supports"])
    (x1, _, y1), (x2, y2, bottom2) = pos[u], pos[v]
    if y2 < y1:   # drawn upwards (an opposing muscle below its finding): from the side
        y1, y2 = pos[u][1], bottom2
    mid = (y1 + y2) / 2
    tip = y2 - 1 if y2 > y1 else y2 + 1
    back = -9 if y2 > y1 else 9
    pattern = f' stroke-dasharray="{dash}"' if dash else ""
    label = escape(str(data.get("label", "") or EDGES.get(data.get("kind", ""), ("",))[0]))
    return (f'<g><title>{label}</title><path d="M{_n(x1)},{_n(y1)} C{_n(x1)},{_n(mid)} '
            f'{_n(x2)},{_n(mid)} {_n(x2)},{_n(tip + back)}" fill="none" stroke="{colour}" '
            f'stroke-width="1.6"{pattern}/><path d="M{_n(x2 - 5)},{_n(tip + back)} '
            f'L{_n(x2 + 5)},{_n(tip + back)} L{_n(x2)},{_n(tip)} z" fill="{colour}"/></g>')
