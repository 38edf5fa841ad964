"""Running a batch on a Dask distributed cluster: the same records, from other processes.

Owns the cluster side of a run. :class:`ClusterEvaluator` has the interface of
:class:`~expert.batch.runner.Evaluator`: it connects to a scheduler (``tcp://HOST:8786``) or
starts a ``LocalCluster`` (``local:N``), and yields one record per task in input order. Tasks
travel in chunks; at most ``window`` chunks are submitted or waiting in the reorder buffer at a
time, so memory stays bounded however long the input. Case files are read here and sent as bytes
(:func:`~expert.batch.sources.carried`), since a worker on another machine cannot read them.

On the worker, :func:`evaluate_chunk` builds the engine once per process (kept in
:mod:`~expert.batch.worker`'s state, rebuilt only when the settings change) and evaluates each
task with the same :func:`~expert.batch.worker.evaluate` as the local pool. Every chunk carries
this run's knowledge-base :class:`~expert.knowledge.identity.Identity`; a worker whose own
knowledge base (``IMBALANCE_KB`` in its environment, else the installed package's) differs raises
:class:`Refused`. A worker that dies is Dask's to handle: the scheduler runs its chunks again
elsewhere, and since records are collected per chunk, none is lost or doubled.

``distributed`` is imported only here, and only when a run uses ``--scheduler``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from .. import __version__
from ..knowledge.identity import Identity, digest, identity
from ..knowledge.locate import ENV, default_root, knowledge_base
from . import worker
from .sources import Task, carried

Record = dict[str, Any]
LOCAL = re.compile(r"local:(\d+)$")
ADDRESS = re.compile(r"(tcp|tls|ucx|inproc)://\S+$")
_LOGGERS = ("distributed", "tornado", "asyncio")


class ClusterError(Exception):
    """A cluster that cannot run the batch: one line saying why and what to do."""


class Refused(Exception):
    """A worker's knowledge base is not the one the run was started with."""


def scheduler_problem(text: str) -> str | None:
    """What is wrong with a ``--scheduler`` value, or None when it is usable."""
    found = LOCAL.match(text)
    if found:
        return None if int(found.group(1)) >= 1 else "local:N needs at least 1 worker"
    if ADDRESS.match(text) or re.fullmatch(r"[\w.-]+:\d+", text):
        return None
    return "give a scheduler address such as tcp://HOST:8786, or local:N"


@dataclass(frozen=True)
class Plan:
    """How the cluster run goes: where, which knowledge base, chunk size, connect timeout."""

    scheduler: str
    kb_path: str | None = None
    chunksize: int = 64
    timeout: float = 10.0
    debug: bool = False
    program: bool = True


# -- on the worker ----------------------------------------------------------------------------
_lock = threading.Lock()  # one engine per process; a worker may run several threads


def _ready(program: bool, debug: bool) -> Identity:
    """This process's engine, built once (again only when the settings change), and the
    identity of the knowledge base it was built from."""
    settings = (program, debug)
    if worker._state.get("cluster") != settings:
        root = default_root().resolve()
        known = worker._state.get("identity")
        if known is None or known.root != str(root):
            found = digest(root)  # before loading: the digest must not be newer than the engine
            kb = knowledge_base(root)
            known = Identity(kb.version, found, __version__, str(root))
        worker.start(str(root), debug, False, program)  # clears the state it replaces
        worker._state.update(cluster=settings, identity=known)
    mine: Identity = worker._state["identity"]
    return mine


def evaluate_chunk(tasks: list[Task], expected: Identity, program: bool,
                   debug: bool) -> list[Record]:
    """The records of a chunk of tasks, in order (runs on a Dask worker); :class:`Refused`
    when this worker's knowledge base is not the run's."""
    with _lock:
        mine = _ready(program, debug)
        if not mine.same(expected):
            raise Refused(f"its {mine.describe()} is not this run's {expected.describe()}")
        return [worker.evaluate(task) for task in tasks]


def dask_setup(worker: Any) -> None:
    """Preload of a ``local:N`` worker process. Ctrl-C in a terminal reaches every process of
    the group; the run shuts its cluster down itself, so its workers ignore it (as the local
    pool's do) instead of dying with a traceback each."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_identity(program: bool, debug: bool) -> Identity:
    """This worker's knowledge base; builds its engine (run on every worker before a run)."""
    with _lock:
        return _ready(program, debug)


# -- on the client ----------------------------------------------------------------------------
def _quiet() -> None:
    """Silence the cluster's own logging (its warnings and the tracebacks of connections closed
    while shutting down are not the user's business: the run reports what matters in one
    line). Dask's configuration gives some child loggers levels of their own, so each is set."""
    manager = logging.Logger.manager
    names = [n for n in manager.loggerDict if n.split(".")[0] in _LOGGERS]
    for name in {*names, *_LOGGERS}:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


class ClusterEvaluator:
    """``with ClusterEvaluator(plan) as ev: for record in ev.records(tasks): ...``"""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.workers = 0
        self._client: Any = None
        self._cluster: Any = None
        self._pending: dict[str, int] = {}
        self._futures: list[Any] = []
        root = Path(plan.kb_path).resolve() if plan.kb_path else default_root().resolve()
        self.identity = identity(root, knowledge_base(root).version)

    def describe(self) -> str:
        where = "a local Dask cluster" if LOCAL.match(self.plan.scheduler) else \
            f"the Dask cluster at {self.plan.scheduler}"
        return f"{where}, {self.workers} worker{'s' * (self.workers != 1)}"

    def __enter__(self) -> ClusterEvaluator:
        try:
            self._connect()
            self._check_workers()
        except BaseException:
            self._close()
            raise
        return self

    def _connect(self) -> None:
        from distributed import Client, LocalCluster

        plan = self.plan
        if not plan.debug:
            _quiet()
        local = LOCAL.match(plan.scheduler)
        if local:
            # the workers load this run's knowledge base, wherever --kb points
            self._cluster = LocalCluster(
                n_workers=int(local.group(1)), threads_per_worker=1, processes=True,
                dashboard_address=":0", env={ENV: self.identity.root}, preload=[__name__],
                silence_logs=logging.DEBUG if plan.debug else logging.CRITICAL)
            self._client = Client(self._cluster, set_as_default=False)
            return
        try:
            self._client = Client(plan.scheduler, timeout=f"{plan.timeout}s",
                                  set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"{plan.scheduler}: no Dask scheduler answered within {plan.timeout:g} s "
                f"({exc.__class__.__name__}) (start one with `dask scheduler`, check the address "
                "and the firewall, or give --connect-timeout more seconds)") from None

    def _check_workers(self) -> None:
        client, plan = self._client, self.plan
        try:
            client.wait_for_workers(1, timeout=plan.timeout)
        except TimeoutError:
            raise ClusterError(
                f"{plan.scheduler}: the scheduler has no workers (start `dask worker "
                f"{plan.scheduler} --nthreads 1` on each machine, with imbalance-expert "
                "installed)") from None
        try:
            found = client.run(worker_identity, plan.program, plan.debug)
        except Exception as exc:  # a worker without the package, or one that cannot load it
            if plan.debug:
                raise
            raise ClusterError(
                f"{plan.scheduler}: a worker cannot run imbalance-expert ({exc.__class__.__name__}"
                f": {exc}) (install imbalance-expert, the same version, on every worker machine, "
                "and check its knowledge base with `imbalance kb check` there)") from None
        self.workers = len(found)
        for address, theirs in sorted(found.items()):
            if not theirs.same(self.identity):
                raise ClusterError(
                    f"worker {address} refuses the run: its {theirs.describe()} is not this "
                    f"run's {self.identity.describe()} (start the workers with the same "
                    f"knowledge base: the same package, or {ENV} pointing at the same files)")

    def window(self) -> int:
        """Chunks submitted or waiting to be written at any time: enough to keep every worker
        busy while the next chunk travels."""
        threads = sum(self._client.nthreads().values()) or 1
        return 2 * threads + 2

    def records(self, items: Iterable[Task]) -> Iterator[Record]:
        """One record per task, in the order of ``items``."""
        from distributed import as_completed

        plan, client = self.plan, self._client
        token = uuid.uuid4().hex[:12]
        portable = map(carried, items)
        chunks = iter(lambda: list(islice(portable, plan.chunksize)), [])
        limit = self.window()
        waiting: dict[int, list[Record]] = {}  # the reorder buffer: done, not yet written
        results = as_completed(loop=client.loop, with_results=True)
        submitted = written = 0

        def submit() -> None:
            nonlocal submitted
            while len(self._pending) + len(waiting) < limit:
                chunk = next(chunks, None)
                if chunk is None:
                    return
                future = client.submit(evaluate_chunk, chunk, self.identity, plan.program,
                                       plan.debug, key=f"imbalance-{token}-{submitted}",
                                       pure=False)
                self._pending[future.key] = submitted
                self._futures.append(future)
                results.add(future)
                submitted += 1

        submit()
        while self._pending or waiting:
            if written in waiting:
                yield from waiting.pop(written)
                written += 1
                submit()
                continue
            future, chunk_records = self._next(results)
            waiting[self._pending.pop(future.key)] = chunk_records
            self._futures.remove(future)

    def _next(self, results: Any) -> tuple[Any, list[Record]]:
        from distributed import KilledWorker

        try:
            return next(results)
        except Refused as exc:
            raise ClusterError(f"a worker refuses the run: {exc} (start the workers with the "
                               f"same knowledge base: the same package, or {ENV} pointing at "
                               "the same files)") from None
        except KilledWorker as exc:
            raise ClusterError(
                f"{self.plan.scheduler}: a chunk of cases was running on every worker that died "
                f"({exc}); the cases were not lost, but the run stops (look at the workers' "
                "logs: memory, or a case that crashes the engine)") from None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._close()

    def _close(self) -> None:
        """Cancel what is still queued and let the cluster go (a LocalCluster is shut down)."""
        with contextlib.suppress(Exception):
            if self._client is not None and self._futures:
                self._client.cancel(self._futures, force=True)
        self._futures.clear()
        self._pending.clear()
        for part in (self._client, self._cluster):
            if part is not None:
                with contextlib.suppress(Exception):
                    part.close()
        self._client = self._cluster = None
