"""The knowledge base: schemas of the data files, loading, and integrity checks.

The names below are imported on first use, so that a command that takes its knowledge base
from the cache (:mod:`expert.knowledge.cache`) never imports the loader (YAML, validation).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import KnowledgeBase
    from .loader import load, read

__all__ = ["KnowledgeBase", "load", "read"]
_HOMES = {"KnowledgeBase": ".base", "load": ".loader", "read": ".loader"}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(home, __name__), name)
