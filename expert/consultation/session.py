"""The state of one consultation and its file: the mode, the answers in the order they were
given, the question being asked. Saved atomically as JSON after every answer, so a killed or
interrupted consultation resumes at the same question.

File format (``format_version`` 1)::

    {"format": "imbalance-consultation", "format_version": 1, "mode": "self",
     "kb_version": "0.1.0", "started": "2025-01-31T10:00:00", "updated": "...",
     "answers": [{"question": "saddle_numbness", "value": "no"},
                 {"question": "carry_load_one_hand", "value": "yes", "certainty": 0.6,
                  "side_pending": true},
                 {"subject": "age", "value": "41"}],
     "pending": {"question": "carry_load_one_hand", "part": "side"},
     "complete": false, "case_file": null}

``side_pending`` marks a yes to a sided question whose side is being asked; a yes without it is
a yes whose side is not known.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..output import write_atomic
from .answers import SIDES
from .questionnaire import AGE, MODES

FORMAT = "imbalance-consultation"
FORMAT_VERSION = 1
VALUES = ("yes", "no", "unknown", *SIDES)
PARTS = ("answer", "side")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class SessionError(ValueError):
    """A session file that cannot be resumed; the message is one line."""


@dataclass
class Item:
    """One answer: ``key`` a question id or AGE; ``value`` as in case files (or the age)."""

    key: str
    value: str
    certainty: float = 1.0
    side_pending: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = ({"subject": "age"} if self.key == AGE else {"question": self.key})
        out["value"] = self.value
        if self.certainty != 1.0:
            out["certainty"] = self.certainty
        if self.side_pending:
            out["side_pending"] = True
        return out


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

    # -- answers --------------------------------------------------------------------------
    def index(self, key: str) -> int | None:
        return next((i for i, item in enumerate(self.items) if item.key == key), None)

    def item(self, key: str) -> Item | None:
        i = self.index(key)
        return None if i is None else self.items[i]

    def answered(self) -> set[str]:
        return {item.key for item in self.items}

    # -- the file -------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT, "format_version": FORMAT_VERSION, "mode": self.mode,
            "kb_version": self.kb_version, "started": self.started, "updated": now(),
            "answers": [item.to_json() for item in self.items],
            "pending": (None if self.pending is None else
                        {("subject" if self.pending.key == AGE else "question"):
                         ("age" if self.pending.key == AGE else self.pending.key),
                         "part": self.pending.part}),
            "complete": self.complete, "case_file": self.case_file,
        }

    def save(self) -> None:
        write_atomic(self.path, json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> Session:
        """Read a session file; SessionError (one line) if it is missing, corrupt or from an
        incompatible version."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SessionError(f"{path}: no such session file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SessionError(f"{path}: cannot be read ({exc})") from None
        except json.JSONDecodeError as exc:
            raise SessionError(f"{path}: not a consultation session (corrupt JSON at line "
                               f"{exc.lineno})") from None
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
        if version != FORMAT_VERSION:
            raise ValueError(f"format version {version}; this program reads version "
                             f"{FORMAT_VERSION}")
        mode = data["mode"]
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        items = [_item(raw) for raw in data["answers"]]
        keys = [item.key for item in items]
        if len(set(keys)) != len(keys):
            raise ValueError("a question is answered twice")
        pending = data.get("pending")
        if pending is not None:
            key = _key(pending)
            part = pending.get("part", "answer")
            if part not in PARTS:
                raise ValueError(f"unknown part {part!r}")
            pending = Pending(key, part)
        case_file = data.get("case_file")
        return cls(path, mode, str(data.get("kb_version", "")), items, pending,
                   bool(data.get("complete", False)),
                   case_file if isinstance(case_file, str) else None,
                   str(data.get("started", now())))


def _key(raw: Any) -> str:
    if not isinstance(raw, dict):
        raise ValueError("an answer is a mapping")
    if raw.get("subject") == "age":
        return AGE
    key = raw["question"]
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError(f"bad question id {key!r}")
    return key


def _item(raw: Any) -> Item:
    key = _key(raw)
    value = raw["value"]
    if not isinstance(value, str):
        raise ValueError(f"bad answer {value!r} to {key}")
    if key == AGE:
        if value != "unknown" and not (value.isdigit() and 0 <= int(value) <= 120):
            raise ValueError(f"bad age {value!r}")
    elif value not in VALUES:
        raise ValueError(f"bad answer {value!r} to {key}")
    certainty = raw.get("certainty", 1.0)
    if isinstance(certainty, bool) or not isinstance(certainty, int | float) \
            or not 0 <= certainty <= 1:
        raise ValueError(f"bad certainty {certainty!r} for {key}")
    return Item(key, value, float(certainty), bool(raw.get("side_pending", False)))
