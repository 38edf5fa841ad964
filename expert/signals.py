"""The signals that ask the program to stop: SIGTERM (a stop request) and SIGHUP (the terminal
went away). ``caught(handler)`` hands them to a handler while a block runs and puts the previous
handlers back after it; the command line turns them into ``Stopped`` (``cli/__init__.py``), the
consultation into a saved session (``consultation/screen.py``)."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

STOPS = ("SIGTERM", "SIGHUP")  # those the platform has


@contextlib.contextmanager
def caught(handler: Callable[[int, FrameType | None], Any]) -> Iterator[None]:
    """``handler`` takes the stop signals while the block runs (in the main thread only: no
    other thread can set a signal handler, and there the block runs as it is)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in STOPS:
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
