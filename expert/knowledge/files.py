"""The knowledge base's files on disk: one walk over its folders (``facts/``, ``rules/``) and a
read that cannot hang.

Three things look at the files without loading them: the cache key (``cache.py``: every entry,
refusing anything but regular files), the identity a cluster compares (``identity.py``: the YAML
files the loader reads) and the outputs that must never replace a knowledge file
(``cli/printing.py``). They walk the same folders in the same order, here.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

FOLDERS = ("facts", "rules")


def folders(root: Path) -> Iterator[tuple[str, list[Path] | None]]:
    """Each knowledge folder's name with its entries under ``root``, sorted by name (every
    entry: hidden ones, folders and links too); None when the folder cannot be listed (absent,
    not a folder, unreadable)."""
    for name in FOLDERS:
        try:
            with os.scandir(root / name) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            yield name, None
            continue
        yield name, [Path(e.path) for e in entries]


def entries(root: Path) -> list[Path]:
    """Every entry of the knowledge folders under ``root``, folder by folder, in name order."""
    return [path for _, listed in folders(root) for path in listed or ()]


def is_yaml(path: Path) -> bool:
    """Is ``path`` named as a knowledge file (``*.yaml``, not hidden)?"""
    return path.name.endswith(".yaml") and not path.name.startswith(".")


def read(path: Path, limit: int = -1) -> bytes | None:
    """The bytes of the file at ``path`` (at most ``limit``; -1: all of them), or None when it
    is not a regular file. Links are followed, as the loader follows them; the file is opened
    without blocking, so that one swapped for a named pipe cannot hang the program."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with open(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)
