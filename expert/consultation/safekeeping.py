"""Keeping the answers when the session's file cannot be written (the folder has become
read-only, the disk is full): the answers stay in memory and the consultation goes on; the person
is told where and why, and offered another file (which then holds the session and its lock); at a
stop the session goes to the temporary folder rather than being lost."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path

from .consultant import Consultant
from .lock import SessionInUse, SessionLock
from .screen import Screen


def _reason(error: BaseException | None) -> str:
    return getattr(error, "strerror", None) or str(error)


class Safekeeping:
    """Where the session is saved when its file fails: asks for another, or falls back."""

    def __init__(self, consultant: Consultant, screen: Screen,
                 lock: SessionLock | None = None) -> None:
        self.c, self.screen, self.lock = consultant, screen, lock
        self.declined = False  # the person chose to go on without saving

    def unsaved(self, resume: Callable[[], str]) -> None:
        """The last save failed: say where and why and offer another file (Enter goes on
        without saving; saving is tried again after each answer, with a one-line note).
        ``resume()`` is the command that resumes the session (its path changes with a move)."""
        path = self.c.session.path
        if self.declined:
            self.screen.say(f"     (not saved: {path}: {_reason(self.c.save_error)})",
                            fg="yellow")
            return
        self.screen.wrap(f"Your answers could not be saved to {self.c.session.where} "
                         f"({_reason(self.c.save_error)}). They are kept here and the "
                         "consultation goes on. To keep them safe, type another file name to "
                         "save them in; or press Enter to go on without saving (saving to that "
                         "file is tried again after each answer).", "     ", fg="yellow")
        while True:
            line = self.screen.read("     File name (Enter: go on) > ").strip()
            if not line:
                self.declined = True
                return
            new = Path(line).expanduser()
            if new.is_dir():
                new = new / path.name
            if new.exists():
                self.screen.say(f"     {new} exists: type another name.", fg="yellow")
                continue
            if self.move_to(new):
                self.screen.command(f"     Saved to {new}. Continue later with:", resume())
                return
            self.screen.say(f"     Could not save to {new} either "
                            f"({_reason(self.c.save_error)}).", fg="yellow")

    def move_to(self, path: Path) -> bool:
        """Save the session to ``path`` from now on, taking its lock; False if it cannot be
        written there (the session and its lock stay where they were)."""
        old = self.c.session.path
        try:
            if self.lock is not None:
                self.lock.acquire(path)
        except SessionInUse as exc:
            self.c.save_error = OSError(str(exc))
            return False
        self.c.session.path = path
        if self.c.save():
            return True
        error = self.c.save_error
        self.c.session.path = old
        if self.lock is not None:
            with contextlib.suppress(SessionInUse):
                self.lock.acquire(old)
        self.c.save_error = error
        return False

    def save_somewhere(self) -> str:
        """Save before stopping; if the session's file cannot be written, save to the same
        name in the temporary folder instead. What to say about it ("" when all went well)."""
        if self.c.save():
            return ""
        failed, where = self.c.session.path, self.c.session.where
        reason = _reason(self.c.save_error)
        fallback = Path(tempfile.gettempdir()) / failed.name
        n = 2
        while fallback.exists():
            fallback = fallback.with_name(f"{failed.stem}-{n}{failed.suffix}")
            n += 1
        if self.move_to(fallback):
            return (f"Your answers could not be saved to {where} ({reason}); they were saved "
                    f"to {fallback} instead.")
        return f"Your answers could not be saved to {where} ({reason}) nor to {fallback}."
