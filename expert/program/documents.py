"""The documents ``imbalance run`` (and the consultation's end) print from one report: the
client sheet (the default audience) or the trainer's report, as HTML, Markdown or PDF. One
entry point, :func:`render`, so every caller prints the same thing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..knowledge import KnowledgeBase

AUDIENCES = ("client", "trainer")
FORMATS = ("html", "markdown", "pdf")


def render(kb: KnowledgeBase, answers: Mapping[str, Any], report: dict[str, Any], fmt: str,
           audience: str = "client") -> str | bytes:
    """The document of one report (``to_data`` output with its programme) for ``audience``
    in ``fmt``: text for ``html`` and ``markdown``, bytes for ``pdf``. ``answers`` are the
    case's answers (the client sheet's habit advice reads them)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}; use {', '.join(AUDIENCES)}")
    if fmt not in FORMATS:
        raise ValueError(f"unknown document format {fmt!r}; use {', '.join(FORMATS)}")
    page_fmt = "html" if fmt == "pdf" else fmt
    if audience == "client":
        from .sheet import render as sheet
        text = sheet(kb, answers, report, page_fmt)
    else:
        from .handout import render as handout
        text = handout(report, page_fmt)
    if fmt != "pdf":
        return text
    from ..escaping import printable
    from .pdf import html_to_pdf
    return html_to_pdf(printable(text))
