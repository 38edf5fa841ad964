"""The store's records as the rest of the program sees them: plain frozen dataclasses, free of
SQLAlchemy, so that commands and reports (compare, client report) never hold a database row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

# how an assessment was made: a case file given to ``imbalance run``, or a consultation's mode
MODES = ("file", "self", "trainer")


@dataclass(frozen=True)
class Client:
    id: int
    name: str  # a display name or a pseudonym
    birth_year: int | None
    sex: str | None
    notes: str
    created: dt.datetime

    def to_data(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "birth_year": self.birth_year,
                "sex": self.sex, "notes": self.notes, "created": self.created.isoformat()}


@dataclass(frozen=True)
class Assessment:
    """One assessment, numbered 1..n per client in the order stored; ``case_data`` is the case
    as answered, ``report`` and ``program`` the JSON report and programme as they were given
    (``program`` None under a referral or an incomplete safety screen)."""

    client_id: int
    number: int
    date: dt.date
    mode: str
    case_data: dict[str, Any]
    report: dict[str, Any]
    program: dict[str, Any] | None
    kb_version: str
    tool_version: str
    created: dt.datetime

    def to_data(self) -> dict[str, Any]:
        return {"number": self.number, "date": self.date.isoformat(), "mode": self.mode,
                "kb_version": self.kb_version, "tool_version": self.tool_version,
                "created": self.created.isoformat(), "case": self.case_data,
                "report": self.report, "program": self.program}


@dataclass(frozen=True)
class HistoryRow:
    """One line of a client's history, read without the full report: the key findings as
    ``muscle@side state`` (side only when one-sided), the referral level, whether a programme
    was given and how many possible findings there were."""

    number: int
    date: dt.date
    mode: str
    key_findings: tuple[str, ...]
    possible: int
    referral: str | None
    program: bool
    kb_version: str


@dataclass(frozen=True)
class Consultation:
    """A consultation in progress: the consultation's session (its JSON form) as last saved."""

    client_id: int
    session: dict[str, Any]
    started: dt.datetime
    updated: dt.datetime


@dataclass(frozen=True)
class Deleted:
    """What ``delete_client`` removed."""

    client: Client
    assessments: int
    consultation: bool
