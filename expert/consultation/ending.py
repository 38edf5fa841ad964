"""The end of a consultation: the offer to save it as a case file for ``imbalance run`` (a name
that says the format, never the session's own file, an existing file replaced only when the
person says so), then the offer to save the client sheet to print or send (and, in trainer
mode, the trainer's report) as PDF, HTML or Markdown (``printouts.py``)."""

from __future__ import annotations

from pathlib import Path

from . import printouts
from .casefile import CaseFileError, check_path, default_path, save_case
from .consultant import Consultant
from .screen import Screen

OFFERS = {  # (audience, mode) -> the question
    ("client", "self"): "Save your exercise sheet to print or keep (PDF, HTML or Markdown)?",
    ("client", "trainer"): "Save the client sheet to print or send (PDF, HTML or Markdown)?",
    ("trainer", "trainer"): "Save your trainer's report too (PDF, HTML or Markdown)?",
}


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


def offer_documents(screen: Screen, consultant: Consultant) -> None:
    """Offer the client sheet, and in trainer mode the trainer's report, each saved where the
    person says in the format its name says."""
    saved: list[Path] = []
    for audience in ("client", "trainer"):
        question = OFFERS.get((audience, consultant.session.mode))
        if question is not None:
            path = offer_document(screen, consultant, audience, question, saved)
            if path is not None:
                saved.append(path)


def offer_document(screen: Screen, consultant: Consultant, audience: str, question: str,
                   keep: list[Path]) -> Path | None:
    """One offer: the file it was saved in, or None. A name that cannot be used is said and
    asked again; a document saved just before (``keep``) is not written over."""
    from ..output import OutputError

    suggested = printouts.default_path(consultant, audience)
    screen.say()
    if screen.read(f"{question} [Y/n] ").strip().lower() in ("n", "no"):
        return None
    while True:
        line = screen.read(f"File name (.pdf, .html or .md) [{suggested}]: ").strip()
        if line.lower() in ("n", "no"):      # changed their mind, or gave up on a name
            screen.say("Not saved.")
            return None
        path = Path(suggested if line.lower() in ("", "y", "yes") else line).expanduser()
        if path.is_dir():
            path = path / suggested.name
        try:
            printouts.check_path(consultant, path, keep)
        except (printouts.PrintoutError, OutputError) as exc:
            screen.say(str(exc), fg="yellow")
            continue
        if path.exists():
            answer = screen.read(f"{path} exists; replace it? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                screen.say("Not saved.")
                return None
        try:
            printouts.save_document(consultant, path, audience, keep)
        except ImportError:
            screen.say("A PDF needs WeasyPrint (pip install weasyprint); end the name in .html "
                       "to save a page that any browser prints.", fg="yellow")
            continue
        except (printouts.PrintoutError, OutputError) as exc:
            screen.say(str(exc), fg="yellow")
            continue
        screen.say(f"Saved {path}")
        return path
