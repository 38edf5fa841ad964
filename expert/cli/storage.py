"""What the commands that use the client store share: the ``--db`` option and opening the
store (SQLAlchemy is imported only here, inside the commands that need it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..store import Client, Store

F = TypeVar("F", bound=Callable[..., Any])

DB_HELP = ("The client database: sqlite:///FILE, postgresql://USER@HOST/DB or a file path "
           "(default: env IMBALANCE_DB, else imbalance.db in your data folder; see "
           "imbalance db info).")


def db_option(function: F) -> F:
    return click.option("--db", "db_url", metavar="URL", help=DB_HELP)(function)


def open_db(db_url: str | None, upgrade: bool = False) -> Store:
    from ..store import open_store
    return open_store(db_url, upgrade=upgrade)


def client_of(store: Store, ref: str) -> Client:
    """The client a command names by id (UnknownClient, with a did-you-mean by name)."""
    return store.resolve(ref)
