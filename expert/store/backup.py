"""Backups of the store: a SQLite file copied with SQLite's online backup API (consistent while
other programs write), to a temporary file renamed when complete; for PostgreSQL, the pg_dump
command to use instead."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DatabaseUnavailable, StoreError

if TYPE_CHECKING:
    from .repository import Store


def backup(store: Store, path: Path) -> None:
    """A consistent copy of a SQLite database (the online backup API, while others may
    write), written to a temporary file and renamed; PostgreSQL: use pg_dump."""
    if store.backend != "sqlite":
        url = store.engine.url
        raise StoreError(store.where, "imbalance backs up SQLite files only",
                         f"for PostgreSQL run: pg_dump --format=custom --file {path} "
                         f"{url.database or 'DBNAME'} (with -h/-U as in the URL)")
    import sqlite3
    source = Path(store.engine.url.database or "")
    target = Path(path)
    if target.exists() and source.exists() and os.path.samefile(source, target):
        raise StoreError(str(path), "is the database itself", "give another file name")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with store.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            copy = sqlite3.connect(temporary)
            try:
                raw.backup(copy)  # type: ignore[union-attr]
            finally:
                copy.close()
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise DatabaseUnavailable(str(path), f"cannot write the backup ({exc.strerror})",
                                  "check the folder exists and is writable") from None
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
