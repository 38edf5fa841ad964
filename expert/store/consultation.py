"""A consultation in progress kept in the store (``imbalance consult --client ID``): the
consultation's session storage (``expert.consultation.session.Storage``), saved after every
answer as the client's consultation row. A store that cannot be written raises OSError, so the
consultation offers to keep the answers in a file instead, as it does for a session file."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

from .errors import StoreError
from .records import Client
from .repository import Store


def lock_file(store: Store, client_id: int) -> Path:
    """The file whose lock (``expert.consultation.lock``) one consultation of a client holds on
    this computer, named after the database and the client: ``consult --client`` holds it for
    its life, ``imbalance serve`` while it handles a request."""
    key = hashlib.sha1(f"{store.where}\0{client_id}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"imbalance-consult-{key}"


class ClientConsultation:
    def __init__(self, store: Store, client: Client, db_url: str | None = None) -> None:
        self.store, self.client = store, client
        # the name a fallback file takes if the database cannot be written
        self.path = Path(f"client-{client.id}-consultation.json")
        self.where = f"the client database (client {client.id}, {store.where})"
        self.resume: tuple[str, ...] = ("--client", str(client.id))
        if db_url:
            self.resume += ("--db", store.where)

    def write(self, data: dict[str, Any]) -> None:
        try:
            self.store.save_consultation(self.client.id, data)
        except StoreError as exc:
            raise OSError(exc.problems[0].line()) from None

    def saved(self) -> dict[str, Any] | None:
        kept = self.store.consultation(self.client.id)
        return None if kept is None else kept.session
