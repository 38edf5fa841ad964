"""The per-case records as they leave the program: JSON Lines or CSV, on stdout or in a file.

Owns the output formats and the output file. A JSON Lines record is the worker's dict on one line
(fields in docs/batch.md); CSV gives one row per finding (a case without findings still gets a
row; cells that start like a spreadsheet formula are prefixed with ``'``). :class:`Output`
streams records as they arrive; with ``--out FILE`` it writes a temporary file next to FILE and
renames it over FILE only when the run finishes, so a reader never sees half a file and a failed
or stopped run leaves the old file in place. Special files (``/dev/null``, a FIFO) are written
straight through (:mod:`expert.output`). Characters a terminal would act on are escaped.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from types import TracebackType
from typing import Any

from ..escaping import csv_cell, json_text
from ..output import AtomicFile

CSV_COLUMNS = ("case_id", "source", "line", "kb_version", "status", "referral", "screen_open",
               "passed",
               "muscle", "name", "state", "side", "certainty", "key", "conflict", "inferred",
               "expected", "reason", "errors")
_NO_FINDING = {"muscle": "", "name": "", "state": "", "side": "", "certainty": "", "key": None,
               "conflict": None, "inferred": None, "expected": None, "reason": ""}


def json_line(record: dict[str, Any]) -> str:
    return json_text(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n"


def error_text(error: dict[str, Any]) -> str:
    """One error as one line: ``file:line: entry: message (hint)``."""
    where = error["file"] + (f":{error['line']}" if error.get("line") else "")
    if error.get("entry"):
        where += f": {error['entry']}"
    text = f"{where}: {error['message']}"
    return text + (f" ({error['hint']})" if error.get("hint") else "")


def _flag(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


def csv_rows(record: dict[str, Any]) -> list[list[Any]]:
    """The CSV rows of one record: one per finding, or one with empty finding columns. Cells
    that a spreadsheet would take for a formula start with ``'`` (:func:`csv_cell`)."""
    evaluation = record["evaluation"]
    head = [record["case_id"] or "", record["source"], record["line"] or "",
            record["kb_version"], record["status"],
            (record["referral"] or {}).get("level", ""),
            " ".join((record.get("screen") or {}).get("open", [])),
            _flag(evaluation["passed"]) if evaluation else ""]
    errors = "; ".join(error_text(e) for e in record["errors"])
    rows = []
    for f in record["findings"] or [_NO_FINDING]:
        row = [*head, f["muscle"], f["name"], f["state"], f["side"] or "",
               f["certainty"], _flag(f["key"]), _flag(f["conflict"]), _flag(f["inferred"]),
               _flag(f["expected"]), f["reason"], errors]
        rows.append([csv_cell(value) for value in row])
    return rows


class Output:
    """Where records go: ``with Output(path, fmt) as out: out.write(record)``."""

    def __init__(self, path: Path | None, fmt: str = "jsonl", stdout: Any = None) -> None:
        self.path = path
        self.fmt = fmt
        self._stdout = stdout  # instead of sys.stdout: anything with write(text)
        self._stream: Any = sys.stdout
        self._file: AtomicFile | None = None
        self._csv: Any = None

    def __enter__(self) -> Output:
        if self.path is None:
            self._stream = self._stdout or sys.stdout
        else:
            self._file = AtomicFile(self.path, newline="")
            self._stream = self._file.__enter__()
        if self.fmt == "csv":
            self._csv = csv.writer(self._stream, lineterminator="\n")
            self._csv.writerow(CSV_COLUMNS)
        return self

    def write(self, record: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerows(csv_rows(record))
        else:
            self._stream.write(json_line(record))

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._file is not None:
            self._file.__exit__(kind, exc, tb)
        elif kind is None:
            self._stream.flush()
