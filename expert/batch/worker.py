"""The work done for one case in a worker process: read it, run it, judge it, return its record.

Owns the worker's state and the record of one case. :func:`start` is the pool initializer: it
loads the knowledge base and builds the :class:`~expert.inference.reasoner.Reasoner` once per
process (experta engines cannot be pickled, so each process builds its own; with ``--jobs 1`` it
runs in the main process). :func:`evaluate` takes a :class:`~expert.batch.sources.Task` and
returns a plain dict, so nothing but tuples and dicts crosses between processes. No input ever
raises: a problem becomes the record's ``errors`` (with file and line); an unexpected failure
becomes an ``internal error`` record unless ``--debug`` asks for the traceback.
"""

from __future__ import annotations

import re
import signal
from pathlib import Path
from typing import Any

from .. import (
    compat,  # noqa: F401  (before experta)
    yamlio,
)
from ..case import Case, parse_case
from ..findings import Outcome
from ..inference.reasoner import Reasoner
from ..knowledge import KnowledgeBase
from ..knowledge.locate import knowledge_base
from ..problems import InputError, Problem, clip
from ..program import build_program
from ..report import to_data
from .judgement import judge
from .sources import Task

_state: dict[str, Any] = {}
_AT_LINE = re.compile(r"\bline (\d+)")


def start(kb_path: str | None, debug: bool = False, pooled: bool = False,
          program: bool = True) -> None:
    """Pool initializer: load the knowledge base and build the engine once for this process.
    A pooled worker ignores Ctrl-C and ends quietly on SIGTERM (the default action, not the
    command line's handler it inherits): the main process stops the pool. ``program=False``
    skips building the corrective programme (the records' ``program`` is then null)."""
    if pooled:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_DFL)
    kb = knowledge_base(Path(kb_path) if kb_path else None)
    _state.clear()  # nothing of an earlier start (a cluster worker's settings) outlives it
    _state.update(kb=kb, reasoner=Reasoner(kb), debug=debug, program=program)


def evaluate(task: Task) -> dict[str, Any]:
    """The record of one task (see docs/batch.md for its fields)."""
    kb: KnowledgeBase = _state["kb"]
    record: dict[str, Any] = {
        "case_id": None, "source": task.source, "line": task.line, "kb_version": kb.version,
        "status": "ok", "referral": None, "screen": None, "findings": None, "unresolved": None,
        "program": None, "evaluation": None, "rules_fired": None, "errors": [],
    }
    try:
        _fill(record, task, kb)
    except InputError as exc:
        record["errors"].extend(_error(p, task) for p in exc.problems)
    except Exception as exc:
        if _state.get("debug"):
            raise
        record["errors"].append({"file": task.source, "line": task.line, "entry": "",
                                 "message": f"internal error: {exc.__class__.__name__}: {exc}",
                                 "hint": "run with --jobs 1 --debug for the traceback"})
    if record["errors"]:
        record["status"] = "error"
    return record


def _read(task: Task) -> tuple[Any, str]:
    """The parsed data of a task and the text it came from."""
    if task.kind == "error":
        raise InputError([Problem(task.source, "", "", task.text, task.hint)])
    if task.kind == "line":
        return yamlio.parse_json(task.text, task.source, task.line), task.text
    path = Path(task.source)
    data = task.data if task.kind == "data" else yamlio.read_bytes(path)
    if b"\x00" in data[:8192]:
        raise InputError([_binary_file(task.source)])
    text = yamlio.decode(data, task.source)
    if "\x00" in text:
        raise InputError([_binary_file(task.source)])
    return yamlio.parse(text, task.source, "json" if path.suffix.lower() == ".json"
                        else "yaml"), text


def _binary_file(source: str) -> Problem:
    return Problem(source, "", "", "is a binary file, not a case file",
                   "give a YAML or JSON case file")


def _parse(data: Any, task: Task, kb: KnowledgeBase) -> tuple[Case, list[Problem]]:
    """The case, and the problems of an invalid ``expected`` block (the case is then run
    without it, so its findings are still reported)."""
    try:
        return parse_case(data, task.source, kb), []
    except InputError as exc:
        if not all(p.entry.startswith("expected") for p in exc.problems):
            raise
        rest = {k: v for k, v in data.items() if k != "expected"}
        return parse_case(rest, task.source, kb), exc.problems


def _fill(record: dict[str, Any], task: Task, kb: KnowledgeBase) -> None:
    data, text = _read(task)
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        record["case_id"] = clip(data["id"], 200)  # the longest valid id; this one may be bad
    try:
        case, problems = _parse(data, task, kb)
    except InputError as exc:
        record["errors"].extend(_error(p, task, text) for p in exc.problems)
        return
    record["errors"].extend(_error(p, task, text) for p in problems)
    outcome = _state["reasoner"].evaluate(case)
    # the record keeps the findings and their reasons, not their derivations
    report = to_data(case, kb, outcome, _program(case, kb, outcome, record, task),
                     explained=False)
    evaluation, labels = judge(case, kb, outcome)
    referral = report["referral"]
    record.update(
        case_id=case.id,
        referral=None if referral is None else {"level": referral["level"],
                                                "red_flags": referral["red_flags"]},
        screen={"complete": report["screen"]["complete"],
                "open": [q["id"] for q in report["screen"]["open"]]},
        findings=[_finding(f, ok) for f, ok in zip(report["findings"], labels, strict=True)],
        unresolved=[f["muscle"] for f in report["unresolved"]],
        program=program_summary(report.get("program")),
        evaluation=evaluation,
        rules_fired=report["rules_fired"],
    )


def _program(case: Case, kb: KnowledgeBase, outcome: Outcome, record: dict[str, Any],
             task: Task) -> dict[str, Any] | None:
    """The case's corrective programme as report data; a failure to build it is the record's
    error, and the findings are still reported."""
    if not _state["program"]:
        return None
    try:
        program = build_program(kb, case, outcome)
        return program.to_data() if program is not None else None
    except Exception as exc:
        if _state.get("debug"):
            raise
        record["errors"].append({"file": task.source, "line": task.line, "entry": "program",
                                 "message": f"the programme could not be built: "
                                            f"{exc.__class__.__name__}: {exc}", "hint": ""})
        return None


def _finding(f: dict[str, Any], expected: bool | None) -> dict[str, Any]:
    out = {"muscle": f["muscle"], "name": f["name"], "state": f["state"], "side": f["side"],
           "certainty": f["certainty"], "key": f["key"], "conflict": f["conflict"],
           "inferred": bool(f.get("inferred", False)), "expected": expected,
           "reason": f["reason"]}
    if "members" in f:
        out["members"] = f["members"]
    return out


def program_summary(program: Any) -> dict[str, Any] | None:
    """A short account of the corrective programme in a report: item counts per phase, the
    total, and how many exercises were removed (contraindications) and findings left
    unaddressed. Tolerates the shapes a programme may take (phases as a list of mappings or as a
    mapping of lists); None when the report has no programme."""
    if program is None:
        return None
    phases: dict[str, int] = {}
    if isinstance(program, dict):
        listed = program.get("phases")
        if isinstance(listed, list):
            for i, phase in enumerate(listed):
                if isinstance(phase, dict):
                    name = next((str(phase[k]) for k in ("phase", "name", "id") if k in phase),
                                str(i + 1))
                    items: list[Any] = next((phase[k] for k in ("items", "exercises", "steps")
                                             if isinstance(phase.get(k), list)), [])
                    phases[name] = phases.get(name, 0) + len(items)
        else:
            source = listed if isinstance(listed, dict) else program
            phases = {str(k): len(v) for k, v in source.items() if isinstance(v, list)}
    elif isinstance(program, list):
        phases = {"items": len(program)}
    summary: dict[str, Any] = {"phases": phases, "items": sum(phases.values())}
    if isinstance(program, dict):  # what the programme had to leave out, when it says so
        summary |= {k: len(program[k]) for k in ("removed", "not_addressed")
                    if isinstance(program.get(k), list)}
        core = program.get("core")
        if isinstance(core, dict):  # the core, the extras and the core's typical minutes
            summary |= {"core": core.get("items"), "extras": core.get("extras"),
                        "core_minutes": program.get("core_minutes")}
    return summary


def _line_of(problem: Problem, task: Task, text: str | None) -> int | None:
    if task.line is not None:
        return task.line
    found = _AT_LINE.search(problem.message)
    if found:
        return int(found.group(1))
    if text and problem.entry and problem.entry != "(top level)":
        return entry_line(text, problem.entry, problem.message)
    return None


def _error(problem: Problem, task: Task, text: str | None = None) -> dict[str, Any]:
    return {"file": task.source, "line": _line_of(problem, task, text), "entry": problem.entry,
            "message": problem.message, "hint": problem.hint}


def entry_line(text: str, entry: str, message: str = "") -> int | None:
    """The line (1-based) of an entry such as ``answers.neck_pain`` or ``expected.overactive``
    in YAML or JSON text; for a list entry, the line of the item the message quotes. Only used
    on the error path: it parses the text once more, keeping positions."""
    import yaml

    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return None
    line = None
    for key in entry.split("."):
        if not isinstance(node, yaml.MappingNode):
            break
        for key_node, value in node.value:
            if getattr(key_node, "value", None) == key:
                line, node = key_node.start_mark.line + 1, value
                break
        else:
            break
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            value = str(getattr(item, "value", ""))
            if value and f"'{value.split('@')[0]}'" in message:
                return int(item.start_mark.line) + 1
    return line
