"""A throwaway PostgreSQL server for the store's tests: ``initdb`` in a temporary folder,
``pg_ctl start`` listening only on a Unix socket in that folder (no TCP), password logins
(scram-sha-256) so a wrong password can be tested, stopped and removed at the end. As root,
PostgreSQL refuses to run: the server then runs as the ``postgres`` user (or ``nobody``)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

USER = "imbalance"
PASSWORD = "imbalance-test"


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(os.path.realpath(found)).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                     key=lambda p: int(p.split("/")[-2]) if p.split("/")[-2].isdigit() else 0)
    for folder in reversed(folders):
        if os.path.exists(f"{folder}/initdb") and os.path.exists(f"{folder}/pg_ctl"):
            return Path(folder)
    return None


class Server:
    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="imbalance-pg-"))
        self.data = self.folder / "data"
        self.owner: str | None = None
        if os.geteuid() == 0:
            self.owner = next(u for u in ("postgres", "nobody") if _user_exists(u))
            entry = pwd.getpwnam(self.owner)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        os.chmod(self.folder, 0o755)

    def _run(self, *args: str) -> None:
        command = [str(a) for a in args]
        if self.owner:
            command = ["runuser", "-u", self.owner, "--", *command]
        done = subprocess.run(command, cwd=self.folder, capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")

    def start(self, durable: bool = False) -> None:
        """Start the server; ``durable``: with fsync, as a real server is run (benchmarks);
        else without (tests)."""
        password_file = self.folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if self.owner:
            entry = pwd.getpwnam(self.owner)
            os.chown(password_file, entry.pw_uid, entry.pw_gid)
        self._run(self.bin / "initdb", "-D", self.data, "-U", USER, "-A", "scram-sha-256",
                  "--pwfile", password_file, "-E", "UTF8", "--no-sync")
        password_file.unlink()
        options = f"-k {self.folder} -c listen_addresses=''"
        if not durable:
            options += " -c fsync=off"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w",
                  "-o", options, "start")

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql+psycopg://{USER}:{password}@/{database}?host={self.folder}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(host=str(self.folder), user=USER, password=PASSWORD,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def running_server() -> Iterator[Server | None]:
    """The session's server (None when PostgreSQL is not installed)."""
    bin_dir = binaries()
    if bin_dir is None:
        yield None
        return
    server = Server(bin_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()
