"""The evaluation report of a batch, for people: HTML (with SVG charts) or Markdown.

Owns the report formats. The :class:`~expert.batch.scoring.Scoreboard` results are rendered by
Jinja2 templates shipped in ``expert/templates/`` (``batch_report.html.j2``,
``batch_report.md.j2``); the charts are inline SVG drawn by the HTML template itself, and bars of
block characters in Markdown, so no plotting library is needed and the HTML file is
self-contained. ``.json`` writes the results as data. What comes from the cases (file names, ids,
messages) is escaped: HTML by Jinja2's autoescaping, Markdown table cells by ``cell`` (HTML as
entities, ``|`` escaped) and ids by ``code``. The report holds no timestamps or
timings: the same cases and knowledge base give the same report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import indented_json
from ..escaping import json_text, markdown_cell, markdown_code, printable
from ..report import DISCLAIMER

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".json": "json"}


def report_format(path: Path) -> str | None:
    """The report format a file name asks for, or None if the suffix is not one we write."""
    return FORMATS.get(path.suffix.lower())


def pct(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value * 100:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def figure(value: float | None) -> str:
    """A count or a median for people: ``3``, ``4.5``, or ``—`` when there is none."""
    return "—" if value is None else f"{value:g}"


def num(value: int) -> str:
    return f"{value:,}"


def blocks(value: float | None, width: int = 20) -> str:
    """A bar of block characters for Markdown: ``█████░░░░░``."""
    if value is None:
        return "·" * width
    eighths = round(max(0.0, min(1.0, value)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    return bar + "░" * (width - len(bar))


def render(results: dict[str, Any], fmt: str) -> str:
    """The report text in ``fmt`` (html, md or json)."""
    if fmt == "json":
        return json_text(indented_json.dumps(results)) + "\n"
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=fmt == "html",
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                      undefined=StrictUndefined)
    env.filters.update(pct=pct, num=num, blocks=blocks, cell=markdown_cell, code=markdown_code,
                       figure=figure)
    template = env.get_template(f"batch_report.{fmt}.j2")
    return printable(template.render(r=results, disclaimer=DISCLAIMER, title=_title(results)))


def _title(results: dict[str, Any]) -> str:
    cases = results["cases"]
    return f"Batch evaluation: {cases['total']:,} case{'s' * (cases['total'] != 1)}"
