"""One consultation per session file: an operating-system lock held for the consultation's life.

Two consultations on one file (``--session s.json`` in one terminal, ``--resume s.json`` in
another) would each save their own answers over the other's. The lock is taken on a small file
beside the session (``.s.json.lock``, holding the process id for the message) with ``flock``, so
it goes away with the process however it ends (even killed), and a second consultation on the
same file is refused with a message that names the file and what to do. Where the folder cannot
hold the lock file (read-only), or the system has no ``flock``, the consultation goes on unlocked.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]


class SessionInUse(Exception):
    """Another consultation holds the session file; the message is one line."""


def lock_path(session: Path) -> Path:
    return session.with_name(f".{session.name}.lock")


class SessionLock:
    """The lock on one session file; :meth:`acquire` takes it (SessionInUse if held)."""

    def __init__(self) -> None:
        self.fd: int | None = None
        self.path: Path | None = None

    def acquire(self, session: Path, resume: str = "") -> None:
        """Hold the lock of ``session`` (releasing any held before); ``resume`` is the command
        that resumes it, for the message."""
        if fcntl is None:
            return
        where = lock_path(Path(os.path.abspath(session)))
        if self.path == where:
            return
        while True:
            try:
                fd = os.open(where, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:  # a read-only folder: the session cannot be written there either
                self.release()
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read(fd)
                os.close(fd)
                who = f" (process {holder})" if holder else ""
                then = f", then continue it with: {resume}" if resume else ""
                raise SessionInUse(
                    f"{session} is in use by another imbalance consult{who}: finish or quit "
                    f"that consultation first{then}; or start a new one with another "
                    "--session") from None
            # the file may have been removed by the holder on its way out: lock the one there
            try:
                same = os.stat(where).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self.release()
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd, self.path = fd, where

    def release(self) -> None:
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            assert self.path is not None
            os.unlink(self.path)
        os.close(self.fd)  # closing releases the lock
        self.fd = self.path = None


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        return ""
