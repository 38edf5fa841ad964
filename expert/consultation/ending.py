"""The end of a consultation: the offer to save it as a case file for ``imbalance run`` (a name
that says the format, never the session's own file, an existing file replaced only when the
person says so)."""

from __future__ import annotations

from pathlib import Path

from .casefile import CaseFileError, check_path, default_path, save_case
from .consultant import Consultant
from .screen import Screen


def offer_case(screen: Screen, consultant: Consultant) -> None:
    """Offer to save the consultation as a case file, and save it where the person says."""
    suggested = default_path(consultant)
    screen.say()
    line = screen.read("Save this consultation as a case file for imbalance run? "
                       "[Y/n] ")
    if line.strip().lower() in ("n", "no"):
        return
    while True:
        line = screen.read(f"File name (.yaml or .json) [{suggested}]: ").strip()
        path = Path(suggested if line.lower() in ("", "y", "yes") else line).expanduser()
        if path.is_dir():
            path = path / suggested.name
        try:
            check_path(consultant, path)
        except CaseFileError as exc:
            screen.say(str(exc), fg="yellow")
            continue
        if path.exists() and str(path) != consultant.session.case_file:
            answer = screen.read(f"{path} exists; replace it? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                screen.say("Not saved.")
                return
        break
    try:
        save_case(consultant, path)
    except OSError as exc:
        screen.say(f"Could not write {path}: {getattr(exc, 'strerror', None) or exc}",
                   fg="red")
        return
    screen.say(f"Saved {path}; evaluate it again with: imbalance run {path}")
