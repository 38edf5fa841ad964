"""Text output for people, drawn from the same data as the JSON report.

The short report (``imbalance run``, the end of a consultation) leads with the key findings and
the core of the programme, the strongest reason of each finding given once for the findings it
explains; ``detail`` adds the possible findings, the reason of every finding, the extras, what
was left out and the schedule. Laid out for the console's width: tables where their columns fit
whole words, a numbered list below that (``LIST_BELOW``; ``DETAIL_TABLE`` with the reasons), so
that no word is broken at 60 or 80 columns.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..escaping import printable_data
from .layout import hanging, numbers_text

STATE_STYLE = {"overactive": "red", "underactive": "cyan"}
LIST_BELOW = 70  # narrower consoles get lists instead of tables
DETAIL_TABLE = 110  # the findings table with its reason column needs this many


def side_words(side: str | None) -> str:
    """A finding's side in words: "left", "both sides", "midline"."""
    return {"both": "both sides", None: "midline"}.get(side, side or "midline")


def _state(f: dict[str, Any]) -> str:
    return f["state"] + (" (conflict)" if f["conflict"] else "") + (
        " (inferred)" if f.get("inferred") else "")


def _findings_table(key: list[dict[str, Any]], detail: bool) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Muscle", min_width=18)
    table.add_column("State", min_width=11)
    table.add_column("Side", no_wrap=True)
    table.add_column("Certainty", justify="right", no_wrap=True)
    if detail:
        table.add_column("Strongest reason", min_width=30, ratio=1)
    for i, f in enumerate(key, 1):
        row: list[Any] = [str(i), f["name"], Text(_state(f), style=STATE_STYLE[f["state"]]),
                          f["side"] or "midline", f"{f['certainty']:.2f}"]
        if detail:
            row.append(f["reason"])
        table.add_row(*row)
    return table


def _finding_line(f: dict[str, Any]) -> Text:
    return Text.assemble((f["name"], "bold"), ": ", (_state(f), STATE_STYLE[f["state"]]),
                         f", {side_words(f['side'])}, {f['certainty']:.2f}")


def _show_findings(console: Console, data: dict[str, Any], detail: bool) -> None:
    """Key findings first, with their strongest reasons; possible ones in detail, else counted."""
    threshold = data["key_threshold"]
    key = [f for f in data["findings"] if f["key"]]
    possible = [f for f in data["findings"] if not f["key"]]
    console.print()
    if key:
        console.print(Text(f"Key findings (certainty {threshold:g} or more, out of 1)",
                           style="bold"))
        wide = console.width >= (DETAIL_TABLE if detail else LIST_BELOW)
        if wide:
            console.print(_findings_table(key, detail))
        else:
            hanging(console, [(f"{i}.", _finding_line(f)) for i, f in enumerate(key, 1)])
        if not (detail and wide):
            _show_reasons(console, key, detail)
    else:
        console.print(f"No key finding: none reaches certainty {threshold:g}.")
    if not possible:
        return
    if detail:
        console.print(Text(f"Possible findings (below {threshold:g}; no exercises for these):",
                           style="bold"))
        hanging(console, [("-", Text(f"{f['name']}: {_state(f)}, {side_words(f['side'])}, "
                                     f"{f['certainty']:.2f}")) for f in possible])
    else:
        n = len(possible)
        console.print(f"{n} possible finding{'s' if n != 1 else ''} below {threshold:g} "
                      f"{'get' if n != 1 else 'gets'} no exercises.")


def _show_reasons(console: Console, key: list[dict[str, Any]], detail: bool) -> None:
    """The strongest reason of each key finding, once for all the findings it explains (in
    detail, one per finding)."""
    grouped: dict[str, list[int]] = {}
    for i, f in enumerate(key, 1):
        grouped.setdefault(f["reason"] if not detail else f"{i}\0{f['reason']}", []).append(i)
    console.print(Text("Strongest reason" + (" of each:" if detail else "s:"), style="bold"))
    hanging(console, [("-", Text.assemble((numbers_text(numbers) + ":", "bold"), " ",
                                          reason.split("\0")[-1]))
                      for reason, numbers in grouped.items()])


def show_case(console: Console, data: dict[str, Any], detail: bool = False,
              more: str = "", disclaimer: bool = True, heading: bool = True) -> None:
    """The report as text: ``detail`` for everything, ``more`` says how to see the rest (a
    line of prose, then optionally a command line after a newline), ``disclaimer`` false where
    it was already shown (the consultation says it first), ``heading`` false to leave out the
    case's id and title (a consultation has its own)."""
    data = printable_data(data)  # nothing from the case reaches the terminal raw
    title = f"Case {data['case_id']}"
    if data.get("title"):
        title += f" — {data['title']}"
    if heading:
        console.print(Text(title, style="bold"))
    if detail:
        console.print(f"knowledge base {data['kb_version']}", style="dim")
    referral = data["referral"]
    if referral:
        console.print()
        level = referral["level"].upper()
        console.print(Text(f"REFERRAL ({level}): {referral['message']}", style="bold red"))
        if detail:
            console.print(f"Red flags: {', '.join(referral['red_flags'])}")
        console.print("No findings or corrective programme are given while a red flag is "
                      "present.")
    elif data["findings"]:
        _show_findings(console, data, detail)
    else:
        console.print()
        console.print("No probable imbalance was found from these answers.")
    if data.get("unresolved"):
        names = ", ".join(f"{u['name']} ({side_words(u['side'])})" for u in data["unresolved"])
        console.print(f"Evidence pointed both ways, so nothing is reported for: {names}")
    screen = data.get("screen")
    if not referral and screen and not screen["complete"]:
        show_open_screen(console, screen)
    program = data.get("program")
    if program:
        from .program_display import show_program
        show_program(console, program, detail)
    hidden = not detail and (any(not f["key"] for f in data["findings"]) or (program and (
        any(not i["core"] for p in program["phases"] for i in p["items"])
        or program["removed"] or program["schedule"])))
    if hidden and more and not referral:
        console.print()
        intro, _, command = more.partition("\n")
        console.print(Text(intro, style="dim"))
        if command:  # a command line is never broken: it is copied as it stands
            console.print(Text(f"  {command}", style="dim"), soft_wrap=True)
    if disclaimer:
        console.print()
        console.print(Text(program["disclaimer"] if program else data["disclaimer"],
                           style="italic"))


def show_open_screen(console: Console, screen: dict[str, Any]) -> None:
    """The safety questions a case leaves open, and how to answer them."""
    console.print()
    console.print(Text(screen["message"], style="bold yellow"))
    hanging(console, [("-", Text.assemble(f"{q['id']}: {q['question']}\n",
                                          (q["how"], "dim"))) for q in screen["open"]])
