"""The state of one consultation and its file: the mode, the answers in the order they were
given, the question being asked. Saved atomically as JSON after every answer, so a killed or
interrupted consultation resumes at the same question.

File format (``format_version`` 3)::

    {"format": "imbalance-consultation", "format_version": 3, "mode": "self",
     "kb_version": "0.1.0", "started": "2025-01-31T10:00:00", "updated": "...",
     "answers": [{"checklist": "back_and_legs", "value": "no",
                  "items": ["radiating_leg_pain", "saddle_numbness"]},
                 {"checklist": "habits", "value": "picked", "items": ["prolonged_sitting",
                  "carry_load_one_hand"]},
                 {"question": "carry_load_one_hand", "value": "yes", "certainty": 0.6,
                  "side_pending": true, "picked": "habits"},
                 {"subject": "age", "value": "41"},
                 {"subject": "equipment", "value": "picked",
                  "items": ["foam_roller", "resistance_band"]}],
     "pending": {"question": "carry_load_one_hand", "part": "side"},
     "complete": false, "case_file": null}

``side_pending`` marks a yes to a sided question whose side is being asked; a yes without it is
a yes whose side is not known; ``side_asked`` an answer whose side was asked after the yes (so
that ``back`` returns to the side). A checklist's answer lists the ``items`` it showed: ``no`` means
each of them not answered on its own is no; ``picked`` the same, the items picked by number being
answered on their own (marked ``picked`` with the checklist); ``yes`` and ``unknown`` mean its
items are asked one by one. The equipment's answer is ``picked`` with the equipment ``items`` at
hand, ``none`` (body weight only) or ``unknown`` (not said: the programme keeps its assumed kit).
Version 2 (before the equipment question) and version 1 (before checklists) are read as they
are: they have none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from .. import yamlio
from ..output import write_atomic
from ..problems import InputError, shown
from .answers import SIDES
from .questionnaire import AGE, CHECKLIST, EQUIPMENT, MODES, SUBJECT

FORMAT = "imbalance-consultation"
FORMAT_VERSION = 3
# version 1 has no checklists, version 2 no equipment answer: their answers read the same
READS = (1, 2, 3)
VALUES = ("yes", "no", "unknown", *SIDES)
CHECKLIST_VALUES = ("yes", "no", "unknown", "picked")
EQUIPMENT_VALUES = ("picked", "none", "unknown")
PARTS = ("answer", "side")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_LONGEST_ID = 100  # ids are short; a longer one would be echoed in messages


class SessionError(ValueError):
    """A session file that cannot be resumed; the message is one line."""


@dataclass
class Item:
    """One answer: ``key`` a question id, AGE, EQUIPMENT or a checklist key; ``value`` as in case
    files (or the age; a checklist also takes ``picked``; the equipment ``picked``, ``none`` or
    ``unknown``). A checklist's answer keeps the ``items`` it showed, the equipment's the
    equipment picked; an answer given by picking it in a checklist names that checklist
    (``picked``)."""

    key: str
    value: str
    certainty: float = 1.0
    side_pending: bool = False
    items: tuple[str, ...] = ()
    picked: str = ""
    side_asked: bool = False  # the side was asked after the yes (``back`` returns to it)

    @property
    def is_checklist(self) -> bool:
        return self.key.startswith(CHECKLIST)

    @property
    def is_equipment(self) -> bool:
        return self.key == EQUIPMENT

    @property
    def equipment(self) -> list[str] | None:
        """The equipment's answer as ``subject.equipment`` (``[]``: body weight only), or None
        when it is not known."""
        return list(self.items) if self.value in ("picked", "none") else None

    @property
    def covers(self) -> bool:
        """A checklist answer that makes its items not answered on their own no."""
        return self.is_checklist and self.value in ("no", "picked")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = _ref(self.key)
        out["value"] = self.value
        if self.certainty != 1.0:
            out["certainty"] = self.certainty
        if self.side_pending:
            out["side_pending"] = True
        if self.is_checklist or (self.is_equipment and self.value == "picked"):
            out["items"] = list(self.items)
        if self.picked:
            out["picked"] = self.picked.removeprefix(CHECKLIST)
        if self.side_asked:
            out["side_asked"] = True
        return out


def _ref(key: str) -> dict[str, Any]:
    """How a session file names a question, a subject field (the age, the equipment, the weeks
    of a pregnancy) or a checklist."""
    if key.startswith(SUBJECT):
        return {"subject": key.removeprefix(SUBJECT)}
    if key.startswith(CHECKLIST):
        return {"checklist": key.removeprefix(CHECKLIST)}
    return {"question": key}


class Storage(Protocol):
    """Where a session is kept instead of its file (the client database, for ``consult
    --client``): ``path`` is the session's path while it is kept there (a file name for a
    fallback), ``where`` names it in messages, ``resume`` the arguments of ``consult`` that
    resume it, ``write`` saves it (OSError when it cannot)."""

    path: Path
    where: str
    resume: tuple[str, ...]

    def write(self, data: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Pending:
    key: str
    part: str = "answer"  # answer | side


def now() -> str:
    return datetime.now().replace(microsecond=0).isoformat()


def default_path(folder: Path | None = None) -> Path:
    """A new file in the current folder, named after the time: consultation-YYYYmmdd-HHMMSS.json."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = (folder or Path.cwd()) / f"consultation-{stamp}.json"
    path, n = base, 2
    while path.exists():
        path = base.with_name(f"consultation-{stamp}-{n}.json")
        n += 1
    return path


@dataclass
class Session:
    path: Path
    mode: str
    kb_version: str
    items: list[Item] = field(default_factory=list)
    pending: Pending | None = None
    complete: bool = False
    case_file: str | None = None
    started: str = field(default_factory=now)
    storage: Storage | None = None  # kept there while ``path`` is the storage's

    @property
    def stored(self) -> bool:
        return self.storage is not None and self.path == self.storage.path

    @property
    def where(self) -> str:
        """Where the session is saved, for messages."""
        return self.storage.where if self.storage is not None and self.stored \
            else str(self.path)

    # -- answers --------------------------------------------------------------------------
    def index(self, key: str) -> int | None:
        return next((i for i, item in enumerate(self.items) if item.key == key), None)

    def item(self, key: str) -> Item | None:
        i = self.index(key)
        return None if i is None else self.items[i]

    def answered(self) -> set[str]:
        return {item.key for item in self.items}

    def implied(self) -> dict[str, Item]:
        """The questions a checklist's no (or picks) answers no: each item it showed that is
        not answered on its own, with the checklist's answer."""
        answered = self.answered()
        out: dict[str, Item] = {}
        for item in self.items:
            if item.covers:
                for key in item.items:
                    if key not in answered:
                        out.setdefault(key, item)
        return out

    # -- the file -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "format_version": FORMAT_VERSION, "mode": self.mode,
            "kb_version": self.kb_version, "started": self.started, "updated": now(),
            "answers": [item.to_json() for item in self.items],
            "pending": (None if self.pending is None else
                        {**_ref(self.pending.key), "part": self.pending.part}),
            "complete": self.complete, "case_file": self.case_file,
        }

    def save(self) -> None:
        if self.storage is not None and self.stored:
            self.storage.write(self.to_json())
            return
        write_atomic(self.path, json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def from_data(cls, data: Any, storage: Storage) -> Session:
        """A session kept in ``storage`` (its JSON form, as :meth:`to_json` gave it);
        SessionError (one line) if it is not usable."""
        try:
            session = cls._from_json(storage.path, data)
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise SessionError(f"{storage.where}: not a usable consultation session "
                               f"({detail})") from None
        session.storage = storage
        return session

    @classmethod
    def load(cls, path: Path) -> Session:
        """Read a session file; SessionError (one line) if it is missing, corrupt or from an
        incompatible version."""
        try:  # the limits of every input file: a regular file, bounded size and nesting
            text = yamlio.read_text(path)
        except InputError as exc:
            problem = exc.problems[0]
            if problem.message == "no such file or directory":
                raise SessionError(f"{path}: no such session file") from None
            raise SessionError(problem.line()) from None
        try:
            data = yamlio.parse_json(text, str(path))
        except InputError as exc:
            problem = exc.problems[0]
            raise SessionError(f"{path}: not a consultation session ("
                               f"{problem.message.replace('malformed', 'corrupt')})") from None
        try:
            return cls._from_json(Path(path), data)
        except (KeyError, TypeError, ValueError) as exc:
            detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
            raise SessionError(f"{path}: not a usable consultation session ({detail})") from None

    @classmethod
    def _from_json(cls, path: Path, data: Any) -> Session:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("it is not a file written by imbalance consult")
        version = data["format_version"]
        if version not in READS:
            raise ValueError(f"format version {shown(version)}; this program reads versions "
                             f"{' and '.join(map(str, READS))}")
        mode = data["mode"]
        if mode not in MODES:
            raise ValueError(f"unknown mode {shown(mode)}")
        items = [_item(raw) for raw in data["answers"]]
        keys = [item.key for item in items]
        if len(set(keys)) != len(keys):
            raise ValueError("a question is answered twice")
        pending = data.get("pending")
        if pending is not None:
            key = _key(pending)
            part = pending.get("part", "answer")
            if part not in PARTS:
                raise ValueError(f"unknown part {shown(part)}")
            pending = Pending(key, part)
        case_file = data.get("case_file")
        return cls(path, mode, str(data.get("kb_version", "")), items, pending,
                   bool(data.get("complete", False)),
                   case_file if isinstance(case_file, str) else None,
                   str(data.get("started", now())))


def _id(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _KEY.match(value) or len(value) > _LONGEST_ID:
        raise ValueError(f"bad {what} id {shown(value)}")
    return value


def _key(raw: Any) -> str:
    if not isinstance(raw, dict):
        raise ValueError("an answer is a mapping")
    if raw.get("subject") == "age":
        return AGE
    if raw.get("subject") == "equipment":
        return EQUIPMENT
    if "subject" in raw:  # a field that refines a condition (pregnancy_weeks)
        return SUBJECT + _id(raw["subject"], "subject field")
    if "checklist" in raw:
        return CHECKLIST + _id(raw["checklist"], "checklist")
    return _id(raw["question"], "question")


def _item(raw: Any) -> Item:
    key = _key(raw)
    value = raw["value"]
    if not isinstance(value, str):
        raise ValueError(f"bad answer {shown(value)} to {key}")
    if key == AGE or (key.startswith(SUBJECT) and key != EQUIPMENT):
        if value != "unknown" and not (value.isdigit() and 0 <= int(value) <= 120):
            raise ValueError(f"bad {key.removeprefix(SUBJECT).replace('_', ' ')} "
                             f"{shown(value)}")
    elif value not in (CHECKLIST_VALUES if key.startswith(CHECKLIST) else
                       EQUIPMENT_VALUES if key == EQUIPMENT else VALUES):
        raise ValueError(f"bad answer {shown(value)} to {key}")
    certainty = raw.get("certainty", 1.0)
    if isinstance(certainty, bool) or not isinstance(certainty, int | float) \
            or not 0 <= certainty <= 1:
        raise ValueError(f"bad certainty {shown(certainty)} for {key}")
    items = raw.get("items", [])
    listing = key.startswith(CHECKLIST) or (key == EQUIPMENT and value == "picked")
    if not isinstance(items, list) or (items and not listing) or len(set(items)) < len(items):
        raise ValueError(f"bad items {shown(items)} for {key}")
    picked = raw.get("picked")
    what = "equipment" if key == EQUIPMENT else "question"
    return Item(key, value, float(certainty), bool(raw.get("side_pending", False)),
                tuple(_id(i, what) for i in items),
                CHECKLIST + _id(picked, "checklist") if picked is not None else "",
                bool(raw.get("side_asked", False)))
