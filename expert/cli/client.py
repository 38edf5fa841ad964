"""``imbalance client``: the people whose assessments are kept (add, list, show, export,
delete); see docs/records.md."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click

from . import examples, main
from .printing import dump, emit, say, stdout_dash
from .storage import client_of, db_option, open_db

SEXES = ("female", "male", "other")


@main.group()
def client() -> None:
    """Clients and their assessments, kept in the client database (--db, IMBALANCE_DB).

    \b
    Examples:
      imbalance client add "Ann Lee" --birth-year 1984 --sex female
      imbalance run case.yaml --client 1 --date 2026-01-05
      imbalance client show 1
    """


@client.command("add", epilog=examples(
    'imbalance client add "Ann Lee" --birth-year 1984 --sex female',
    'imbalance client add A-017 --notes "knee surgery 2023; goal: run 10 km"'))
@click.argument("name")
@click.option("--birth-year", type=int, metavar="YYYY", help="Year of birth.")
@click.option("--sex", type=click.Choice(SEXES), help="As case files take it.")
@click.option("--notes", default="", help="Free notes (goals, history, contact).")
@db_option
def add(name: str, birth_year: int | None, sex: str | None, notes: str,
        db_url: str | None) -> None:
    """Add a client: NAME is a display name or a pseudonym. Prints the new client's id."""
    with open_db(db_url) as store:
        added = store.add_client(name, birth_year, sex, notes)
    click.echo(f"{added.id}")
    say(f"Added client {added.id}: {added.name} ({store.where}).")


@client.command("list", epilog=examples("imbalance client list",
                                        "imbalance client list --search lee --format json"))
@click.option("--search", metavar="TEXT", help="Only clients whose name or notes contain TEXT.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@db_option
def list_clients(search: str | None, fmt: str, db_url: str | None) -> None:
    """The clients, with how many assessments each has and the date of the last."""
    with open_db(db_url) as store:
        clients = store.find_clients(search)
        tallies = store.tallies([c.id for c in clients])
    if fmt == "json":
        emit(dump([{**c.to_data(), "assessments": count,
                    "last": last.isoformat() if last else None}
                   for c in clients for count, last in [tallies[c.id]]]), None)
        return
    if not clients:
        say("No clients" + (f" matching {search!r}." if search else
                            " yet: imbalance client add NAME"))
        return
    rows = [["ID", "NAME", "BORN", "SEX", "ASSESSMENTS", "LAST"]]
    for c in clients:
        count, last = tallies[c.id]
        rows.append([str(c.id), c.name, str(c.birth_year or "-"), c.sex or "-", str(count),
                     last.isoformat() if last else "-"])
    emit(_table(rows), None)


@client.command("show", epilog=examples("imbalance client show 1",
                                        "imbalance client show 1 --format json"))
@click.argument("client_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@db_option
def show(client_id: str, fmt: str, db_url: str | None) -> None:
    """The client and the history of assessments (key findings, referral, programme)."""
    with open_db(db_url) as store:
        person = client_of(store, client_id)
        history = store.history(person.id)
        consultation = store.consultation(person.id)
    if fmt == "json":
        emit(dump({"client": person.to_data(),
                   "consultation_in_progress": None if consultation is None else
                   consultation.updated.isoformat(),
                   "assessments": [{"number": h.number, "date": h.date.isoformat(),
                                    "mode": h.mode, "key_findings": list(h.key_findings),
                                    "possible": h.possible, "referral": h.referral,
                                    "program": h.program, "kb_version": h.kb_version}
                                   for h in history]}), None)
        return
    about = ", ".join(x for x in (f"born {person.birth_year}" if person.birth_year else "",
                                  person.sex or "") if x)
    lines = [f"Client {person.id}: {person.name}" + (f" ({about})" if about else "")]
    if person.notes:
        lines.append(f"Notes: {person.notes}")
    if consultation is not None:
        lines.append(f"A consultation is in progress (last answer {_when(consultation.updated)}):"
                     f" imbalance consult --client {person.id}")
    if not history:
        lines.append(f"No assessments yet: imbalance run CASE --client {person.id}")
        emit("\n".join(lines) + "\n", None)
        return
    lines.append("")
    rows = [["#", "DATE", "MODE", "KEY", "POSSIBLE", "OUTCOME"]]
    for h in history:
        outcome = f"referral ({h.referral})" if h.referral else \
            "programme" if h.program else "no programme"
        rows.append([str(h.number), h.date.isoformat(), h.mode, str(len(h.key_findings)),
                     str(h.possible), outcome])
    table = _table(rows).splitlines()
    out = [*lines, table[0]]
    for h, row in zip(history, table[1:], strict=True):
        out.append(row)
        if h.key_findings:  # the key findings of each assessment, under its line
            out += textwrap.wrap(", ".join(h.key_findings), width=96, initial_indent="   ",
                                 subsequent_indent="   ", break_on_hyphens=False)
    emit("\n".join(out) + "\n", None)


@client.command("export", epilog=examples("imbalance client export 1 --out ann.json"))
@click.argument("client_id", metavar="ID")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), callback=stdout_dash,
              help="Write the JSON to this file (atomically) instead of stdout.")
@db_option
def export(client_id: str, out: Path | None, db_url: str | None) -> None:
    """Everything held about the client, as JSON: the client, every assessment (the case as
    answered, the report and programme as given) and any consultation in progress."""
    with open_db(db_url) as store:
        data = store.export(client_of(store, client_id).id)
    emit(dump(data), out)


@client.command("delete", epilog=examples(
    "imbalance client export 1 --out ann.json    # a copy first",
    "imbalance client delete 1"))
@click.argument("client_id", metavar="ID")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@db_option
def delete(client_id: str, yes: bool, db_url: str | None) -> None:
    """Delete the client with every assessment and any consultation in progress. This cannot
    be undone (imbalance client export ID keeps a copy first)."""
    with open_db(db_url) as store:
        person = client_of(store, client_id)
        count = len(store.history(person.id))
        consultation = store.consultation(person.id)
        if not yes:
            what = f"{count} assessment{'s' if count != 1 else ''}"
            if consultation is not None:
                what += (" and the consultation in progress (last answer "
                         f"{_when(consultation.updated)})")
            click.confirm(f"Delete client {person.id} ({person.name}) with {what}? This cannot "
                          "be undone", abort=True, err=True)
        deleted = store.delete_client(person.id)
    say(f"Deleted client {person.id} ({person.name}): {deleted.assessments} assessment"
        f"{'s' if deleted.assessments != 1 else ''}"
        + (" and the consultation in progress." if deleted.consultation else "."))


def _when(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def _table(rows: list[list[Any]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths,
                                                                           strict=True))
                   .rstrip() + "\n" for row in rows)
