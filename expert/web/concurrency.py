"""How the requests of ``imbalance serve`` share the server's work, so that many consultations
can run at once.

- **Reasoners.** An experta engine is not thread-safe, so each request that reasons borrows a
  reasoner of its own from a small pool, from its first use to the end of the request
  (``Reasoners.lending``); the pool also bounds how many requests reason at once (the rest wait
  their turn): Python runs one thread at a time, so more would only make each of them slower
  (and hold more engines in memory), while two let one reason while the other waits for the
  database.
- **One request per consultation.** Two requests on one client's consultation (two tabs, a
  double click) take turns on a lock of that client (``Consultations.turn``), taken before the
  consultation's file lock, which is left to tell a terminal's ``consult --client`` from
  another request.
- **Consultants kept between requests.** Working a consultation out again from its answers
  (the reasoner's outcome, which questions can still matter, the next question) is most of a
  request's time, and the page after an answer needs exactly what the answer worked out. So the
  consultant of each consultation is kept after a request, with the session data it saved, and
  the next request uses it only if the store still holds exactly that data (a terminal or
  another server that changed it makes it build a new one). At most ``KEPT`` are kept (least
  recently used first out), so memory stays bounded however many clients there are.
- **PDFs** are printed one at a time (``PRINTING``).
"""

from __future__ import annotations

import json
import queue
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..store.consultation import ClientConsultation

if TYPE_CHECKING:
    from ..consultation.consultant import Consultant

REASONERS = 2
# WeasyPrint (through Pango and fontconfig) is not known to be thread-safe: one PDF at a time
PRINTING = threading.Lock()
KEPT = 128  # consultants kept between requests: more than the people consulting at once


class Reasoners:
    """A pool of reasoners over one knowledge base, built as they are first needed."""

    def __init__(self, kb: KnowledgeBase, size: int = REASONERS) -> None:
        self.kb = kb
        self.idle: queue.LifoQueue[Reasoner | None] = queue.LifoQueue()
        for _ in range(size):
            self.idle.put(None)  # a reasoner not built yet
        self.mine = threading.local()

    @contextmanager
    def lending(self) -> Iterator[None]:
        """A block of work in which ``current`` lends this thread a reasoner, at its first use
        (work that only reads the store never waits for one); it goes back at the end."""
        if getattr(self.mine, "lending", False):  # nested: the outer block returns it
            yield
            return
        self.mine.lending, self.mine.reasoner = True, None
        try:
            yield
        finally:
            held = self.mine.reasoner
            self.mine.lending, self.mine.reasoner = False, None
            if held is not None:
                self.idle.put(held)

    @property
    def current(self) -> Reasoner:
        """The reasoner lent to this thread (waiting for one to be free, the first time)."""
        if not getattr(self.mine, "lending", False):
            raise RuntimeError("a reasoner is used outside a block of work (pages.locked)")
        held: Reasoner | None = self.mine.reasoner
        if held is None:
            held = self.mine.reasoner = self.idle.get() or Reasoner(self.kb)
        return held


class Keeping(ClientConsultation):
    """A client's consultation storage that remembers the data last read or written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.data: dict[str, Any] | None = None

    def write(self, data: dict[str, Any]) -> None:
        self.data = None  # unknown if the write fails
        super().write(data)
        self.data = data

    def saved(self) -> dict[str, Any] | None:
        self.data = super().saved()
        return self.data


def _digest(data: dict[str, Any] | None) -> str:
    return json.dumps(data, sort_keys=True, default=str)


class Consultations:
    """The consultations being worked on: a lock per client, and the consultants kept."""

    def __init__(self, size: int = KEPT) -> None:
        self.size = size
        self.guard = threading.Lock()
        self.locks: dict[int, tuple[threading.Lock, int]] = {}  # client: (lock, waiting)
        self.kept: OrderedDict[int, tuple[str, Consultant]] = OrderedDict()
        self.mine = threading.local()

    @contextmanager
    def turn(self, client: int) -> Iterator[None]:
        """Hold the client's consultation for this request (waiting for another request on
        it to finish); afterwards keep the consultant the request used (``use``), or, if the
        request failed, forget it. A lock lives only while requests hold or wait for it."""
        with self.guard:
            lock, waiting = self.locks.get(client, (threading.Lock(), 0))
            self.locks[client] = (lock, waiting + 1)
        try:
            with lock:
                self.mine.used = None
                try:
                    yield
                except BaseException:
                    self.forget(client)
                    raise
                if self.mine.used is not None:
                    self.keep(client, self.mine.used)
                self.mine.used = None
        finally:
            with self.guard:
                lock, waiting = self.locks[client]
                if waiting == 1:
                    del self.locks[client]
                else:
                    self.locks[client] = (lock, waiting - 1)

    def use(self, consultant: Consultant) -> None:
        """The consultant this request works on, to keep after its turn."""
        self.mine.used = consultant

    def reuse(self, client: int, saved: dict[str, Any]) -> Consultant | None:
        """The consultant kept for the client if the store still holds what it saved."""
        with self.guard:
            entry = self.kept.pop(client, None)
        if entry is None or entry[0] != _digest(saved):
            return None
        return entry[1]

    def keep(self, client: int, consultant: Consultant) -> None:
        """Keep the consultant after a request that went well, with what the store holds."""
        storage = consultant.session.storage
        if not isinstance(storage, Keeping) or storage.data is None or \
                consultant.save_error is not None:
            return
        with self.guard:
            self.kept[client] = (_digest(storage.data), consultant)
            self.kept.move_to_end(client)
            while len(self.kept) > self.size:
                self.kept.popitem(last=False)

    def forget(self, client: int) -> None:
        with self.guard:
            self.kept.pop(client, None)
