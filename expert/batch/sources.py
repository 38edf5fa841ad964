"""Where a batch's cases come from: the paths on the command line turned into a stream of tasks.

Owns path expansion (files, directories walked recursively in sorted order, quoted glob
patterns, ``-`` for JSON Lines on standard input) and the reading of JSON Lines files line by
line. A task is a plain tuple, cheap to send to a worker process: a case file to read, one JSON
Lines line, or a problem found here (a missing path, an unreadable or binary file, a named pipe
or device, a line that is too long or not UTF-8), which becomes that input's error record; only
regular files are opened (``yamlio.open_regular``), so a FIFO in a folder never blocks the run.
Nothing here holds more than one line of input at a time, so memory stays flat however long the
stream.
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple

from ..problems import InputError
from ..yamlio import MAX_BYTES, open_regular, read_bytes

CASE_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
LINES_SUFFIXES = frozenset({".jsonl", ".ndjson"})
STDIN = "-"
_MAGIC = re.compile(r"[*?\[]")
_SNIFF = 8192


class Task(NamedTuple):
    """One unit of work: ``kind`` is ``file`` (read ``source``), ``data`` (``data`` holds the
    bytes of the case file ``source``, read where the run started: a worker on another machine
    cannot read the file), ``line`` (``text`` is one JSON Lines line of ``source``, numbered
    ``line``) or ``error`` (``text`` says what is wrong)."""

    kind: str
    source: str
    line: int | None = None
    text: str = ""
    hint: str = ""
    data: bytes = b""


def _problem(source: str, message: str, hint: str = "", line: int | None = None) -> Task:
    return Task("error", source, line, message, hint)


def _walk(top: Path) -> Iterator[Path]:
    """Case files under a directory, depth first in sorted order; hidden entries skipped."""
    for root, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(root, name)
            if not name.startswith(".") and path.suffix.lower() in CASE_SUFFIXES | LINES_SUFFIXES:
                yield path


def expand(arg: str) -> Iterator[Path | Task]:
    """The files one command-line argument stands for, or a problem task when it stands for
    none (a missing path, a glob matching nothing, a directory holding no case files)."""
    path = Path(arg)
    if arg != STDIN and not path.exists() and _MAGIC.search(arg):
        matches = sorted(glob.glob(arg, recursive=True))
        if not matches:
            yield _problem(arg, "matches no files", "check the pattern")
        for match in matches:
            yield from expand(match)
        return
    if arg == STDIN or not path.is_dir():
        yield path
        return
    found = False
    for file in _walk(path):
        found = True
        yield file
    if not found:
        yield _problem(arg, "holds no case files (.yaml, .yml, .json, .jsonl)")


def is_lines(path: Path) -> bool:
    return str(path) == STDIN or path.suffix.lower() in LINES_SUFFIXES


def tasks(args: Iterable[str], stdin: IO[bytes] | None = None) -> Iterator[Task]:
    """Every case the arguments name, in order, one task each."""
    for arg in args:
        for item in expand(arg):
            if isinstance(item, Task):
                yield item
            elif str(item) == STDIN:
                if stdin is not None:
                    yield from read_lines("<stdin>", stdin)
            elif is_lines(item):
                yield from _lines_file(item)
            else:
                yield Task("file", str(item))


def carried(task: Task) -> Task:
    """A ``file`` task with the file's bytes in it (``data``), for a worker that may run on
    another machine; a file that cannot be read becomes an ``error`` task with the problem the
    worker would have reported, so the record is the same as in a local run."""
    if task.kind != "file":
        return task
    try:
        return task._replace(kind="data", data=read_bytes(task.source))
    except InputError as exc:
        first = exc.problems[0]
        return _problem(task.source, first.message, first.hint)


def _lines_file(path: Path) -> Iterator[Task]:
    source = str(path)
    try:  # a named pipe or device is refused: in a folder it would block the whole run
        handle = os.fdopen(open_regular(path, "give a JSON Lines file"), "rb")
    except InputError as exc:
        yield _problem(source, exc.problems[0].message, exc.problems[0].hint)
        return
    with handle:
        yield from read_lines(source, handle)


def read_lines(source: str, handle: IO[bytes]) -> Iterator[Task]:
    """One task per non-blank line of a JSON Lines stream; a line that is too long or not UTF-8
    becomes an error task and the lines after it are still read."""
    try:
        head = handle.peek(_SNIFF)[:_SNIFF] if hasattr(handle, "peek") else b""
        if b"\x00" in head:
            yield _problem(source, "is a binary file, not JSON Lines",
                           "give a text file with one JSON case per line")
            return
        number = 0
        while True:
            raw = handle.readline(MAX_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_BYTES and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):  # skip the rest of the long line
                    raw = handle.readline(MAX_BYTES)
                yield _problem(source, f"line is longer than {MAX_BYTES // 1024 // 1024} MiB",
                               line=number)
                continue
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield _problem(source, f"is not UTF-8 text (bad byte at column {exc.start + 1})",
                               "save the file as UTF-8", number)
                continue
            if text.strip():
                yield Task("line", source, number, text)
    except OSError as exc:
        yield _problem(source, f"cannot be read: {exc.strerror}")


def count(args: Iterable[str]) -> int | None:
    """How many tasks :func:`tasks` will yield (for a progress bar), or None for standard
    input. Reads JSON Lines files once more, in blocks."""
    total = 0
    for arg in args:
        for item in expand(arg):
            if isinstance(item, Task) or not is_lines(item):
                total += 1
            elif str(item) == STDIN:
                return None
            else:
                total += _count_lines(item)
    return total


def _count_lines(path: Path) -> int:
    try:
        with os.fdopen(open_regular(path), "rb") as handle:
            if b"\x00" in handle.read(_SNIFF):
                return 1
            handle.seek(0)
            total, last = 0, b"\n"
            while block := handle.read(1 << 20):
                total += block.count(b"\n")
                last = block[-1:]
            return total + (last != b"\n")  # blank lines make this a little high
    except (OSError, InputError):
        return 1
