"""The comparison for people: plain text for the terminal, and the reassessment sheet as Markdown
or a self-contained HTML page (Jinja2 templates in ``expert/templates/``, with the handout's
print styles), from the comparison's data (the same data as ``--format json``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..program.handout import environment as handout_environment
from ..program.handout import phase_title, side_label

FORMATS = {"markdown": "compare.md.j2", "html": "compare.html.j2"}
TITLES = {"resolved": "Resolved", "persisting": "Persisting", "new": "New",
          "possible": "Possible both times"}
STATUS = {"progressed": "one step harder", "regressed": "one step easier",
          "kept": "kept", "new": "new"}


def certainty(value: dict[str, Any] | None) -> str:
    if value is None:
        return "not found"
    return f"{value['certainty']:.2f} {'key' if value['key'] else 'possible'}"


def side_text(side: str | None) -> str:
    return side or "—"


def progression_text(item: dict[str, Any]) -> str:
    """How an item moved on: its status and the step it takes now."""
    prog = item.get("progression")
    if not prog:
        return ""
    steps = [s for s in (prog.get("exercise_step"), prog.get("dose_step")) if s]
    status = STATUS.get(prog["status"], prog["status"])
    if prog["status"] == "regressed" and prog.get("exercise_step"):
        return f"{status}: easier version — {prog['exercise_step']}"
    return status + (": " + "; ".join(steps) if steps and prog["status"] != "new" else "")


def items(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    program = data.get("program") or {}
    return [(p["phase"], i) for p in program.get("phases", []) for i in p["items"]]


def text(data: dict[str, Any]) -> str:
    """The comparison as plain text."""
    a, b = data["before"], data["after"]
    lines = [f"Reassessment: {a['label']} ({a['date'] or 'no date'}) -> {b['label']} "
             f"({b['date'] or 'no date'})",
             f"knowledge base {data['kb_version']}; key findings have certainty "
             f"{data['key_threshold']:g} or more", ""]
    sheet = data["sheet"]
    lines.append("What changed since last time")
    lines += [f"  - {line}" for line in sheet["changes"]] or ["  - No answer changed."]
    lines += [f"  - {line}" for line in sheet["meaning"]]
    lines += [f"  {sheet['plan']}", ""]
    s = data["summary"]
    lines.append(f"Findings: {s['resolved']} resolved, {s['persisting']} persisting, "
                 f"{s['new']} new")
    if data.get("note"):
        lines.append(f"  {data['note']}")
    for kind in ("resolved", "persisting", "new"):
        lines.append(f"  {TITLES[kind]}")
        entries = data["findings"][kind]
        if not entries:
            lines.append("    none")
        for e in entries:
            why = f"  (changed by: {', '.join(e['explained_by'])})" if e["explained_by"] else ""
            lines.append(f"    {e['name']} {e['state']} ({side_text(e['side'])}): "
                         f"{certainty(e['before'])} -> {certainty(e['after'])}{why}")
    lines += ["", "Answers that changed"]
    if not data["answers"]:
        lines.append("  none")
    for ans in data["answers"]:
        lines.append(f"  {ans['observation']}: {ans['before']} -> {ans['after']}")
        for what in ans["explains"]:
            lines.append(f"      explains {what}")
    if data["together"]:
        lines.append("  Explained only by the changes together: " + ", ".join(data["together"]))
    lines += ["", "Progressed programme"]
    program = data.get("program")
    if data["after"]["referral"]:
        lines.append(f"  None: the reassessment refers ({data['after']['referral']}).")
    elif program is None:
        lines.append("  Withheld: the safety screen of the reassessment is incomplete.")
    else:
        if program.get("core"):
            lines.append(f"  {program['core']['line']}")
        for phase, item in items(data):
            mark = "core " if item["core"] else "extra"
            lines.append(f"  {mark} {phase_title(phase):9} {item['name']} "
                         f"({side_label(item)}): {item['dose']['text']}")
            how = progression_text(item)
            if how:
                lines.append(f"        {how}")
        schedule = program.get("schedule")
        if schedule and schedule["reassess"]["date"]:
            lines.append(f"  Next reassessment: {schedule['reassess']['date']}")
    if data["dropped"]:
        lines += ["", "Dropped from the last block"]
        lines += [f"  {d['name']} ({d['phase']}): {d['reason']}" for d in data["dropped"]]
    lines += ["", data["disclaimer"]]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def environment() -> Any:
    """The handouts' template environment (one set of templates), with the filters the
    reassessment sheet adds."""
    env = handout_environment()
    env.filters.update(certainty=certainty, side_text=side_text, progression=progression_text)
    return env


def render(data: dict[str, Any], fmt: str) -> str:
    """The reassessment sheet in ``fmt`` (markdown or html)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}")
    template = environment().get_template(FORMATS[fmt])
    return str(template.render(d=data, rows=items(data), titles=TITLES))
