"""Output files: where a write really goes, writing it safely, and saying why it cannot be done.

A regular file (or a new name) is written atomically: a temporary file next to it, renamed over
it only when complete, so a reader never sees half a file and a failed or interrupted write
leaves the old file in place. Anything else that exists (a character device such as
``/dev/null``, a FIFO, a socket, ``/dev/stdout``) is written straight through and never
replaced. A symbolic link is followed on purpose: its target is written (atomically, when it is a
regular file) and the link is kept. A file that is an input of the same command is never
written. Failures are :class:`OutputError`: the user's path, what is wrong and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO


class OutputError(OSError):
    """An output that cannot or must not be written, said for the person: the path they gave,
    what is wrong and how to fix it."""

    def __init__(self, path: Path | str, message: str, hint: str = "",
                 number: int | None = None) -> None:
        reason = message + (f" ({hint})" if hint else "")
        super().__init__(f"{path}: {reason}")
        self.path, self.message, self.hint = str(path), message, hint
        self.errno, self.strerror, self.filename = number, reason, str(path)

    def __str__(self) -> str:
        return str(self.args[0])


def _special(path: Path) -> bool:
    """Whether ``path`` is an existing file that is not a regular file (written straight
    through). ``/dev/stdout`` and ``/dev/fd/N`` count whatever they point at: replacing the
    file a shell redirected to would cut the shell's file off."""
    where = os.path.abspath(path)
    if where in ("/dev/stdout", "/dev/stderr") or where.startswith(("/dev/fd/", "/proc/")):
        return os.path.exists(path)
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise failure(path, exc) from None


def target(path: Path) -> tuple[Path, bool]:
    """The file a write to ``path`` goes to and whether it is written atomically: a symbolic
    link's target (links are followed; the link stays), or ``path`` itself."""
    path = Path(path)
    if os.path.isdir(path):
        raise OutputError(path, "is a folder", "give a file name")
    if _special(path):
        return path, False
    return Path(os.path.realpath(path)), True


def check(path: Path) -> None:
    """Raise :class:`OutputError` now if ``path`` clearly cannot be written (its folder is
    missing or read-only, the file is read-only), before any work is done for it."""
    real, atomic = target(path)
    if not atomic:
        if not os.access(real, os.W_OK):
            raise OutputError(path, "cannot be written: permission denied",
                              "choose a file you can write to")
        return
    folder = real.parent
    if not folder.is_dir():
        raise failure(path, FileNotFoundError(errno.ENOENT, "no such folder"))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise failure(path, PermissionError(errno.EACCES, "permission denied"))
    if real.exists() and not os.access(real, os.W_OK):
        raise OutputError(path, "is read-only", "make it writable or choose another file")


def same_file(a: Path | str, b: Path | str) -> bool:
    """Are ``a`` and ``b`` one file (by another name or through a link too)? When either
    cannot be examined (a new name): do they name the same place?"""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def refuse_inputs(path: Path, inputs: Iterable[Path | str]) -> None:
    """Raise :class:`OutputError` if ``path`` is one of ``inputs`` (by another name or
    through a link too): writing it would destroy what is being read."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return
    except OSError:
        return  # a new file cannot be an input
    for item in inputs:
        try:
            same = os.path.samefile(path, item)
        except OSError:
            continue
        if same:
            named = "" if os.path.abspath(path) == os.path.abspath(item) else f" ({item})"
            raise OutputError(path, f"is an input of this command{named}: writing the output "
                              "there would destroy it", "choose another file for the output")


def failure(path: Path | str, exc: OSError) -> OutputError:
    """What an operating-system error means for the person writing ``path``."""
    if isinstance(exc, OutputError):
        return exc
    error = _failure(path, exc)
    error.errno = exc.errno
    return error


def _failure(path: Path | str, exc: OSError) -> OutputError:
    folder = os.path.dirname(os.path.abspath(path))
    number = exc.errno
    if number == errno.ENOENT:
        return OutputError(path, f"cannot be written: the folder {folder} does not exist",
                           "create the folder first, or choose another place")
    if number in (errno.EACCES, errno.EPERM):
        return OutputError(path, f"cannot be written: permission denied in {folder}",
                           "choose a folder you can write to")
    if number == errno.EROFS:
        return OutputError(path, "cannot be written: the file system is read-only",
                           "choose another place")
    if number == errno.ENOSPC:
        return OutputError(path, "cannot be written: no space left on the device",
                           "free some space or choose another disk")
    if number == errno.ENOTDIR:
        return OutputError(path, f"cannot be written: {folder} is not a folder",
                           "choose another place")
    if number == errno.EISDIR:
        return OutputError(path, "is a folder", "give a file name")
    if number == errno.ELOOP:
        return OutputError(path, "is a symbolic link loop", "remove the link or choose "
                                                            "another file")
    reason = exc.strerror or exc.__class__.__name__
    return OutputError(path, f"cannot be written: {reason}", "choose another file")


class AtomicFile:
    """``with AtomicFile(path) as handle: handle.write(text)``: the file appears complete when
    the block ends without an error, and not at all (the old file kept) otherwise. Special files
    are written straight through. Operating-system errors become :class:`OutputError`."""

    def __init__(self, path: Path, newline: str | None = "\n") -> None:
        self.path = Path(path)
        self.newline = newline
        self._tmp: str | None = None
        self._real = self.path
        self.handle: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        check(self.path)
        self._real, atomic = target(self.path)
        try:
            if not atomic:
                self.handle = open(self.path, "w", encoding="utf-8", newline=self.newline)
                return self.handle
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self._real.name}.", suffix=".tmp",
                                             dir=self._real.parent)
            self.handle = os.fdopen(fd, "w", encoding="utf-8", newline=self.newline)
        except OSError as exc:
            raise failure(self.path, exc) from None
        return self.handle

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: object) -> None:
        assert self.handle is not None
        try:
            try:
                if kind is None and self._tmp is not None:
                    self.handle.flush()
                    os.fsync(self.handle.fileno())
            finally:
                self.handle.close()
            if self._tmp is not None and kind is None:
                os.chmod(self._tmp, _mode(self._real))
                os.replace(self._tmp, self._real)
                self._tmp = None
        except OSError as error:
            if kind is None:
                raise failure(self.path, error) from None
        finally:
            if self._tmp is not None:
                Path(self._tmp).unlink(missing_ok=True)


def _mode(path: Path) -> int:
    """The permissions of the file being replaced, or the usual ones for a new file (mkstemp
    makes 0600 files)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(path).st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` (see the module docstring for what that means for special
    files and links)."""
    with AtomicFile(path) as handle:
        handle.write(text)


def write_atomic_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` (a PDF) to ``path`` as :func:`write_atomic` writes text."""
    with AtomicFile(path, newline=None) as handle:
        handle.buffer.write(data)  # type: ignore[attr-defined]
        handle.flush()
