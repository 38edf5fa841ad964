"""Helpers shared by the commands: writing output to stdout or atomically to a file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def emit(text: str, out: Path | None) -> None:
    """Write text to stdout, or atomically to ``out``."""
    if out is None:
        click.echo(text, nl=False)
    else:
        from ..output import write_atomic
        write_atomic(out, text)


def dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
