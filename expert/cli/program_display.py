"""Text output of the corrective programme (``imbalance run``), drawn from the report's
``program`` data: the core's one-line summary and the core items in order; in detail also what
each item works, the extras, what was left out and why, and the schedule. A table where the
console is wide enough for whole words in every column, a numbered list below that."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..program.handout import condition_label, phase_title, removed_lines, side_label
from .layout import hanging

TABLE_FROM = 100  # narrower consoles get the items as a list


def _name(item: dict[str, Any]) -> str:
    name = str(item["name"])
    if item["instead_of"]:
        name += f" (instead of {item['instead_of']['name']})"
    return name


def _works(item: dict[str, Any]) -> str:
    return ", ".join(item["target_names"] or item["checkpoint_names"])


def _table(items: list[tuple[str, dict[str, Any]]], detail: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("Phase", no_wrap=True)
    table.add_column("Exercise", min_width=16)
    table.add_column("Side", min_width=9)
    table.add_column("Dose", min_width=24)
    table.add_column("Min", justify="right", no_wrap=True)
    if detail:
        table.add_column("Works", min_width=14)
    for phase, item in items:
        name = _name(item)
        for a in item["adaptations"]:
            name += f"\n⚠ {a['label']}: {a['advice']}"
        row = [phase_title(phase), name, side_label(item), item["dose"]["text"],
               f"{item['minutes']:g}"]
        if detail:
            row.append(_works(item))
        table.add_row(*row)
    return table


def _list(console: Console, items: list[tuple[str, dict[str, Any]]], detail: bool) -> None:
    rows: list[tuple[str, Text | str]] = []
    for n, (phase, item) in enumerate(items, 1):
        text = Text.assemble(f"{phase_title(phase)}: ", (_name(item), "bold"),
                             f" — {side_label(item)}, {item['minutes']:g} min\n",
                             item["dose"]["text"])
        for a in item["adaptations"]:
            text.append(f"\n⚠ {a['label']}: {a['advice']}")
        if detail:
            text.append(f"\nworks: {_works(item)}", style="dim")
        rows.append((f"{n}.", text))
    hanging(console, rows)


def _items(console: Console, items: list[tuple[str, dict[str, Any]]], detail: bool) -> None:
    if console.width >= TABLE_FROM:
        console.print(_table(items, detail))
    else:
        _list(console, items, detail)


def show_program(console: Console, program: dict[str, Any], detail: bool = False) -> None:
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
        _items(console, [(p, i) for p, i in items if i["core"]], detail)
        extras = [(p, i) for p, i in items if not i["core"]]
        if extras and detail:
            console.print(Text("Extras if you have time", style="bold"))
            _items(console, extras, detail)
    for phase in program["phases"] if items else ():
        if not phase["items"] and phase["note"]:
            console.print(f"{phase_title(phase['phase'])}: {phase['note']}")
    for note in program["notes"]:
        console.print(note)
    removed = removed_lines(program)
    if removed and detail:
        console.print(Text("Left out:", style="bold"))
        hanging(console, [("-", f"{r['name']} ({r['phase']}): {r['reason']}")
                          for r in removed])
    if program["not_addressed"]:
        names = ", ".join(f"{u['name']} ({u['state']}, {u['side'] or '—'})"
                          for u in program["not_addressed"])
        console.print(f"No self-directed technique for: {names}")
    schedule = program["schedule"]
    if schedule:
        when = f" ({schedule['reassess']['date']})" if schedule["reassess"]["date"] else ""
        line = (f"{schedule['name']}: {schedule['weeks']} weeks, reassess in week "
                f"{schedule['reassess']['week']}{when}.")
        console.print(f"{line} {schedule['session']}" if detail else line)
