"""``imbalance db``: the client database itself (where it is, its schema, backups)."""

from __future__ import annotations

from pathlib import Path

import click

from . import examples, main
from .printing import say
from .storage import db_option, open_db


@main.group(epilog=examples(
    "imbalance db info",
    "IMBALANCE_DB=postgresql://coach@localhost/imbalance imbalance db info"))
def db() -> None:
    """The client database: sqlite:///FILE (the default, in your data folder) or
    postgresql://USER@HOST/DB, chosen with --db or the environment variable IMBALANCE_DB."""


@db.command("info", epilog=examples("imbalance db info",
                                    "imbalance db info --db sqlite:///clients.db"))
@db_option
def info(db_url: str | None) -> None:
    """Where the database is, its schema revision and how much it holds."""
    with open_db(db_url) as store:
        clients = store.find_clients()
        count = sum(n for n, _ in store.tallies([c.id for c in clients]).values())
        click.echo(f"database: {store.where}\nback-end: {store.backend}\n"
                   f"schema revision: {store.revision}\n"
                   f"clients: {len(clients)}\nassessments: {count}")


@db.command("upgrade", epilog=examples(
    "imbalance db backup before-upgrade.db      # a copy first",
    "imbalance db upgrade"))
@db_option
def upgrade(db_url: str | None) -> None:
    """Bring the database's schema to this program's revision (back it up first)."""
    with open_db(db_url, upgrade=True) as store:
        if store.upgraded_from is None:
            say(f"{store.where}: schema revision {store.revision}, already the newest")
        else:
            say(f"{store.where}: upgraded from {store.upgraded_from} to schema revision "
                f"{store.revision}")


@db.command("backup", epilog=examples("imbalance db backup clients-2026-01-05.db"))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(file: Path, db_url: str | None) -> None:
    """Copy a SQLite database to FILE while it may be in use (SQLite's online backup). For
    PostgreSQL, says the pg_dump command to use."""
    with open_db(db_url) as store:
        store.backup(file)
    say(f"Backed up {store.where} to {file}")
