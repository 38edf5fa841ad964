"""The store's commands as a person uses them (client add/list/show/export/delete, run
--client, db info/upgrade/backup), on SQLite and on the throwaway PostgreSQL, and what each
says when something is wrong."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from expert.cli import main
from expert.store import open_store
from expert.store.repository import PAUSE_ENV

from .conftest import CASES

SEED_A = CASES / "seed_a_low_back_pain_apt.yaml"
SEED_B = CASES / "seed_b_groceries_left.yaml"


def cli(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=input)


def test_a_client_story(store_url: str) -> None:
    added = cli("client", "add", "Ann Lee", "--birth-year", "1984", "--sex", "female",
                "--db", store_url)
    assert added.exit_code == 0, added.output
    ann = added.stdout.strip()
    first = cli("run", str(SEED_A), "--client", ann, "--date", "2026-01-05", "--format", "json",
                "--db", store_url)
    assert first.exit_code == 0, first.output
    assert f"Kept as assessment 1 of client {ann}, dated 2026-01-05." in first.stderr
    second = cli("run", str(SEED_B), "--client", ann, "--date", "2026-02-09", "--db", store_url)
    assert second.exit_code == 0 and "assessment 2 of client" in second.stderr

    listing = cli("client", "list", "--db", store_url)
    assert listing.stdout.splitlines()[1].split() == [ann, "Ann", "Lee", "1984", "female", "2",
                                                    "2026-02-09"]
    shown = cli("client", "show", ann, "--db", store_url).stdout
    assert "Client 1: Ann Lee (born 1984, female)" in shown
    assert "2  2026-02-09  file" in shown and "upper_trapezius@left overactive" in shown

    exported = json.loads(cli("client", "export", ann, "--db", store_url).stdout)
    assert [a["date"] for a in exported["assessments"]] == ["2026-01-05", "2026-02-09"]
    assert exported["assessments"][0]["report"] == json.loads(first.stdout)  # as given
    assert exported["assessments"][0]["program"] == json.loads(first.stdout)["program"]
    assert exported["assessments"][0]["case"]["answers"]

    kept = cli("client", "delete", ann, "--db", store_url, input="n\n")
    assert kept.exit_code == 1 and "with 2 assessments? This cannot be undone" in kept.stderr
    assert cli("client", "show", ann, "--db", store_url).exit_code == 0
    gone = cli("client", "delete", ann, "--yes", "--db", store_url)
    assert gone.exit_code == 0 and "Deleted client 1 (Ann Lee): 2 assessments." in gone.stderr
    after = cli("client", "show", ann, "--db", store_url)
    assert after.exit_code == 1 and "no client 1" in after.stderr


def test_run_for_an_unknown_client_stores_and_prints_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("client", "add", "Ann Lee", "--db", db)
    result = cli("run", str(SEED_A), "--client", "Anne", "--db", db)
    assert result.exit_code == 1 and result.stdout == ""
    assert "'Anne' is not a client id (ids are numbers) (did you mean 1 (Ann Lee)?)" \
        in result.stderr
    assert "Traceback" not in result.output
    result = cli("run", str(SEED_A), "--client", "9", "--db", db)
    assert result.exit_code == 1 and "no client 9" in result.stderr


def test_dates_come_from_the_option_or_the_case_file_and_are_checked(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("client", "add", "Ann", "--birth-year", "1990", "--db", db)
    case = tmp_path / "dated.yaml"
    case.write_text(SEED_A.read_text(encoding="utf-8") + "\ndate: 2026-03-02\n",
                    encoding="utf-8")
    assert "dated 2026-03-02" in cli("run", str(case), "--client", "1", "--db", db).stderr
    future = cli("run", str(SEED_A), "--client", "1", "--date", "2999-01-01", "--db", db)
    assert future.exit_code == 1 and "2999-01-01 is in the future" in future.stderr
    early = cli("run", str(SEED_A), "--client", "1", "--date", "1989-06-01", "--db", db)
    assert early.exit_code == 1 and "before the client's birth year 1990" in early.stderr
    with open_store(db) as store:
        assert [a.date.isoformat() for a in store.assessments(1)] == ["2026-03-02"]
    alone = cli("run", str(SEED_A), "--date", "2026-01-05")
    assert alone.exit_code == 2 and "--date and --db go with --client ID" in alone.output


def test_delete_names_a_consultation_in_progress(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("client", "add", "Ann", "--db", db)
    with open_store(db) as store:
        store.save_consultation(1, {"answers": []})
    asked = cli("client", "delete", "1", "--db", db, input="n\n")
    assert "with 0 assessments and the consultation in progress (last answer" in asked.stderr
    done = cli("client", "delete", "1", "--db", db, input="y\n")
    assert done.exit_code == 0 and "and the consultation in progress." in done.stderr


def test_backup_is_a_working_copy_and_postgresql_gets_advice(store_url: str,
                                                             tmp_path: Path) -> None:
    cli("client", "add", "Ann", "--db", store_url)
    copy = tmp_path / "backup.db"
    result = cli("db", "backup", str(copy), "--db", store_url)
    if store_url.startswith("sqlite"):
        assert result.exit_code == 0, result.output
        with open_store(f"sqlite:///{copy}") as store:
            assert [c.name for c in store.find_clients()] == ["Ann"]
        same = cli("db", "backup", store_url.removeprefix("sqlite:///"), "--db", store_url)
        assert same.exit_code == 1 and "is the database itself" in same.stderr
    else:
        assert result.exit_code == 1 and not copy.exists()
        assert "pg_dump --format=custom" in result.stderr
        assert "imbalance-test" not in result.stderr  # never the password


def test_db_info_and_upgrade(store_url: str) -> None:
    info = cli("db", "info", "--db", store_url)
    assert info.exit_code == 0 and "schema revision: 0001" in info.stdout
    assert "imbalance-test" not in info.stdout
    assert "already the newest" in cli("db", "upgrade", "--db", store_url).stderr
    engine = create_engine(store_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    refused = cli("db", "upgrade", "--db", store_url)
    assert refused.exit_code == 1
    assert "schema revision ffff, newer than this program knows" in refused.stderr


def test_bad_databases_are_one_line_each(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"\x00garbage" * 1000)
    result = cli("client", "list", "--db", str(broken))
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1
    assert "not a usable database" in result.stderr and "Traceback" not in result.output
    result = cli("client", "list", "--db", "postgresql://nobody@/x?host=" + str(tmp_path))
    assert result.exit_code == 1 and "cannot reach the database server" in result.stderr


def test_imbalance_db_chooses_the_database(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("IMBALANCE_DB", str(tmp_path / "env.db"))
    cli("client", "add", "Ann")
    assert (tmp_path / "env.db").exists()
    assert f"database: sqlite:///{tmp_path / 'env.db'}" in cli("db", "info").stdout


def test_commands_without_the_store_do_not_import_it() -> None:
    code = ("import sys; from expert.cli import main\n"
            "for args in (['--help'], ['run', sys.argv[1], '--format', 'json']):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "print([m for m in ('sqlalchemy', 'alembic', 'psycopg', 'platformdirs') "
            "if m in sys.modules], file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(SEED_A)], capture_output=True,
                          text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_run_killed_while_storing_keeps_all_or_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("client", "add", "Ann", "--db", db)
    marker = tmp_path / "paused"
    command = [sys.executable, "-m", "expert", "run", str(SEED_A), "--client", "1",
               "--date", "2026-01-05", "--db", db]
    running = subprocess.Popen(command, env={**os.environ, PAUSE_ENV: str(marker)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert running.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=30)
    with open_store(db) as store:
        assert store.assessments(1) == []
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    with open_store(db) as store:
        [kept] = store.assessments(1)
        assert kept.number == 1 and kept.report["findings"] and kept.program is not None


def test_an_output_that_cannot_be_written_keeps_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    cli("client", "add", "Ann", "--db", db)
    result = cli("run", str(SEED_A), "--client", "1", "--format", "json", "--out",
                 str(tmp_path / "no" / "such" / "report.json"), "--db", db)
    assert result.exit_code == 1 and "cannot be written" in result.stderr
    with open_store(db) as store:
        assert store.assessments(1) == []
