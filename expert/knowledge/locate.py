"""Where the knowledge base lives, and loading it once per process.

Order: an explicit path (``--kb``), the ``IMBALANCE_KB`` environment variable, the copy shipped
inside the wheel (``expert/_kb``), the source checkout (the folder holding ``expert/``). A
knowledge base that loaded cleanly comes from the on-disk cache the next time
(:mod:`expert.knowledge.cache`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import cache

if TYPE_CHECKING:
    from .base import KnowledgeBase

ENV = "IMBALANCE_KB"


def default_root() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env)
    package = Path(__file__).resolve().parent.parent
    shipped = package / "_kb"
    if (shipped / "facts").is_dir():
        return shipped
    return package.parent


@lru_cache(maxsize=4)
def _cached(root: str) -> KnowledgeBase:
    return cache.load(Path(root))


def knowledge_base(root: Path | None = None) -> KnowledgeBase:
    """The knowledge base at ``root`` (default: see module doc), loaded once per process."""
    return _cached(str((root or default_root()).resolve()))
