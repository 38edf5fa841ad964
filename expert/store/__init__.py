"""The client store: clients, every assessment they were given and consultations in progress,
kept in a database (SQLite by default, PostgreSQL as well) through SQLAlchemy, with the schema
managed by the Alembic migrations shipped in ``migrations/``.

``open_store(url)`` gives a :class:`Store`; its records are plain frozen dataclasses
(:mod:`.records`) so nothing outside this package touches SQLAlchemy. Errors are
:class:`~expert.store.errors.StoreError` (an :class:`~expert.problems.InputError`: one line that
names the database, says what is wrong and how to fix it). See docs/records.md.
"""

from __future__ import annotations

from .connection import database_url
from .errors import StoreError
from .records import Assessment, Client, Consultation, Deleted, HistoryRow
from .repository import Store, open_store

__all__ = ["Assessment", "Client", "Consultation", "Deleted", "HistoryRow", "Store",
           "StoreError", "database_url", "open_store"]
