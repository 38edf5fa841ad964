"""A client's progress over time (``imbalance client report``): every stored assessment on a
timeline, and a chart of each key finding's certainty across them, drawn as inline SVG (no
script). The reports are read as they were given (the stored report), not re-evaluated."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

# colour-blind-safe palette (Okabe-Ito, then Tol), dash patterns for more series than colours
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
           "#882255", "#117733", "#44AA99")
DASHES = ("", "6 3", "2 3", "8 3 2 3")
W, H = 900, 360                      # the chart's drawing size (the legend is beside it)
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 50
LEGEND_W = 340
LEGEND_CHARS = 44                    # characters per legend line
QUOTE = {"\"": "&quot;"}


class Layout(NamedTuple):
    """Where the chart's parts go: the plot's drawing size and margins, the legend beside the
    plot (``legend_w`` wide) or under it (``legend_w`` 0), the text size and line height."""
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    legend_w: int
    legend_chars: int
    font: int
    line: int


WIDE = Layout(W, H, LEFT, RIGHT, TOP, BOTTOM, LEGEND_W, LEGEND_CHARS, 12, 16)
# a phone's column (about 340 px): drawn at about its own size, so 13-unit text stays about
# 13 px; the legend under the plot, short tick labels (number, then the date when there is
# room), a taller plot for its width
NARROW = Layout(340, 300, 54, 14, 20, 62, 0, 40, 13, 17)


def _label(f: dict[str, Any]) -> str:
    side = f"@{f['side']}" if f.get("side") else ""
    return f"{f['muscle']}{side} {f['state']}"


def progress_data(client: Any, assessments: list[Any]) -> dict[str, Any]:
    """The timeline and the series of every finding that was key at least once."""
    rows: list[dict[str, Any]] = []
    series: dict[str, str] = {}
    threshold = 0.5
    for a in assessments:
        report = a.report or {}
        threshold = report.get("key_threshold", threshold)
        findings = report.get("findings", [])
        key = [f for f in findings if f.get("key")]
        program = a.program or {}
        core = [i["name"] for p in program.get("phases", []) for i in p.get("items", [])
                if i.get("core")]
        referral = (report.get("referral") or {}).get("level")
        rows.append({"number": a.number, "date": a.date.isoformat(), "mode": a.mode,
                     "referral": referral, "key": [_label(f) for f in key],
                     "key_names": [f"{f['name']} ({f.get('side') or 'midline'}) {f['state']}"
                                   for f in key],
                     "possible": len(findings) - len(key), "program": a.program is not None,
                     "core": core, "kb_version": a.kb_version})
        for f in key:
            series.setdefault(_label(f), f"{f['name']} ({f.get('side') or 'midline'}), "
                                         f"{f['state']}")
    lines = []
    for label in sorted(series):
        points = []
        for a in assessments:
            found = {_label(f): f["certainty"] for f in (a.report or {}).get("findings", [])}
            points.append({"number": a.number, "date": a.date.isoformat(),
                           "certainty": found.get(label)})
        lines.append({"finding": label, "name": series[label], "points": points})
    return {"client": client.to_data(), "key_threshold": threshold, "assessments": rows,
            "series": lines}


def _x_positions(dates: list[dt.date], layout: Layout) -> list[float]:
    span, left = layout.width - layout.left - layout.right, layout.left
    if not dates:
        return []
    if len(dates) == 1:
        return [left + span / 2]
    first, last = dates[0], dates[-1]
    days = (last - first).days
    if days <= 0:
        return [left + span * i / (len(dates) - 1) for i in range(len(dates))]
    return [left + span * (d - first).days / days for d in dates]


def _spaced(xs: list[float], gap: float) -> set[int]:
    """The ticks that get a label of ``gap`` width without two touching: always the last (the
    latest assessment), then from the first on, each clear of those kept."""
    if not xs:
        return set()
    kept = {len(xs) - 1}
    previous = None
    for i, x in enumerate(xs[:-1]):
        if (previous is None or x - previous >= gap) and xs[-1] - x >= gap:
            kept.add(i)
            previous = x
    return kept


def lines_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The chart's lines: findings with the same certainty at every assessment share one line
    (and one legend entry naming them all), so no line hides another."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for s in data["series"]:
        key = tuple(p["certainty"] for p in s["points"])
        line = out.setdefault(key, {"findings": [], "names": [], "points": s["points"]})
        line["findings"].append(s["finding"])
        line["names"].append(s["name"])
    return sorted(out.values(), key=lambda line: (-max(p["certainty"] or 0
                                                       for p in line["points"]),
                                                  line["findings"][0]))


def chart_svg(data: dict[str, Any], narrow: bool = False) -> str:
    """Certainty of each key finding (y, 0 to 1) at each assessment (x, by date), with the key
    threshold, labelled axes and a legend; a finding not reported at an assessment is drawn at
    0 with a hollow marker. ``narrow``: the layout for a phone's width (``NARROW``: the legend
    under the plot, each tick labelled with its number and, where there is room, its date)
    instead of the report's (``WIDE``: the legend beside the plot)."""
    at = NARROW if narrow else WIDE
    rows = data["assessments"]
    lines = lines_of(data)
    legend = [textwrap.wrap("; ".join(line["names"]), at.legend_chars) for line in lines]
    dates = [dt.date.fromisoformat(r["date"]) for r in rows]
    xs = _x_positions(dates, at)
    plot_h = at.height - at.top - at.bottom
    right = at.width - at.right

    def y(value: float) -> float:
        return at.top + plot_h * (1 - value)

    entries = at.line * sum(len(text) + 1 for text in legend)
    if narrow:
        width, height, ly = at.width, at.height + 8 + entries, at.height + 8
        swatch, words = 4, 40
    else:
        width, ly = at.width + at.legend_w, at.top + 10
        height = max(at.height, at.top + entries + 30)
        swatch, words = at.width + 10, at.width + 46
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" '
           'aria-label="Certainty of each key finding at each assessment" '
           f'font-family="system-ui, sans-serif" font-size="{at.font}">']
    for tick in (0, 0.25, 0.5, 0.75, 1):
        out.append(f'<line x1="{at.left}" x2="{right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{at.left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">'
                   f'{tick:g}</text>')
    t = data["key_threshold"]
    above = f"key ({t:g} or more) above this line" if narrow else \
        f"key finding ({t:g} or more) above this line"
    out.append(f'<line x1="{at.left}" x2="{right}" y1="{y(t):.1f}" y2="{y(t):.1f}" '
               'stroke="#666" stroke-dasharray="4 4"/>')
    out.append(f'<text x="{at.left + 6}" y="{y(t) - 4:.1f}" fill="#444">{above}</text>')
    bottom = at.top + plot_h
    out.append(f'<line x1="{at.left}" x2="{at.left}" y1="{at.top}" y2="{bottom}" '
               'stroke="#333"/>')
    out.append(f'<line x1="{at.left}" x2="{right}" y1="{bottom}" y2="{bottom}" '
               'stroke="#333"/>')
    # a date (about 84 wide) is kept within the drawing, its room reckoned where it is drawn
    date_xs = [min(max(x, 43), at.width - 43) for x in xs]
    numbered, dated = (_spaced(xs, 30), _spaced(date_xs, 86)) if narrow else (set(), set())
    for i, (x, r) in enumerate(zip(xs, rows, strict=True)):
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bottom}" '
                   f'y2="{bottom + 5}" stroke="#333"/>')
        if not narrow:
            out.append(f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle">'
                       f'#{r["number"]} {escape(r["date"])}</text>')
            continue
        if i in numbered:
            out.append(f'<text x="{x:.1f}" y="{bottom + 17}" text-anchor="middle">'
                       f'#{r["number"]}</text>')
        if i in dated:
            out.append(f'<text x="{date_xs[i]:.1f}" y="{bottom + 33}" text-anchor="middle">'
                       f'{escape(r["date"])}</text>')
    out.append(f'<text x="{(at.left + right) / 2:.0f}" y="{at.height - 8}" '
               'text-anchor="middle" font-weight="bold">Assessment (number and date)</text>')
    out.append(f'<text transform="translate({at.left - 44} {at.top + plot_h / 2:.0f}) '
               'rotate(-90)" text-anchor="middle" font-weight="bold">Certainty (0 to 1)</text>')
    for n, (line, text) in enumerate(zip(lines, legend, strict=True)):
        colour, dash = PALETTE[n % len(PALETTE)], DASHES[(n // len(PALETTE)) % len(DASHES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        pts = [(x, p["certainty"]) for x, p in zip(xs, line["points"], strict=True)]
        coords = " ".join(f"{x:.1f},{y(c or 0):.1f}" for x, c in pts)
        out.append(f'<g data-findings="{escape(" ".join(line["findings"]), QUOTE)}"><title>'
                   f'{escape("; ".join(line["names"]))}</title>')
        if len(pts) > 1:
            out.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                       f'stroke-width="2"{dashed}/>')
        for x, c in pts:
            fill = colour if c is not None else "#fff"
            out.append(f'<circle cx="{x:.1f}" cy="{y(c or 0):.1f}" r="4" fill="{fill}" '
                       f'stroke="{colour}" stroke-width="2"/>')
        out.append("</g>")
        out.append(f'<line x1="{swatch}" x2="{swatch + 30}" y1="{ly}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="3"{dashed}/>')
        for k, part in enumerate(text):
            out.append(f'<text x="{words}" y="{ly + 4 + at.line * k}" class="legend">'
                       f'{escape(part)}</text>')
        ly += at.line * (len(text) + 1)
    if not data["series"]:
        out.append(f'<text x="{(at.left + right) / 2:.0f}" y="{at.top + plot_h / 2:.0f}" '
                   'text-anchor="middle">No key finding in any assessment.</text>')
    out.append("</svg>")
    return "\n".join(out)


def render(data: dict[str, Any]) -> str:
    """The progress report as one self-contained HTML page."""
    from .rendering import environment

    template = environment().get_template("progress.html.j2")
    return str(template.render(d=data, chart=chart_svg(data)))
