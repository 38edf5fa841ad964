"""Running a batch: tasks in, records out in input order, through a pool of worker processes.

Owns the flow of a run. :class:`Evaluator` starts the worker processes (or, with one job, runs
in this process, for debugging) and yields one record per task in input order, whatever the
number of jobs. It streams: ``Pool.imap`` with a chunk size, and a :class:`Throttle` that keeps a
bounded number of tasks in flight (``imap`` would otherwise read the whole input ahead into its
queue). :func:`run` adds duplicate-id detection, the :class:`~expert.batch.scoring.Scoreboard`
and the output, and calls back once per record (for a progress bar).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any

from ..knowledge import KnowledgeBase
from ..problems import shown
from . import worker
from .registry import CaseIds
from .scoring import Scoreboard
from .sources import Task, tasks

Record = dict[str, Any]


def cpu_count() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    kb_path: str | None = None
    jobs: int = 1
    chunksize: int = 16
    debug: bool = False
    program: bool = True


class Throttle:
    """Lets the pool's feeder thread take a task only while fewer than ``limit`` are in
    flight; the consumer releases one slot per record. :meth:`cancel` unblocks the feeder."""

    def __init__(self, limit: int) -> None:
        self._slots = threading.Semaphore(limit)
        self._cancelled = threading.Event()

    def feed(self, items: Iterable[Task]) -> Iterator[Task]:
        for item in items:
            while not self._slots.acquire(timeout=0.1):
                if self._cancelled.is_set():
                    return
            if self._cancelled.is_set():
                return
            yield item

    def release(self) -> None:
        self._slots.release()

    def cancel(self) -> None:
        self._cancelled.set()


class Evaluator:
    """``with Evaluator(settings) as ev: for record in ev.records(tasks): ...``

    The pool is started on entry, before the caller starts any thread of its own (a progress
    display), because forking a process that runs threads is unsafe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: Any = None

    def __enter__(self) -> Evaluator:
        s = self.settings
        if s.jobs == 1:
            worker.start(s.kb_path, s.debug, False, s.program)
        else:
            self._pool = multiprocessing.get_context().Pool(
                s.jobs, initializer=worker.start, initargs=(s.kb_path, s.debug, True, s.program))
        return self

    def records(self, items: Iterable[Task]) -> Iterator[Record]:
        """One record per task, in the order of ``items``."""
        if self._pool is None:
            yield from map(worker.evaluate, items)
            return
        chunk = self.settings.chunksize
        throttle = Throttle(4 * self.settings.jobs * chunk)
        try:
            for record in self._pool.imap(worker.evaluate, throttle.feed(items), chunk):
                throttle.release()
                yield record
        except BaseException:
            throttle.cancel()
            self._pool.terminate()
            raise

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._pool is None:
            return
        if kind is None:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()


def duplicate(record: Record) -> dict[str, Any]:
    return {"file": record["source"], "line": record["line"], "entry": "id",
            "message": f"duplicate case id {shown(record['case_id'])}: an earlier case in this run "
                       "has the same id", "hint": "give every case its own id"}


def run(paths: Iterable[str], evaluator: Evaluator, kb: KnowledgeBase,
        write: Callable[[Record], None], each: Callable[[Record], None] | None = None,
        stdin: IO[bytes] | None = None) -> Scoreboard:
    """Evaluate every case the paths name; write each record and count it. A case that
    cannot be read or evaluated becomes an error record; nothing stops the run."""
    board = Scoreboard(kb)
    ids = CaseIds()
    for index, record in enumerate(evaluator.records(tasks(paths, stdin))):
        if record["case_id"] is not None and ids.seen(record["case_id"]):
            record["errors"].append(duplicate(record))
            record["status"] = "error"
        board.add(record, index)
        write(record)
        if each is not None:
            each(record)
    return board
