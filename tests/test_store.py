"""The client store on both back-ends (a SQLite file, and a throwaway PostgreSQL server the
tests start): clients, numbered assessments kept exactly, consultations, deletion, the schema
revision, and the faults of issue 12 (unknown client, bad dates, locked, corrupt and unreachable
databases, concurrent writers, a process killed while storing)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from expert.store import StoreError, open_store
from expert.store.errors import (
    BadRecord,
    CorruptDatabase,
    DatabaseLocked,
    DatabaseUnavailable,
    SchemaMismatch,
    UnknownAssessment,
    UnknownClient,
)
from expert.store.repository import PAUSE_ENV

REPORT: dict[str, Any] = {
    "case_id": "t", "kb_version": "9.9", "referral": None,
    "findings": [
        {"muscle": "psoas_major", "state": "overactive", "side": None, "key": True,
         "certainty": 0.8},
        {"muscle": "upper_trapezius", "state": "overactive", "side": "left", "key": True,
         "certainty": 0.7},
        {"muscle": "gluteus_medius", "state": "underactive", "side": "both", "key": False,
         "certainty": 0.3}],
    "text": "ünïcode — kept",
}
PROGRAM: dict[str, Any] = {"core": ["foam_roll_hip_flexors"], "phases": [{"items": []}]}
CASE: dict[str, Any] = {"id": "t", "answers": {"desk_work": {"value": "yes", "certainty": 0.6}}}
DAY = dt.date(2026, 1, 5)


def store_of(url: str, **options: Any) -> Any:
    return open_store(url, **options)


def test_assessments_are_kept_exactly_and_numbered_per_client(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("  Ann   Lee ", birth_year=1980, sex="female", notes="runner")
        bob = store.add_client("Bob")
        assert ann.name == "Ann Lee" and ann.id != bob.id
        first = store.store_assessment(ann.id, CASE, REPORT, PROGRAM, DAY, "file")
        store.store_assessment(bob.id, CASE, REPORT, None, DAY, "self")
        second = store.store_assessment(ann.id, CASE, REPORT, None,
                                        DAY + dt.timedelta(weeks=5), "trainer")
        assert (first.number, second.number) == (1, 2)
    with store_of(store_url) as store:  # a new process would see the same
        kept = store.assessments(ann.id)
        assert [a.number for a in kept] == [1, 2]
        assert kept[0].report == REPORT and kept[0].case_data == CASE
        assert kept[0].program == PROGRAM and kept[1].program is None
        assert kept[0].date == DAY and kept[1].mode == "trainer"
        assert kept[0].kb_version == "9.9" and kept[0].tool_version
        assert store.assessment(ann.id, 2) == kept[1]
        assert [a.number for a in store.assessments(bob.id)] == [1]
        history = store.history(ann.id)
        assert history[0].key_findings == ("psoas_major overactive",
                                           "upper_trapezius@left overactive")
        assert history[0].possible == 1 and history[0].program and not history[1].program


def test_a_missing_assessment_says_how_many_there_are(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann")
        with pytest.raises(UnknownAssessment, match=r"no assessment 1.*none yet"):
            store.assessment(ann.id, 1)
        store.store_assessment(ann.id, CASE, REPORT, None, DAY, "file")
        with pytest.raises(UnknownAssessment, match=r"no assessment 3 \(it has 1: 1 to 1\)"):
            store.assessment(ann.id, 3)
        # numbers no id column holds (PostgreSQL's are 32-bit) are unknown, not a database error
        with pytest.raises(UnknownAssessment, match=r"no assessment 99999999999 "):
            store.assessment(ann.id, 99999999999)
        with pytest.raises(UnknownClient, match=r"no client 99999999999 "):
            store.resolve("99999999999")
        with pytest.raises(UnknownClient, match=r"no client -99999999999 "):
            store.consultation(-99999999999)


def test_unknown_client_suggests_clients_by_name(store_url: str) -> None:
    with store_of(store_url) as store:
        with pytest.raises(UnknownClient, match="no clients yet"):
            store.resolve("7")
        ann = store.add_client("Ann Lee")
        store.add_client("Bob Stone")
        with pytest.raises(UnknownClient) as caught:
            store.resolve("ann lea")
        assert f"did you mean {ann.id} (Ann Lee)?" in str(caught.value)
        with pytest.raises(UnknownClient, match=r"no client 99 .*client list"):
            store.client(99)
        assert store.resolve(f" {ann.id} ") == ann


def test_search_finds_names_and_notes_literally(store_url: str) -> None:
    with store_of(store_url) as store:
        store.add_client("Ann Lee", notes="office 100% desk")
        store.add_client("Bob_Stone")
        store.add_client("Carla")
        assert [c.name for c in store.find_clients("LEE")] == ["Ann Lee"]
        assert [c.name for c in store.find_clients("100%")] == ["Ann Lee"]
        assert [c.name for c in store.find_clients("_")] == ["Bob_Stone"]
        assert [c.name for c in store.find_clients()] == ["Ann Lee", "Bob_Stone", "Carla"]


def test_dates_in_the_future_or_before_birth_are_refused(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann", birth_year=1990)
        tomorrow = dt.date.today() + dt.timedelta(days=1)
        with pytest.raises(BadRecord, match="in the future"):
            store.store_assessment(ann.id, CASE, REPORT, None, tomorrow, "file")
        with pytest.raises(BadRecord, match="before the client's birth year 1990"):
            store.store_assessment(ann.id, CASE, REPORT, None, dt.date(1989, 12, 31), "file")
        assert store.assessments(ann.id) == []
        with pytest.raises(BadRecord, match="birth year 1800"):
            store.add_client("Old", birth_year=1800)
        with pytest.raises(BadRecord, match="needs a name"):
            store.add_client("   ")


def test_delete_removes_everything_held(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann")
        bob = store.add_client("Bob")
        for _ in range(3):
            store.store_assessment(ann.id, CASE, REPORT, None, DAY, "file")
        store.store_assessment(bob.id, CASE, REPORT, None, DAY, "file")
        store.save_consultation(ann.id, {"answers": [1]})
        deleted = store.delete_client(ann.id)
        assert (deleted.assessments, deleted.consultation) == (3, True)
        with pytest.raises(UnknownClient):
            store.client(ann.id)
        assert len(store.assessments(bob.id)) == 1
    engine = create_engine(store_url)
    with engine.connect() as connection:
        for table in ("assessments", "consultations"):
            left = connection.execute(text(f"SELECT count(*) FROM {table} WHERE client_id = "
                                           f"{ann.id}")).scalar()
            assert left == 0, table
    engine.dispose()


def test_consultations_are_saved_replaced_and_exported(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann")
        assert store.consultation(ann.id) is None
        store.save_consultation(ann.id, {"answers": [{"question": "a", "value": "yes"}]})
        store.save_consultation(ann.id, {"answers": [{"question": "a", "value": "no"}]})
        kept = store.consultation(ann.id)
        assert kept is not None and kept.session["answers"][0]["value"] == "no"
        store.store_assessment(ann.id, CASE, REPORT, PROGRAM, DAY, "self")
        exported = store.export(ann.id)
        assert exported["client"]["name"] == "Ann"
        assert exported["assessments"][0]["report"] == REPORT
        assert exported["consultation"]["session"] == kept.session
        assert store.delete_consultation(ann.id) and store.consultation(ann.id) is None


def test_a_newer_schema_is_refused_and_left_alone(store_url: str) -> None:
    with store_of(store_url) as store:
        store.add_client("Ann")
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(SchemaMismatch, match="9999_future, newer than this program"):
        open_store(store_url)
    with pytest.raises(SchemaMismatch):
        open_store(store_url, upgrade=True)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() \
            == "9999_future"
        assert connection.execute(text("SELECT count(*) FROM clients")).scalar() == 1
    engine.dispose()


def test_models_match_the_migrations(store_url: str) -> None:
    """The ORM classes and the head migration describe the same tables."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from expert.store.models import Base
    open_store(store_url).close()
    engine = create_engine(store_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


# -- faults of the database itself -----------------------------------------------------------
def test_a_corrupt_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is no database\n" * 300)
    with pytest.raises(CorruptDatabase) as caught:
        open_store(f"sqlite:///{path}")
    line = str(caught.value)
    assert str(path) in line and "not a usable database" in line and "backup" in line


def test_a_locked_file_waits_then_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    open_store(url).close()
    holder = sqlite3.connect(tmp_path / "store.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_store(url, busy_seconds=0.5) as store:
            started = time.monotonic()
            with pytest.raises(DatabaseLocked, match=r"locked by another program \(waited "
                                                     r"0.5 s\)"):
                store.add_client("Ann")
            assert 0.4 < time.monotonic() - started < 5
            holder.execute("ROLLBACK")  # once free, the same store writes
            assert store.add_client("Ann").name == "Ann"
    finally:
        holder.close()


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match="does not exist"):
        open_store(f"sqlite:///{tmp_path / 'no' / 'such' / 'store.db'}")


def test_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="cannot reach the database server") as caught:
        open_store(f"postgresql://someone:secret@/db?host={tmp_path}")  # no server there
    assert "secret" not in str(caught.value)
    assert time.monotonic() - started < 5


def test_a_silent_server_times_out(tmp_path: Path) -> None:
    """A server that accepts the connection and never answers: an error within the connect
    timeout, not a hang."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    held: list[socket.socket] = []
    accepting = threading.Thread(target=lambda: held.append(listener.accept()[0]), daemon=True)
    accepting.start()
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable, match=r"cannot reach|timeout"):
            open_store(f"postgresql://u:p@127.0.0.1:{port}/db")
    finally:
        listener.close()
        for connection in held:
            connection.close()
    assert time.monotonic() - started < 12


def test_a_wrong_password_is_refused_clearly(postgres: Any) -> None:
    if postgres is None:
        pytest.skip("PostgreSQL is not installed (bash tests/system-deps.sh installs it)")
    with pytest.raises(DatabaseUnavailable, match="refused the login") as caught:
        open_store(postgres.url("postgres", password="not-the-password"))
    assert "not-the-password" not in str(caught.value)


def test_unsupported_urls_are_refused() -> None:
    with pytest.raises(StoreError, match="mysql databases are not supported"):
        open_store("mysql://u@localhost/db")


# -- processes -------------------------------------------------------------------------------
WRITER = """
import datetime as dt, sys
from expert.store import open_store
store = open_store(sys.argv[1])
for _ in range(int(sys.argv[3])):
    store.store_assessment(int(sys.argv[2]), {"id": "t"}, {"kb_version": "1"}, None,
                           dt.date(2026, 1, 5), "file")
store.close()
"""


def test_two_processes_storing_for_one_client_lose_nothing(store_url: str) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann")
    each = 15
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, store_url, str(ann.id),
                                 str(each)], stderr=subprocess.PIPE, text=True)
               for _ in range(3)]
    for writer in writers:
        _, errors = writer.communicate(timeout=120)
        assert writer.returncode == 0, errors
    with store_of(store_url) as store:
        assert [a.number for a in store.assessments(ann.id)] == list(range(1, 3 * each + 1))


def test_a_process_killed_while_storing_leaves_nothing(store_url: str, tmp_path: Path) -> None:
    with store_of(store_url) as store:
        ann = store.add_client("Ann")
        store.store_assessment(ann.id, CASE, REPORT, None, DAY, "file")
    marker = tmp_path / "paused"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, store_url, str(ann.id), "1"],
                              env={**os.environ, PAUSE_ENV: str(marker)})
    deadline = time.monotonic() + 60
    while not marker.exists():  # the assessment is written, not yet committed
        assert writer.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    with store_of(store_url, busy_seconds=5) as store:
        assert [a.number for a in store.assessments(ann.id)] == [1]
        # nothing is left locked or half-numbered: the next assessment is number 2
        assert store.store_assessment(ann.id, CASE, REPORT, None, DAY, "file").number == 2


def test_an_older_schema_asks_for_db_upgrade(store_url: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """As this program would see a database of the previous release once a revision is
    added: refused with what to run, and nothing changed."""
    from expert.store import schema
    open_store(store_url).close()
    monkeypatch.setattr(schema, "revisions", lambda: ("0002", ("0002", "0001")))
    with pytest.raises(SchemaMismatch, match=r"older schema revision 0001 \(run imbalance db "
                                             r"upgrade"):
        open_store(store_url)
