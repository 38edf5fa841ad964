"""What can go wrong with the store, said for the person: each error is an
:class:`~expert.problems.InputError` with one problem that names the database (never its
password), what is wrong and how to fix it, so the command line prints one line and exits 1."""

from __future__ import annotations

from ..problems import InputError, Problem


class StoreError(InputError):
    """A store problem: ``where`` is the database as shown to the user (or a client in it)."""

    def __init__(self, where: str, message: str, hint: str = "") -> None:
        super().__init__([Problem(where, message=message, hint=hint)])

    @property
    def message(self) -> str:
        return self.problems[0].message


class UnknownClient(StoreError):
    """No client with that id."""


class UnknownAssessment(StoreError):
    """The client has no assessment with that number."""


class BadRecord(StoreError):
    """A value the store refuses (a date in the future, a name too long, …)."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached, opened or logged into."""


class DatabaseLocked(StoreError):
    """Another program held the SQLite file for longer than the busy timeout."""


class CorruptDatabase(StoreError):
    """The file is not a database, or a damaged one."""


class SchemaMismatch(StoreError):
    """The database's schema is newer than this program, or older and not upgraded yet."""


class ConsultationInProgress(StoreError):
    """A client with a consultation in progress cannot be deleted without being told."""
