"""Text output of the corrective programme (``imbalance run``), drawn from the report's
``program`` data: the core's one-line summary, the core items phase by phase, the extras, what
was left out and why, and the schedule."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..program.handout import condition_label, phase_title, removed_lines, side_label


def _table(items: list[tuple[str, dict[str, Any]]], title: str | None) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    table.add_column("Phase")
    table.add_column("Exercise", overflow="fold")
    table.add_column("Side")
    table.add_column("Dose", overflow="fold")
    table.add_column("Min", justify="right")
    table.add_column("Works", overflow="fold")
    for phase, item in items:
        name = item["name"]
        if item["instead_of"]:
            name += f" (instead of {item['instead_of']['name']})"
        for a in item["adaptations"]:
            name += f"\n⚠ {a['label']}: {a['advice']}"
        works = ", ".join(item["target_names"] or item["checkpoint_names"])
        table.add_row(phase_title(phase), name, side_label(item), item["dose"]["text"],
                      f"{item['minutes']:g}", works)
    return table


def show_program(console: Console, program: dict[str, Any]) -> None:
    console.print()
    console.print(Text("Corrective programme (inhibit → lengthen → activate → integrate)",
                       style="bold"))
    if program["conditions"]:
        console.print("Adapted for: " + ", ".join(condition_label(c)
                                                  for c in program["conditions"]))
    items = [(p["phase"], i) for p in program["phases"] for i in p["items"]]
    if items:
        core = program.get("core")
        if core:
            console.print(Text(core["line"]))
        console.print(_table([(p, i) for p, i in items if i["core"]], None))
        extras = [(p, i) for p, i in items if not i["core"]]
        if extras:
            console.print(_table(extras, "Extras if you have time"))
    for phase in program["phases"] if items else ():
        if not phase["items"] and phase["note"]:
            console.print(f"{phase_title(phase['phase'])}: {phase['note']}")
    for note in program["notes"]:
        console.print(note)
    removed = removed_lines(program)
    if removed:
        console.print("Left out:")
        for r in removed:
            console.print(f"  - {r['name']} ({r['phase']}): {r['reason']}")
    if program["not_addressed"]:
        names = ", ".join(f"{u['name']} ({u['state']}, {u['side'] or '—'})"
                          for u in program["not_addressed"])
        console.print(f"No self-directed technique for: {names}")
    schedule = program["schedule"]
    if schedule:
        when = f" ({schedule['reassess']['date']})" if schedule["reassess"]["date"] else ""
        console.print(f"{schedule['name']}: {schedule['weeks']} weeks, reassess in week "
                      f"{schedule['reassess']['week']}{when}. {schedule['session']}")
    console.print(Text(program["disclaimer"], style="italic"))
