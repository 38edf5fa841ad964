"""The consultation written as a case file (docs/case-files.md) that ``imbalance run`` and
``imbalance batch`` read: the answers in the order they were given, the age and the equipment
at hand if given (``equipment: []`` is body weight only), and ``red_flags: none`` when the safety
screen was completed without a red flag. The name says the format: ``.yaml`` or ``.yml`` YAML
(with a comment saying where it comes from), ``.json`` JSON; the session's own file is refused.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..case import load_case
from ..output import same_file, write_atomic
from ..screening import screen_status
from .consultant import Consultant
from .session import now

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


class CaseFileError(ValueError):
    """A name the case file cannot be written under; the message says what to do."""


def default_path(consultant: Consultant) -> Path:
    """Next to the session file, with the same name and .yaml: consultation-….yaml."""
    session = consultant.session
    if session.case_file:
        return Path(session.case_file)
    return session.path.with_suffix(".yaml")


def check_path(consultant: Consultant, path: Path) -> str:
    """The format a case file named ``path`` is written in; CaseFileError for the session's
    own file or a name that says no case-file format."""
    if same_file(path, consultant.session.path):
        raise CaseFileError(f"{path} is this consultation's session file: saving the case there "
                            "would destroy the session; choose another name (such as "
                            f"{consultant.session.path.with_suffix('.yaml').name})")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CaseFileError(f"{path}: a case file is YAML or JSON; end the name in .yaml (or "
                            ".yml) or .json")
    return fmt


def case_data(consultant: Consultant) -> dict[str, Any]:
    """The case file's content, in the order it is written."""
    session = consultant.session
    case = consultant.case()
    data: dict[str, Any] = {
        "id": case.id,
        "title": f"Consultation ({session.mode} mode) of {session.started[:10]}",
        "reference": f"imbalance consult session {session.path.name}",
    }
    subject: dict[str, Any] = {}
    if case.subject.age is not None:
        subject["age"] = case.subject.age
    if "equipment" in case.subject.model_fields_set:
        subject["equipment"] = list(case.subject.equipment)
    for field in consultant.kb.refinements:  # the weeks of a pregnancy, when given
        if getattr(case.subject, field, None) is not None:
            subject[field] = getattr(case.subject, field)
    if subject:
        data["subject"] = subject
    if consultant.outcome().referral is None and screen_status(consultant.kb, case).complete:
        data["red_flags"] = "none"  # every safety question that could refer was answered no
    data["answers"] = {
        key: answer.value if answer.certainty == 1.0 else
        {"value": answer.value, "certainty": answer.certainty}
        for key, answer in case.answers.items()}
    return data


def case_text(consultant: Consultant, fmt: str = "yaml") -> str:
    data = case_data(consultant)
    if fmt == "json":
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    session = consultant.session
    lines = [
        f"# Written by imbalance consult ({session.mode} mode) on {now()} from "
        f"{session.path.name}.",
        "# Evaluate it with: imbalance run FILE",
        f"id: {data['id']}",
        f"title: {json.dumps(data['title'])}",
        f"reference: {json.dumps(data['reference'], ensure_ascii=False)}",
    ]
    subject = data.get("subject", {})
    if subject:
        parts = [f"age: {subject['age']}"] if "age" in subject else []
        if "equipment" in subject:
            parts.append(f"equipment: [{', '.join(subject['equipment'])}]")
        parts += [f"{field}: {value}" for field, value in subject.items()
                  if field not in ("age", "equipment")]
        lines.append(f"subject: {{{', '.join(parts)}}}")
    if "red_flags" in data:
        lines.append("red_flags: none   # the safety screen was completed: no red flag")
    if not data["answers"]:
        lines.append("answers: {}")
    else:
        lines.append("answers:")
        for key, value in data["answers"].items():
            if isinstance(value, dict):
                value = f"{{value: {value['value']}, certainty: {value['certainty']:g}}}"
            lines.append(f"  {key}: {value}")
    return "\n".join(lines) + "\n"


def save_case(consultant: Consultant, path: Path) -> Path:
    """Write the case file atomically in the format its name says, check that it reads back as
    the same case, and remember it in the session. CaseFileError for a name it cannot take."""
    fmt = check_path(consultant, path)
    write_atomic(path, case_text(consultant, fmt))
    written, case = load_case(path, consultant.kb), consultant.case()
    same = (written.answers == case.answers and written.subject == case.subject
            and written.subject.model_fields_set == case.subject.model_fields_set)
    if not same:  # pragma: no cover - a bug if it happens
        raise RuntimeError(f"{path} does not read back as the consultation's answers")
    consultant.session.case_file = str(path)
    consultant.save()
    return path
