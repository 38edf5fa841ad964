"""Text output for people, drawn from the same data as the JSON report."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..escaping import printable_data

STATE_STYLE = {"overactive": "red", "underactive": "cyan"}


def _side(side: str | None) -> str:
    return side or "—"


def _state(f: dict[str, Any]) -> str:
    return f["state"] + (" (conflict)" if f["conflict"] else "") + (
        " (inferred)" if f.get("inferred") else "")


def _show_findings(console: Console, data: dict[str, Any]) -> None:
    """Key findings first, as a table with their strongest reason; possible ones briefly."""
    threshold = data["key_threshold"]
    key = [f for f in data["findings"] if f["key"]]
    possible = [f for f in data["findings"] if not f["key"]]
    console.print()
    if key:
        table = Table(title=f"Key findings (certainty {threshold:g} or more, out of 1)",
                      title_justify="left", show_lines=False, expand=False)
        table.add_column("#", justify="right")
        table.add_column("Muscle")
        table.add_column("State")
        table.add_column("Side")
        table.add_column("Certainty", justify="right")
        table.add_column("Strongest reason", overflow="fold")
        for i, f in enumerate(key, 1):
            table.add_row(str(i), f["name"], Text(_state(f), style=STATE_STYLE[f["state"]]),
                          _side(f["side"]), f"{f['certainty']:.2f}", f["reason"])
        console.print(table)
    else:
        console.print(f"No key finding: none reaches certainty {threshold:g}.")
    if possible:
        console.print(Text(f"Possible findings (below {threshold:g}; no exercises for these):",
                           style="bold"))
        for f in possible:
            console.print(Text(f"  - {f['name']}: {_state(f)}, {_side(f['side'])}, "
                               f"{f['certainty']:.2f}"))


def show_case(console: Console, data: dict[str, Any]) -> None:
    data = printable_data(data)  # nothing from the case reaches the terminal raw
    title = f"Case {data['case_id']}"
    if data.get("title"):
        title += f" — {data['title']}"
    console.print(Text(title, style="bold"))
    console.print(f"knowledge base {data['kb_version']}", style="dim")
    referral = data["referral"]
    if referral:
        console.print()
        level = referral["level"].upper()
        console.print(Text(f"REFERRAL ({level}): {referral['message']}", style="bold red"))
        console.print(f"Red flags: {', '.join(referral['red_flags'])}")
        console.print("No findings or corrective programme are given while a red flag is "
                      "present.")
    elif data["findings"]:
        _show_findings(console, data)
    else:
        console.print()
        console.print("No probable imbalance was found from these answers.")
    if data.get("unresolved"):
        names = ", ".join(f"{u['name']} ({_side(u['side'])})" for u in data["unresolved"])
        console.print(f"Evidence pointed both ways, so nothing is reported for: {names}")
    screen = data.get("screen")
    if not referral and screen and not screen["complete"]:
        show_open_screen(console, screen)
    if data.get("program"):
        from .program_display import show_program
        show_program(console, data["program"])
    console.print()
    console.print(Text(data["disclaimer"], style="italic"))


def show_open_screen(console: Console, screen: dict[str, Any]) -> None:
    """The safety questions a case leaves open, and how to answer them."""
    console.print()
    console.print(Text(screen["message"], style="bold yellow"))
    for q in screen["open"]:
        console.print(f"  - {q['id']}: {q['question']}")
        console.print(f"    {q['how']}", style="dim")
