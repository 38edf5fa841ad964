"""What ``imbalance compare`` compares: a case file, or a stored assessment named
``client:ID@N`` (its number), ``client:ID@latest`` or ``client:ID@previous`` (the one before the
latest). A bad reference, an unknown client or number is a clear error (exit 1)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..case import Case, load_case, parse_case
from ..knowledge import KnowledgeBase
from ..problems import InputError, Problem, clip, shown

PREFIX = "client:"
_REF = re.compile(r"^client:(?P<client>[^@]*)(?:@(?P<which>.*))?$", re.IGNORECASE)
WORDS = ("latest", "previous")
HOW = "write client:ID@N (the assessment's number), client:ID@latest or client:ID@previous"


@dataclass(frozen=True)
class StoredRef:
    client: str               # the client's id as written (the store resolves it)
    which: str | int          # a number, "latest" or "previous"

    def __str__(self) -> str:
        return f"client:{self.client}@{self.which}"


@dataclass(frozen=True)
class Assessed:
    """One side of a comparison: the case as answered, when, and the programme as given then
    (None: rebuilt from the case; stored assessments keep theirs)."""

    label: str
    case: Case
    date: dt.date | None
    program: dict[str, Any] | None
    stored: bool = False
    number: int | None = None
    path: Path | None = None


def is_stored(text: str) -> bool:
    return text.strip().lower().startswith(PREFIX)


def parse_ref(text: str) -> StoredRef:
    """``client:ID@N|latest|previous``; one problem line naming what is wrong otherwise."""
    raw = text.strip()
    match = _REF.match(raw)
    if match is None:
        raise InputError([Problem(clip(raw), message="not an assessment reference", hint=HOW)])
    client, which = match["client"].strip(), (match["which"] or "").strip().lower()
    if not client:
        raise InputError([Problem(clip(raw), message="names no client", hint=HOW)])
    if match["which"] is None:
        raise InputError([Problem(clip(raw), message="says which client but not which "
                                  "assessment", hint=f"add @latest, @previous or @N: "
                                  f"client:{clip(client)}@latest")])
    if which in WORDS:
        return StoredRef(client, which)
    if which.isdigit() and len(which) < 12 and int(which) >= 1:
        return StoredRef(client, int(which))
    raise InputError([Problem(clip(raw), message=f"{shown(which)} is not an assessment "
                              "number, latest or previous", hint=HOW)])


def from_file(path: Path, kb: KnowledgeBase) -> Assessed:
    case = load_case(path, kb)
    return Assessed(str(path), case, case.date, None, path=path)


def from_store(ref: StoredRef, kb: KnowledgeBase, store: Any) -> Assessed:
    """The stored assessment a reference names (``store``: an ``expert.store.Store``)."""
    client = store.resolve(ref.client)   # UnknownClient (did-you-mean by name) when none
    if isinstance(ref.which, int):
        record = store.assessment(client.id, ref.which)
    else:
        records = store.assessments(client.id)
        need = 1 if ref.which == "latest" else 2
        if len(records) < need:
            have = ("no assessment yet" if not records else "only one assessment")
            raise InputError([Problem(str(ref), message=f"client {client.id} has {have}, so "
                                      f"there is no {ref.which} one",
                                      hint=f"store one with imbalance run CASE --client "
                                           f"{client.id}" if not records else
                                           f"compare a case file with client:{client.id}"
                                           "@latest, or store the reassessment first")])
        record = records[-need]
    case = parse_case(record.case_data, f"{ref} (stored case)", kb)
    return Assessed(f"client:{client.id}@{record.number}", case, record.date, record.program,
                    stored=True, number=record.number)


def resolve(texts: list[str], kb: KnowledgeBase,
            open_store: Callable[[], Any]) -> list[Assessed]:
    """Case files and stored references in order; the store is opened only when one is named
    (``open_store`` returns an ``expert.store.Store``), once."""
    refs: list[StoredRef | Path] = []
    problems: list[Problem] = []
    for text in texts:
        if is_stored(text):
            try:
                refs.append(parse_ref(text))
            except InputError as err:
                problems += err.problems
        else:
            refs.append(Path(text))
    if problems:
        raise InputError(problems)
    store = open_store() if any(isinstance(r, StoredRef) for r in refs) else None
    try:
        return [from_store(r, kb, store) if isinstance(r, StoredRef) else from_file(r, kb)
                for r in refs]
    finally:
        if store is not None:
            store.close()
