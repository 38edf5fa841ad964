"""PDF output: the client sheet or the trainer's report, printed from the same HTML with
WeasyPrint (its print stylesheet sets the page: A4 portrait for the sheet). WeasyPrint is
imported only here, when a PDF is asked for, so other commands and ``--help`` stay fast."""

from __future__ import annotations

import logging


def html_to_pdf(html: str) -> bytes:
    """The PDF of one self-contained HTML page (inline SVG pictures; text from a case is
    escaped by the templates, so the page names no file or address to fetch)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    # WeasyPrint logs the CSS it ignores; the printed page is what the stylesheet says
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return bytes(HTML(string=html).write_pdf())
