"""``imbalance consult``: the interactive consultation (see docs/consultation.md)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from . import examples, knowledge, main
from .printing import say
from .storage import db_option


@main.command(epilog=examples(
    "imbalance consult                         # a person alone (self mode)",
    "imbalance consult --mode trainer --session anna.json",
    "imbalance consult --resume anna.json      # carry on where it stopped",
    "imbalance consult --client 1              # kept in the client database",
    "imbalance --kb tests/fixtures/kb consult  # a tiny knowledge base to try"))
@click.option("--mode", type=click.Choice(["self", "trainer"]), default=None,
              help="self: a person alone (symptoms, habits, what a mirror shows); trainer: adds "
                   "the overhead squat, single-leg squat, push and pull assessments. "
                   "[default: self, or the mode of a resumed session]")
@click.option("--session", "session_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Save the consultation here (JSON, after every answer). Default: a new "
                   "consultation-DATE-TIME.json in the current folder.")
@click.option("--resume", "resume_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Continue a saved consultation from the question where it stopped.")
@click.option("--client", "client_ref", metavar="ID",
              help="Keep the consultation in the client database instead of a file: it resumes "
                   "where it stopped, and its assessment is kept for client ID when complete.")
@db_option
@click.option("--no-color", is_flag=True, help="No colour (also when NO_COLOR is set).")
@click.pass_context
def consult(ctx: click.Context, mode: str | None, session_file: Path | None,
            resume_file: Path | None, client_ref: str | None, db_url: str | None,
            no_color: bool) -> None:
    """Answer questions one at a time and leave with findings, reasons and a programme, or a
    referral. Only questions whose answer can still change something are asked; most are short
    lists (answer no, or the numbers of those that apply).

    Type help at any prompt for the commands (why, review, change N, back, how N,
    explain MUSCLE, quit). Answers are saved as you go; Ctrl-C or closing the terminal
    keeps them for --resume. At the end it offers to save a case file for imbalance run and
    the client sheet to print (.pdf, .html or .md; the trainer's report too in trainer mode).
    """
    from ..consultation.consultant import Consultant
    from ..consultation.dialogue import converse
    from ..consultation.lock import SessionInUse, SessionLock
    from ..consultation.screen import Screen, use_color
    from ..consultation.session import Session, SessionError, default_path
    from ..inference.reasoner import Reasoner

    if resume_file is not None and session_file is not None:
        raise click.UsageError("--resume FILE keeps saving to FILE; leave out --session")
    if client_ref is not None:
        if resume_file is not None or session_file is not None:
            raise click.UsageError("--client keeps the consultation in the database; leave out "
                                   "--session and --resume")
        from .consult_client import consult_client
        ctx.exit(consult_client(ctx, client_ref, db_url, mode, no_color))
    if db_url is not None:
        raise click.UsageError("--db goes with --client ID")
    kb = knowledge(ctx)
    screen = Screen(use_color(no_color))
    prefix = ["imbalance"]
    if ctx.obj.get("kb_path"):
        prefix += ["--kb", str(ctx.obj["kb_path"])]
    lock = SessionLock()
    try:
        if resume_file is not None:
            lock.acquire(resume_file, shlex.join([*prefix, "consult", "--resume",
                                                  str(resume_file)]))
            session = Session.load(resume_file)
            consultant = Consultant(kb, session, Reasoner(kb))
            if mode is not None and mode != session.mode:
                consultant.set_mode(mode)
        else:
            path = session_file or default_path()
            lock.acquire(path)
            if path.exists():
                raise SessionError(f"{path} already exists: continue it with --resume "
                                   f"{shlex.quote(str(path))}, or choose another --session")
            session = Session(path, mode or "self", kb.version)
            consultant = Consultant(kb, session, Reasoner(kb))
            consultant.current()  # decides the first question and creates the file
            if consultant.save_error is not None:
                raise consultant.save_error
    except (SessionError, SessionInUse) as exc:
        lock.release()
        say(f"error: {exc}")
        ctx.exit(1)
    except OSError as exc:
        lock.release()
        say(f"error: cannot write the session file: {exc}")
        ctx.exit(1)
    ctx.exit(converse(consultant, screen, prefix, lock, resumed=resume_file is not None))
