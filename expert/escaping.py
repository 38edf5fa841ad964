"""Text from a case shown safely: on a terminal, in JSON, in Markdown tables and in CSV cells.

A case file, a file name or an answer key can hold anything, including terminal escape
sequences (``ESC ] 0;title BEL`` sets a window title, ``ESC [ 2J`` clears the screen), Unicode
direction overrides that make text read differently from what it is, HTML, Markdown table
syntax and spreadsheet formulas. Whatever the program prints or writes goes through one of these
functions, so none of that reaches a terminal, a Markdown viewer or a spreadsheet as anything but
visible text. Tabs and newlines are kept; every other control character is shown as its
escape (``\\x1b``, ``\\u009b``, ``\\u202e``).
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls (8-bit CSI, OSC, ...) and the bidirectional
# formatting characters (embeddings, overrides, isolates and marks)
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# what json.dumps(ensure_ascii=False) leaves raw inside strings and a terminal could act on
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MARKDOWN_CODE = re.compile(r"[\w@.:/ +-]*")


def _escape(match: re.Match[str]) -> str:
    # C0 controls as \x1b (JSON text never holds them raw: json.dumps escapes them); the rest
    # as \u009b, which is also a valid escape inside a JSON string, so JSON stays JSON
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control character but tab and newline shown as its escape."""
    return _UNSAFE.sub(_escape, text)


def printable_data(data: Any) -> Any:
    """A copy of JSON-like data (dicts, lists, strings) with every string made printable."""
    if isinstance(data, str):
        return printable(data)
    if isinstance(data, dict):
        return {printable_data(k): printable_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [printable_data(v) for v in data]
    return data


def json_text(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the characters it leaves
    raw that a terminal acts on written as ``\\uXXXX`` escapes: still the same JSON value.
    These characters can only occur inside JSON strings, where the escape is valid."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def markdown_cell(text: Any) -> str:
    """Text shown literally inside a Markdown table cell: HTML is escaped as entities (so a
    viewer shows ``<script>`` instead of running it), ``|`` cannot end the cell, backslashes,
    backticks and emphasis marks are escaped, and it stays on one line."""
    out = printable(" ".join(str(text).split()))
    out = out.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in ("\\", "`", "*", "_", "[", "]", "|"):
        out = out.replace(char, "\\" + char)
    return out


def markdown_code(text: Any) -> str:
    """An id as inline code (```id```) when it is made of plain id characters; otherwise the
    literal text of :func:`markdown_cell` (HTML and ``|`` inside a code span are not safe in
    every viewer)."""
    value = str(text)
    if _MARKDOWN_CODE.fullmatch(value):
        return f"`{value}`"
    return markdown_cell(value)


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a string starting with ``= + - @``, a tab
    or a carriage return (which spreadsheet programs evaluate as a formula) gets a leading
    ``'``; control characters are escaped. Numbers are left as they are."""
    if not isinstance(value, str):
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return printable(value)
