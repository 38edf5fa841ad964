"""The database's schema revision against this program's: an empty database is created at the
head revision, an older one is upgraded only when asked (``imbalance db upgrade``), and a newer
one (a revision this program does not know) is refused, never touched.

Alembic is configured in code: the script location is this package's ``migrations`` folder and
the migrations run on a connection the store has opened and locked (SQLite: BEGIN IMMEDIATE;
PostgreSQL: a transaction-scoped advisory lock), so two programs creating or upgrading one
database at once take turns."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import Connection, inspect, text

from .errors import SchemaMismatch

MIGRATIONS = Path(__file__).parent / "migrations"
_LOCK = 0x1B41A4CE  # the advisory-lock key of schema changes on PostgreSQL


def _config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def revisions() -> tuple[str, tuple[str, ...]]:
    """This program's head revision and every revision it knows."""
    from alembic.script import ScriptDirectory
    script = ScriptDirectory.from_config(_config())
    known = tuple(rev.revision for rev in script.walk_revisions())
    head = script.get_current_head()
    assert head is not None
    return head, known


def current(connection: Connection) -> str | None:
    """The database's revision, or None for a database without the store's tables."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return None if row is None else str(row[0])


def lock(connection: Connection) -> None:
    """Inside a write transaction: take the schema lock (SQLite's BEGIN IMMEDIATE already is)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


def upgrade(connection: Connection) -> None:
    """Run the migrations up to the head, inside the caller's (locked) transaction."""
    from alembic import command
    command.upgrade(_config(connection), "head")


def check(revision: str | None, where: str) -> str:
    """``"ok"``, ``"empty"`` (create it) or ``"old"`` (needs ``db upgrade``); SchemaMismatch
    for a schema newer than this program."""
    head, known = revisions()
    if revision is None:
        return "empty"
    if revision == head:
        return "ok"
    if revision not in known:
        raise SchemaMismatch(where, f"the database has schema revision {revision}, newer than "
                             f"this program knows (its newest is {head})",
                             "upgrade imbalance-expert to use it; nothing was changed")
    return "old"
