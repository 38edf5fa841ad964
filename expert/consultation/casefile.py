"""The consultation written as a case file (docs/case-files.md) that ``imbalance run`` and
``imbalance batch`` read: the answers in the order they were given, the age and the equipment
at hand if given (``equipment: []`` is body weight only)."""

from __future__ import annotations

import json
from pathlib import Path

from ..case import load_case
from ..output import write_atomic
from .consultant import Consultant
from .session import now


def default_path(consultant: Consultant) -> Path:
    """Next to the session file, with the same name and .yaml: consultation-….yaml."""
    session = consultant.session
    if session.case_file:
        return Path(session.case_file)
    return session.path.with_suffix(".yaml")


def case_text(consultant: Consultant) -> str:
    session = consultant.session
    case = consultant.case()
    lines = [
        f"# Written by imbalance consult ({session.mode} mode) on {now()} from "
        f"{session.path.name}.",
        "# Evaluate it with: imbalance run FILE",
        f"id: {case.id}",
        f"title: {json.dumps(f'Consultation ({session.mode} mode) of {session.started[:10]}')}",
        f"reference: {json.dumps(f'imbalance consult session {session.path.name}')}",
    ]
    subject = []
    if case.subject.age is not None:
        subject.append(f"age: {case.subject.age}")
    if "equipment" in case.subject.model_fields_set:
        subject.append(f"equipment: [{', '.join(case.subject.equipment)}]")
    if subject:
        lines.append(f"subject: {{{', '.join(subject)}}}")
    if not case.answers:
        lines.append("answers: {}")
    else:
        lines.append("answers:")
        for key, answer in case.answers.items():
            value = (answer.value if answer.certainty == 1.0 else
                     f"{{value: {answer.value}, certainty: {answer.certainty:g}}}")
            lines.append(f"  {key}: {value}")
    return "\n".join(lines) + "\n"


def save_case(consultant: Consultant, path: Path) -> Path:
    """Write the case file atomically, check that it reads back as the same case, and remember
    it in the session."""
    write_atomic(path, case_text(consultant))
    written, case = load_case(path, consultant.kb), consultant.case()
    same = (written.answers == case.answers and written.subject == case.subject
            and written.subject.model_fields_set == case.subject.model_fields_set)
    if not same:  # pragma: no cover - a bug if it happens
        raise RuntimeError(f"{path} does not read back as the consultation's answers")
    consultant.session.case_file = str(path)
    consultant.session.save()
    return path
