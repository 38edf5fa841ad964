"""The case the answers of a consultation make, as ``imbalance run`` would read it: each
question's answer, a checklist's no (or picks) as a no to each line it showed that has no
answer of its own, the age, the equipment at hand and the weeks of a pregnancy still answered
yes as the subject; and the case id, from the session's file name."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..case import Case, parse_case
from ..knowledge import KnowledgeBase
from ..problems import InputError
from .answers import Reply
from .questionnaire import AGE, SUBJECT
from .session import Item, Session, SessionError

CASE_ID_LENGTH = 200  # the longest case id a case file takes (expert/case.py)


def case_id(session: Session) -> str:
    """A valid case id from the session's file name, whatever it is: characters a case id
    cannot hold become ``_``, and a long name is cut, with a short hash of the whole name that
    keeps different long names apart."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", session.path.stem).strip("._-")
    if len(stem) > CASE_ID_LENGTH:
        digest = hashlib.sha1(stem.encode()).hexdigest()[:8]
        stem = f"{stem[:CASE_ID_LENGTH - 9].rstrip('._-')}_{digest}"
    return stem or "consultation"


def positive(session: Session, key: str) -> bool:
    """Is question ``key`` answered yes (or with a side) on its own?"""
    item = session.item(key)
    return item is not None and Reply(item.value, item.certainty).positive


def refining(kb: KnowledgeBase, session: Session, item: Item) -> bool:
    """Is ``item`` a subject field that refines a condition answered yes (the weeks of a
    pregnancy)? With the condition answered otherwise it no longer counts."""
    ref = kb.refinements.get(item.key.removeprefix(SUBJECT)) \
        if item.key.startswith(SUBJECT) else None
    return ref is not None and positive(session, ref.condition)


def build_case(kb: KnowledgeBase, session: Session) -> Case:
    """The case of the answers so far; SessionError (one line) if they do not make one."""
    answers: dict[str, Any] = {}
    subject: dict[str, Any] = {}
    implied = session.implied()
    for item in session.items:
        if item.key == AGE:
            if item.value.isdigit():
                subject["age"] = int(item.value)
        elif refining(kb, session, item):  # the weeks of a pregnancy still answered yes
            if item.value.isdigit():
                subject[item.key.removeprefix(SUBJECT)] = int(item.value)
        elif item.is_equipment:
            if item.equipment is not None:  # in the order of the data
                subject["equipment"] = [e for e in kb.equipment if e in item.equipment]
        elif item.is_checklist:  # its no answers each item it showed, at its place
            no = "no" if item.certainty == 1.0 else {"value": "no", "certainty": item.certainty}
            answers.update((k, no) for k in item.items if implied.get(k) is item)
        elif item.certainty == 1.0:
            answers[item.key] = item.value
        else:
            answers[item.key] = {"value": item.value, "certainty": item.certainty}
    data: dict[str, Any] = {"id": case_id(session), "answers": answers,
                            "title": f"consultation in {session.mode} mode"}
    if subject:
        data["subject"] = subject
    try:
        return parse_case(data, str(session.path), kb)
    except InputError as exc:
        raise SessionError(str(exc).splitlines()[0]) from None
