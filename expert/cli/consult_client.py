"""``imbalance consult --client ID``: the consultation kept in the client database, resumed
where it stopped, its assessment kept for the client when it is complete."""

from __future__ import annotations

import datetime as dt
import shlex

import click

from . import knowledge
from .printing import say
from .storage import client_of, open_db


def consult_client(ctx: click.Context, client_ref: str, db_url: str | None,
                   mode: str | None, no_color: bool) -> int:
    """Run the consultation for a client; the exit status."""
    from ..consultation.consultant import Consultant
    from ..consultation.dialogue import converse
    from ..consultation.lock import SessionInUse, SessionLock
    from ..consultation.screen import Screen, use_color
    from ..consultation.session import Session, SessionError
    from ..inference.reasoner import Reasoner
    from ..store.consultation import ClientConsultation, lock_file

    kb = knowledge(ctx)
    screen = Screen(use_color(no_color))
    prefix = ["imbalance"]
    if ctx.obj.get("kb_path"):
        prefix += ["--kb", str(ctx.obj["kb_path"])]
    with open_db(db_url) as store:
        client = client_of(store, client_ref)
        storage = ClientConsultation(store, client, db_url)
        lock = SessionLock()
        try:
            # one consultation per client at a time (on this computer): the lock of a file
            # named after the database and the client
            lock.acquire(lock_file(store, client.id))
            saved = storage.saved()
            if saved is not None:
                session = Session.from_data(saved, storage)
                consultant = Consultant(kb, session, Reasoner(kb))
                if mode is not None and mode != session.mode:
                    consultant.set_mode(mode)
            else:
                session = Session(storage.path, mode or "self", kb.version, storage=storage)
                consultant = Consultant(kb, session, Reasoner(kb))
                consultant.current()  # decides the first question and saves the session
                if consultant.save_error is not None:
                    raise consultant.save_error
        except SessionInUse:
            lock.release()
            say(f"error: client {client.id}'s consultation is in use by another imbalance "
                "consult: finish or quit that one first, then continue it with: "
                + shlex.join([*prefix, "consult", *storage.resume]))
            return 1
        except (SessionError, OSError) as exc:
            lock.release()
            say(f"error: {exc}")
            return 1
        status = converse(consultant, screen, prefix, lock, resumed=saved is not None)
        if status == 0 and session.complete:
            report = consultant.report()
            kept = store.store_assessment(client.id, consultant.case(), report,
                                          report.get("program"), dt.date.today(),
                                          session.mode, end_consultation=True)
            say(f"Kept as assessment {kept.number} of client {client.id} ({client.name}).")
        return status
