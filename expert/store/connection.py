"""Which database, and the engine that talks to it: the URL (``--db``, ``IMBALANCE_DB`` or a
SQLite file in the user's data folder), SQLite's settings (WAL, busy timeout, foreign keys,
writes that take the lock up front) and PostgreSQL's connect timeout, and the translation of
driver errors into :mod:`.errors` that say what to do."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from .errors import CorruptDatabase, DatabaseLocked, DatabaseUnavailable, StoreError

ENV = "IMBALANCE_DB"
APP = "imbalance-expert"
FILE = "imbalance.db"
BUSY_SECONDS = 10.0  # how long a write waits for another program's lock on a SQLite file
CONNECT_SECONDS = 5  # how long to wait for a PostgreSQL server before saying it is unreachable


def default_file() -> Path:
    from platformdirs import user_data_dir
    return Path(user_data_dir(APP, appauthor=False)) / FILE


def database_url(url: str | None = None) -> str:
    """The URL to use: ``url``, else ``IMBALANCE_DB``, else the SQLite file in the user's data
    folder. A plain path means a SQLite file; ``postgresql://`` means psycopg 3."""
    chosen = url or os.environ.get(ENV) or ""
    if not chosen:
        return f"sqlite:///{default_file()}"
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser()}"
    if chosen.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + chosen.split("://", 1)[1]
    return chosen


def shown_url(url: URL | str) -> str:
    """The URL as messages show it: never the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return str(url)


def parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUnavailable(
            str(url), "not a database URL",
            "give sqlite:///PATH, postgresql+psycopg://USER@HOST/DB or a file path") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(shown_url(parsed), f"{parsed.get_backend_name()} databases "
                                  "are not supported", "use SQLite or PostgreSQL")
    return parsed


def make_engine(url: URL, busy_seconds: float = BUSY_SECONDS) -> Engine:
    """An engine for ``url``: SQLite in WAL mode with a busy timeout and foreign keys on, its
    writes begun IMMEDIATE (see :func:`writing`); PostgreSQL with a connect timeout."""
    where = shown_url(url)
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = Path(database).expanduser().resolve().parent
            if Path(database).expanduser().resolve() == default_file().resolve():
                folder.mkdir(parents=True, exist_ok=True)
            if not folder.is_dir():
                raise DatabaseUnavailable(where, f"the folder {folder} does not exist",
                                          "create it, or give another --db")
        engine = create_engine(url, connect_args={"timeout": busy_seconds})
        _sqlite_settings(engine, busy_seconds)
        return engine
    try:
        return create_engine(url, connect_args={"connect_timeout": CONNECT_SECONDS},
                             pool_pre_ping=False)
    except NoSuchModuleError:
        raise DatabaseUnavailable(where, f"no driver for {url.drivername}",
                                  "use postgresql+psycopg://") from None


def _sqlite_settings(engine: Engine, busy_seconds: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        # pysqlite's own transaction handling begins too late for a busy timeout to help;
        # the "begin" hook below issues BEGIN itself
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_seconds * 1000)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # a write takes the write lock at BEGIN: two writers then wait their turn (busy
        # timeout) instead of one failing when it upgrades a read lock
        immediate = connection.get_execution_options().get("imbalance_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


_SQLITE_LOCKED = re.compile(r"database is locked|database table is locked|busy", re.I)
_SQLITE_CORRUPT = re.compile(r"not a database|malformed|disk image|file is encrypted", re.I)
_SQLITE_OPEN = re.compile(r"unable to open database|readonly database|read-only", re.I)
_PG_AUTH = re.compile(r"password authentication failed|no password supplied|"
                      r"authentication failed|role .* does not exist", re.I)
_PG_DB = re.compile(r"database .* does not exist", re.I)
_PG_REACH = re.compile(r"connection refused|could not connect|timeout expired|"
                       r"could not translate host|No such file or directory|"
                       r"connection to server .* failed|server closed the connection", re.I)


def translate(exc: DBAPIError, where: str, busy_seconds: float = BUSY_SECONDS) -> StoreError:
    """A driver error as the store's error, with what to do."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first = text.strip().splitlines()[0] if text.strip() else exc.__class__.__name__
    if where.startswith("sqlite"):
        if _SQLITE_LOCKED.search(text):
            return DatabaseLocked(where, f"the database is locked by another program (waited "
                                  f"{busy_seconds:g} s)",
                                  "try again when the other imbalance command has finished")
        if _SQLITE_CORRUPT.search(text):
            return CorruptDatabase(where, f"the file is not a usable database ({first})",
                                   "restore it from a backup (imbalance db backup makes one), "
                                   "or give another --db")
        if _SQLITE_OPEN.search(text):
            return DatabaseUnavailable(where, f"cannot open or write the database ({first})",
                                       "check the file's folder and permissions, or give "
                                       "another --db")
        return StoreError(where, f"database error: {first}")
    if _PG_AUTH.search(text):
        return DatabaseUnavailable(where, f"the server refused the login ({first})",
                                   "check the user name and password in the URL or ~/.pgpass")
    if _PG_DB.search(text):
        return DatabaseUnavailable(where, first, "create it with createdb, or fix the URL")
    if _PG_REACH.search(text):
        return DatabaseUnavailable(where, f"cannot reach the database server ({first})",
                                   f"is the server running and the URL right? (waited up to "
                                   f"{CONNECT_SECONDS} s)")
    return StoreError(where, f"database error: {first}")
