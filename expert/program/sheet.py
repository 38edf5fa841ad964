"""The client sheet: what a client takes home, one A4 portrait page and a weekly log.

Page one: the client's name, trainer and assessment date; what was found in plain words; the
core exercises in order, each with its picture, its dose in words, one or two cues and the
easier version; the advice for the habits the client reported; when to stop; the disclaimer.
Page two: a log to tick (the block's weeks × the sessions a week), a 0-10 score per week and
the reassessment date. Under a referral the sheet is the referral in plain words; with the
safety screen open it says the programme is on hold and which questions to answer. No ids,
certainties or rule names reach it: everything shown comes from the report's names and the
catalogue's client wording (``plain`` names, ``advice``, safety notes' ``client`` text).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from typing import Any

from ..knowledge import KnowledgeBase
from .wording import dose_words, found_groups, sessions_per_week, side_words

FORMATS = {"markdown": "sheet.md.j2", "html": "sheet.html.j2"}
MAX_CUES = 2
SHORT_PRECAUTION = 80
CUE_BUDGET = 190    # characters of cues per exercise: a second cue only when both fit


def _picture_maker() -> Callable[..., str] | None:
    try:    # the exercise pictures (expert/pictures.py); the sheet renders without them
        from ..pictures import exercise_svg
    except ImportError:
        return None
    return exercise_svg


def _cues(cues: list[str]) -> list[str]:
    out: list[str] = []
    for cue in cues[:MAX_CUES]:
        if out and sum(map(len, out)) + len(cue) > CUE_BUDGET:
            break
        out.append(cue)
    return out


def _exercise(kb: KnowledgeBase, item: dict[str, Any], number: int,
              picture: Callable[..., str] | None) -> dict[str, Any]:
    svg = ""
    if picture is not None and item["exercise"] in kb.exercises:
        svg = picture(kb, item["exercise"])
    careful = [a["advice"] for a in item.get("adaptations", [])]
    # a short precaution is a warning ("Pad the kneeling knee."); long ones explain, and stay
    # in the trainer's report
    careful += [x for x in item.get("precautions", []) if len(x) <= SHORT_PRECAUTION][:1]
    return {
        "number": number, "name": item["name"], "where": side_words(item),
        "dose": dose_words(item), "cues": _cues(item.get("cues", [])),
        "easier": (item.get("regressions") or [""])[0], "careful": said_once(careful),
        "svg": svg,
        "svg_uri": ("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
                    if svg else ""),
    }


def said_once(texts: list[str]) -> list[str]:
    """The texts with each clause said once: two conditions' adaptations (or an adaptation and
    a precaution) often end alike ("...; check with your doctor or midwife first." and "...
    Check with your doctor or midwife."), and a card has no room for the echo. A clause whose
    words are already part of one said before is left out; a text left with nothing is too."""
    said: list[str] = []
    out: list[str] = []
    for text in texts:
        kept: list[str] = []
        for clause in re.split(r"(?<=[.;])\s+", text.strip()):
            words = " ".join(re.findall(r"[a-z0-9']+", clause.lower()))
            if not words or any(f" {words} " in f" {s} " for s in said):
                if kept and kept[-1].endswith(";"):   # the clause it was joined to ends here
                    kept[-1] = kept[-1][:-1] + "."
                continue
            said.append(words)
            kept.append(clause)
        if kept:
            out.append(" ".join(kept))
    return out


def _advice(kb: KnowledgeBase, answers: Mapping[str, Any]) -> list[str]:
    """The advice of every habit question answered yes (or with a side), in catalogue order."""
    out = []
    for qid, question in kb.questions.items():
        answer = answers.get(qid)
        if question.advice is not None and answer is not None and answer.positive:
            out.append(question.advice.text)
    return out


def context(kb: KnowledgeBase, answers: Mapping[str, Any], report: dict[str, Any]
            ) -> dict[str, Any]:
    """Everything the sheet templates show, from a report (``to_data`` with its programme)
    and the case's answers (for the habit advice)."""
    program = report.get("program")
    screen = report.get("screen") or {}
    kind = ("referral" if report.get("referral") else
            "withheld" if screen and not screen.get("complete", True) else
            "programme" if program and program.get("schedule") else "nothing")
    core = [item for phase in (program or {}).get("phases", []) for item in phase["items"]
            if item["core"]]
    picture = _picture_maker() if kind == "programme" else None
    schedule = (program or {}).get("schedule")
    plan = kb.plans.get(schedule["plan"]) if schedule else None
    week_notes = list(plan.client_week_notes) if plan and plan.client_week_notes else [
        w["note"] for w in (schedule or {}).get("block", [])]
    return {
        "kind": kind, "client": report.get("client") or "", "trainer": report.get("trainer") or "",
        "date": report.get("date") or "", "title": report.get("title") or "",
        "disclaimer": report["disclaimer"], "referral": report.get("referral"),
        "questions": [q["question"] for q in screen.get("open", [])],
        "found": found_groups(kb, report.get("findings", [])),
        "exercises": [_exercise(kb, item, n, picture) for n, item in enumerate(core, 1)],
        "minutes": (program or {}).get("core_minutes"),
        "sessions": sessions_per_week(core), "schedule": schedule, "week_notes": week_notes,
        "advice": _advice(kb, answers) if kind == "programme" else [],
        "stop": [note.client for note in kb.safety_notes.values() if note.client],
    }


def render(kb: KnowledgeBase, answers: Mapping[str, Any], report: dict[str, Any],
           fmt: str) -> str:
    """The client sheet of one report in ``fmt`` (``html`` or ``markdown``)."""
    from .handout import environment

    if fmt not in FORMATS:
        raise ValueError(f"unknown sheet format {fmt!r}; use {', '.join(FORMATS)}")
    return str(environment().get_template(FORMATS[fmt]).render(
        s=context(kb, answers, report)))
