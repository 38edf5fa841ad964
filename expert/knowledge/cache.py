"""The on-disk cache of loaded knowledge bases: where it lives, its key, reading and writing.

Loading a knowledge base (YAML, validation, integrity checks) takes far longer than unpickling
the result, and every command starts with it. A knowledge base that loaded without a problem is
kept as a pickle in the user's cache folder (``$IMBALANCE_CACHE_DIR``, else
``$XDG_CACHE_HOME/imbalance-expert``, else the platform's cache folder; an empty
``IMBALANCE_CACHE_DIR`` turns the cache off), one file per key.

The key is a SHA-256 over everything the result depends on, so a stale entry cannot be found:
the bytes of every file in ``facts/`` and ``rules/`` (not only the ones the loader reads, and
content, never modification times), where each of them resolves to and the name the loaded
knowledge base gives it (relative to the working folder when inside it, so running from
elsewhere shares one entry), the source code that reads and validates them, and the package,
Python and pydantic versions. A folder holding anything but
regular files of at most the loader's size limit is not cached at all: the loader says what is
wrong with it.

Pickle runs code from the file it reads, so the folder is used only when it belongs to the user
and nobody else can write to it. A cache file that cannot be read (truncated, corrupt, from
another version) is ignored and written again; a folder that cannot be written is skipped
silently. Either way the command works as without a cache.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from . import files

if TYPE_CHECKING:
    from .base import KnowledgeBase

ENV = "IMBALANCE_CACHE_DIR"
LAYOUT = b"imbalance-kb-cache 1"  # changes when what a cache file holds changes
KEEP = 16  # cache files kept; the least recently written go first
MAX_FILE = 1 << 20  # the loader's limit (expert.yamlio.MAX_BYTES): larger files are not cached

_PACKAGE = Path(__file__).resolve().parent.parent
# the code whose behaviour decides what a loaded knowledge base holds (a test checks that it
# covers every module the loader imports)
CODE_FILES = ("__init__.py", "compat.py", "equipment.py", "problems.py", "spelling.py",
              "yamlio.py")


def folder() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    env = os.environ.get(ENV)
    if env is not None:
        return Path(env) if env else None
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "imbalance-expert"
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        return Path(local) / "imbalance-expert" / "Cache" if local else None
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "imbalance-expert"
    return Path.home() / ".cache" / "imbalance-expert"


def code_files() -> list[Path]:
    """The source files whose code is part of the key."""
    return sorted((_PACKAGE / "knowledge").glob("*.py")) + [_PACKAGE / n for n in CODE_FILES]


def _code_digest() -> bytes:
    hashed = hashlib.sha256()
    for path in code_files():
        with contextlib.suppress(OSError):
            _add(hashed, path.name.encode(), path.read_bytes())
    return hashed.digest()


def _add(hashed: hashlib._Hash, *parts: bytes) -> None:
    for part in parts:  # length-prefixed, so that no two sequences of parts hash alike
        hashed.update(len(part).to_bytes(8, "big") + part)


def key(root: Path) -> str | None:
    """The cache key of the knowledge base at ``root``, or None when it must not be cached."""
    from pydantic.version import VERSION as pydantic_version

    hashed = hashlib.sha256()
    try:
        here = Path.cwd()
    except OSError:  # the working folder was removed
        return None
    _add(hashed, LAYOUT, __version__.encode(), sys.version.encode(), pydantic_version.encode(),
         _code_digest(), os.fsencode(root))
    for name, listed in files.folders(root):
        if listed is None:
            _add(hashed, name.encode(), b"absent")
            continue
        _add(hashed, name.encode(), str(len(listed)).encode())
        for path in listed:
            try:
                info = os.stat(path)  # follows links, as the loader does
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE:
                    return None
                data = files.read(path, MAX_FILE + 1)  # None: no longer a regular file
                if data is None:
                    return None
                resolved = path.resolve()
            except (OSError, RuntimeError):
                return None
            _add(hashed, os.fsencode(path.name), os.fsencode(resolved),
                 os.fsencode(_shown(path, resolved, here)), data)
    return hashed.hexdigest()


def _shown(path: Path, resolved: Path, here: Path) -> str:
    """The file's name in the loaded knowledge base (``loader._Reader.rel``): relative to the
    working folder when inside it, else as given; so the working folder matters only there."""
    try:
        return str(resolved.relative_to(here))
    except ValueError:
        return str(path)


def _private(where: Path) -> bool:
    """Whether the folder belongs to this user and nobody else may write to it."""
    info = os.stat(where)
    getuid = getattr(os, "getuid", None)
    if getuid is not None and info.st_uid != getuid():
        return False
    return stat.S_ISDIR(info.st_mode) and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _file(where: Path, digest: str) -> Path:
    return where / f"kb-{digest}.pickle"


def read(where: Path, digest: str) -> KnowledgeBase | None:
    """The knowledge base kept under ``digest``, or None (absent, unreadable or not ours)."""
    from .base import KnowledgeBase

    try:
        if not _private(where):
            return None
        data = _read_file(_file(where, digest))
        # a cache file can hold anything (truncated, from another version, overwritten):
        # whatever goes wrong, it is ignored and written again
        layout, stored, fields = pickle.loads(data)
        if layout != LAYOUT or stored != digest or not isinstance(fields, dict):
            return None
        return KnowledgeBase(**fields)
    except Exception:
        return None


def _read_file(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def write(where: Path, digest: str, kb: KnowledgeBase) -> None:
    """Keep ``kb`` under ``digest`` (atomically); quietly nothing when that is not possible."""
    # only the loaded records: memos a command computed on the object are not kept
    fields = {f.name: getattr(kb, f.name) for f in dataclasses.fields(kb)}
    try:
        where.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(where):
            return
        data = pickle.dumps((LAYOUT, digest, fields), protocol=pickle.HIGHEST_PROTOCOL)
        import tempfile  # only when writing: a hit does not pay for it

        fd, temp = tempfile.mkstemp(dir=where, prefix=".kb-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, _file(where, digest))
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        _prune(where)
    except (OSError, pickle.PicklingError):
        return


def _prune(where: Path) -> None:
    kept = []
    for path in where.glob("kb-*.pickle"):
        with contextlib.suppress(OSError):
            kept.append((path.stat().st_mtime, path.name, path))
    for _, _, path in sorted(kept, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            path.unlink()


def load(root: Path) -> KnowledgeBase:
    """The knowledge base at ``root``: from the cache when it holds this very one, else loaded
    (raising InputError with every problem, as :func:`expert.knowledge.loader.load`) and kept."""
    where = folder()
    digest = key(root) if where is not None else None
    if where is not None and digest is not None:
        kb = read(where, digest)
        if kb is not None:
            return kb
    from .loader import load as load_files

    kb = load_files(root)
    # kept only if no file changed while it was read: the entry must match its key
    if where is not None and digest is not None and key(root) == digest:
        write(where, digest, kb)
    return kb
