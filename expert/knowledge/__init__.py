"""The knowledge base: schemas of the data files, loading, and integrity checks."""

from .base import KnowledgeBase
from .loader import load, read

__all__ = ["KnowledgeBase", "load", "read"]
