"""The :class:`Store`: every read and write of clients, assessments and consultations, each
write one transaction (all of it or nothing, whatever kills the process), each returning plain
records (:mod:`.records`)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .. import __version__
from . import schema
from .connection import BUSY_SECONDS, database_url, make_engine, parse, shown_url, translate
from .errors import (
    BadRecord,
    SchemaMismatch,
    StoreError,
    UnknownAssessment,
    UnknownClient,
)
from .models import NAME_LENGTH, SEX_LENGTH, AssessmentRow, ClientRow, ConsultationRow
from .records import MODES, Assessment, Client, Consultation, Deleted, HistoryRow
from .summary import client_hint, summarize

# tests only: the path of a file to create, after which a write waits 60 s before committing,
# so a test can kill the process in the middle of storing an assessment
PAUSE_ENV = "IMBALANCE_TEST_PAUSE_BEFORE_COMMIT"
LARGEST_ID = 2**31 - 1  # an INTEGER column in PostgreSQL


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def open_store(url: str | None = None, busy_seconds: float = BUSY_SECONDS,
               upgrade: bool = False) -> Store:
    """The store at ``url`` (None: ``IMBALANCE_DB``, else the SQLite file in the user's data
    folder). A database without the store's tables gets them; an older schema is upgraded only
    with ``upgrade`` (``imbalance db upgrade``); a newer one is refused."""
    parsed = parse(database_url(url))
    store = Store(make_engine(parsed, busy_seconds), busy_seconds)
    try:
        store.prepare(upgrade)
    except BaseException:
        store.close()
        raise
    return store


class Store:
    def __init__(self, engine: Engine, busy_seconds: float = BUSY_SECONDS) -> None:
        self.engine = engine
        self.where = shown_url(engine.url)
        self.backend = engine.dialect.name
        self.busy_seconds = busy_seconds
        self.revision: str | None = None
        self.upgraded_from: str | None = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ------------------------------------------------------------------------
    @contextlib.contextmanager
    def _connection(self, write: bool) -> Iterator[Connection]:
        """One transaction: committed when the block ends, rolled back on any error."""
        try:
            with self.engine.connect() as connection:
                if write:
                    connection.execution_options(imbalance_write=True)
                with connection.begin():
                    yield connection
        except DBAPIError as exc:
            raise translate(exc, self.where, self.busy_seconds) from None
        except (OSError, self._driver_error()) as exc:
            raise translate(DBAPIError(None, None, exc), self.where, self.busy_seconds) \
                from None

    def _driver_error(self) -> type[Exception]:
        dbapi = self.engine.dialect.dbapi
        return getattr(dbapi, "Error", StoreError)

    @contextlib.contextmanager
    def _session(self, write: bool = False) -> Iterator[Session]:
        with self._connection(write) as connection, \
                Session(bind=connection, expire_on_commit=False,
                        join_transaction_mode="rollback_only") as session:
            yield session
            session.flush()

    def prepare(self, upgrade: bool = False) -> None:
        with self._connection(write=False) as connection:
            revision = schema.current(connection)
        state = schema.check(revision, self.where)
        if state == "old" and not upgrade:
            raise SchemaMismatch(self.where, f"the database has the older schema revision "
                                 f"{revision}", "run imbalance db upgrade (after imbalance db "
                                 "backup FILE)")
        if state != "ok":
            with self._connection(write=True) as connection:
                schema.lock(connection)
                before = schema.current(connection)  # another program may have done it
                if schema.check(before, self.where) != "ok":
                    schema.upgrade(connection)
                    self.upgraded_from = before or "empty"
        self.revision = schema.revisions()[0]

    # -- clients -----------------------------------------------------------------------------
    def add_client(self, name: str, birth_year: int | None = None, sex: str | None = None,
                   notes: str = "") -> Client:
        name = " ".join(name.split())
        if not name:
            raise BadRecord(self.where, "a client needs a name", "a display name or a pseudonym")
        if len(name) > NAME_LENGTH:
            raise BadRecord(self.where, f"the name is longer than {NAME_LENGTH} characters",
                            "use a shorter display name")
        if sex is not None and len(sex) > SEX_LENGTH:
            raise BadRecord(self.where, f"sex is at most {SEX_LENGTH} characters")
        this_year = dt.date.today().year
        if birth_year is not None and not this_year - 120 <= birth_year <= this_year:
            raise BadRecord(self.where, f"birth year {birth_year} is not between "
                            f"{this_year - 120} and {this_year}")
        with self._session(write=True) as session:
            row = ClientRow(name=name, birth_year=birth_year, sex=sex, notes=notes,
                            created=_now())
            session.add(row)
            session.flush()
            return _client(row)

    def client(self, client_id: int) -> Client:
        with self._session() as session:
            return _client(self._client_row(session, client_id))

    def resolve(self, ref: str) -> Client:
        """The client a command line names (its id); UnknownClient with a did-you-mean by name."""
        text = ref.strip()
        if text.isdigit() and len(text) < 12:
            return self.client(int(text))
        with self._session() as session:
            rows = session.execute(select(ClientRow.id, ClientRow.name)).all()
        hint = client_hint(text, [(row.id, row.name) for row in rows])
        raise UnknownClient(self.where, f"{ref!r} is not a client id (ids are numbers)", hint)

    def find_clients(self, search: str | None = None) -> list[Client]:
        query = select(ClientRow).order_by(ClientRow.id)
        if search:
            pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%") \
                .replace("_", "\\_") + "%"
            query = query.where(func.lower(ClientRow.name).like(pattern.lower(), escape="\\")
                                | func.lower(ClientRow.notes).like(pattern.lower(),
                                                                   escape="\\"))
        with self._session() as session:
            return [_client(row) for row in session.scalars(query)]

    def tallies(self, client_ids: list[int]) -> dict[int, tuple[int, dt.date | None]]:
        """For each client: how many assessments, and the date of the last one."""
        out: dict[int, tuple[int, dt.date | None]] = {cid: (0, None) for cid in client_ids}
        if not client_ids:
            return out
        with self._session() as session:
            rows = session.execute(
                select(AssessmentRow.client_id, func.count(), func.max(AssessmentRow.date))
                .where(AssessmentRow.client_id.in_(client_ids))
                .group_by(AssessmentRow.client_id)).all()
        for cid, count, last in rows:
            out[cid] = (int(count), last)
        return out

    def delete_client(self, client_id: int) -> Deleted:
        """Remove the client with every assessment and any consultation in progress."""
        with self._session(write=True) as session:
            row = self._client_row(session, client_id, lock=True)
            count = session.scalar(select(func.count()).select_from(AssessmentRow)
                                   .where(AssessmentRow.client_id == client_id)) or 0
            consultation = session.get(ConsultationRow, client_id) is not None
            session.execute(delete(ConsultationRow)
                            .where(ConsultationRow.client_id == client_id))
            session.execute(delete(AssessmentRow).where(AssessmentRow.client_id == client_id))
            session.execute(delete(ClientRow).where(ClientRow.id == client_id))
            return Deleted(_client(row), count, consultation)

    def _client_row(self, session: Session, client_id: int, lock: bool = False) -> ClientRow:
        query = select(ClientRow).where(ClientRow.id == client_id)
        if lock:  # PostgreSQL: writers of one client take turns (SQLite's BEGIN IMMEDIATE does)
            query = query.with_for_update()
        # a number no id column can hold is no client (PostgreSQL would refuse the query)
        row = session.scalars(query).first() if _storable(client_id) else None
        if row is None:
            names = session.execute(select(ClientRow.id, ClientRow.name)).all()
            hint = client_hint(str(client_id), [(r.id, r.name) for r in names])
            raise UnknownClient(self.where, f"no client {client_id}", hint)
        return row

    # -- assessments -------------------------------------------------------------------------
    def store_assessment(self, client_id: int, case: Any, report: dict[str, Any],
                         program: dict[str, Any] | None, date: dt.date, mode: str,
                         end_consultation: bool = False) -> Assessment:
        """Keep one assessment, numbered after the client's last one, in one transaction;
        ``end_consultation``: in the same transaction, remove the consultation in progress
        (the one that made this assessment)."""
        if mode not in MODES:
            raise BadRecord(self.where, f"unknown assessment mode {mode!r}",
                            f"one of {', '.join(MODES)}")
        case_data = case if isinstance(case, dict) else \
            case.model_dump(mode="json", exclude_none=True)
        today = dt.date.today()
        with self._session(write=True) as session:
            client = self._client_row(session, client_id, lock=True)
            where = f"client {client_id}"
            if date > today:
                raise BadRecord(where, f"the assessment date {date.isoformat()} is in the "
                                "future", "give the day it was made: --date YYYY-MM-DD or the "
                                "case file's date:")
            if client.birth_year is not None and date.year < client.birth_year:
                raise BadRecord(where, f"the assessment date {date.isoformat()} is before the "
                                f"client's birth year {client.birth_year}",
                                "check the date, or the birth year")
            last = session.scalar(select(func.max(AssessmentRow.number))
                                  .where(AssessmentRow.client_id == client_id)) or 0
            row = AssessmentRow(
                client_id=client_id, number=last + 1, date=date, mode=mode,
                case_data=case_data, report=report, program=program,
                summary=summarize(report, program),
                kb_version=str(report.get("kb_version", ""))[:50],
                tool_version=__version__, created=_now())
            session.add(row)
            if end_consultation:
                session.execute(delete(ConsultationRow)
                                .where(ConsultationRow.client_id == client_id))
            session.flush()
            _pause_for_tests()
            return _assessment(row)

    def assessments(self, client_id: int) -> list[Assessment]:
        """Every assessment of the client, numbered 1..n in the order stored."""
        with self._session() as session:
            self._client_row(session, client_id)
            rows = session.scalars(select(AssessmentRow)
                                   .where(AssessmentRow.client_id == client_id)
                                   .order_by(AssessmentRow.number))
            return [_assessment(row) for row in rows]

    def assessment(self, client_id: int, number: int) -> Assessment:
        with self._session() as session:
            self._client_row(session, client_id)
            row = session.scalars(select(AssessmentRow).where(
                AssessmentRow.client_id == client_id, AssessmentRow.number == number)
            ).first() if _storable(number) else None
            if row is None:
                count = session.scalar(select(func.count()).select_from(AssessmentRow)
                                       .where(AssessmentRow.client_id == client_id)) or 0
                raise UnknownAssessment(f"client {client_id}", f"no assessment {number}",
                                        f"it has {count}: 1 to {count}" if count else
                                        "it has none yet: imbalance run CASE --client "
                                        f"{client_id}")
            return _assessment(row)

    def history(self, client_id: int) -> list[HistoryRow]:
        """The client's assessments in short, without reading the reports."""
        columns = (AssessmentRow.number, AssessmentRow.date, AssessmentRow.mode,
                   AssessmentRow.summary, AssessmentRow.kb_version)
        with self._session() as session:
            self._client_row(session, client_id)
            rows = session.execute(select(*columns).where(AssessmentRow.client_id == client_id)
                                   .order_by(AssessmentRow.number)).all()
        return [HistoryRow(r.number, r.date, r.mode, tuple(r.summary.get("key", ())),
                           int(r.summary.get("possible", 0)), r.summary.get("referral"),
                           bool(r.summary.get("program")), r.kb_version) for r in rows]

    # -- consultations in progress -----------------------------------------------------------
    def save_consultation(self, client_id: int, session_data: dict[str, Any]) -> None:
        with self._session(write=True) as session:
            self._client_row(session, client_id, lock=True)
            row = session.get(ConsultationRow, client_id)
            if row is None:
                session.add(ConsultationRow(client_id=client_id, session=session_data,
                                            started=_now(), updated=_now()))
            else:
                row.session, row.updated = session_data, _now()

    def consultation(self, client_id: int) -> Consultation | None:
        with self._session() as session:
            self._client_row(session, client_id)
            row = session.get(ConsultationRow, client_id)
            return None if row is None else Consultation(row.client_id, row.session,
                                                         row.started, row.updated)

    def delete_consultation(self, client_id: int) -> bool:
        with self._session(write=True) as session:
            found = session.get(ConsultationRow, client_id) is not None
            session.execute(delete(ConsultationRow)
                            .where(ConsultationRow.client_id == client_id))
            return found

    # -- everything held ---------------------------------------------------------------------
    def export(self, client_id: int) -> dict[str, Any]:
        """Everything held about the client, as JSON data."""
        client = self.client(client_id)
        consultation = self.consultation(client_id)
        return {
            "format": "imbalance-client-export", "format_version": 1,
            "client": client.to_data(),
            "assessments": [a.to_data() for a in self.assessments(client_id)],
            "consultation": None if consultation is None else {
                "started": consultation.started.isoformat(),
                "updated": consultation.updated.isoformat(), "session": consultation.session},
        }

    def backup(self, path: Path) -> None:
        """A consistent copy of a SQLite database in ``path`` (see :mod:`.backup`)."""
        from .backup import backup
        backup(self, path)


def _storable(number: int) -> bool:
    """Whether ``number`` fits the integer columns of ids and assessment numbers (32-bit in
    PostgreSQL; SQLite's are wider, but one rule for every back-end)."""
    return -LARGEST_ID - 1 <= number <= LARGEST_ID


def _client(row: ClientRow) -> Client:
    return Client(row.id, row.name, row.birth_year, row.sex, row.notes or "", row.created)


def _assessment(row: AssessmentRow) -> Assessment:
    return Assessment(row.client_id, row.number, row.date, row.mode, row.case_data, row.report,
                      row.program, row.kb_version, row.tool_version, row.created)


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(60)
