"""What a history line says about an assessment, taken from its JSON report when it is stored,
and the did-you-mean for a client named wrongly."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

_SUGGESTIONS = 3


def summarize(report: dict[str, Any], program: dict[str, Any] | None) -> dict[str, Any]:
    """``{"key": ["muscle@side state", ...], "possible": n, "referral": level|None,
    "program": bool}`` from a JSON report (docs/records.md)."""
    findings = report.get("findings") or []
    key = []
    for finding in findings:
        if not finding.get("key"):
            continue
        side = finding.get("side")
        where = f"@{side}" if side in ("left", "right") else ""
        key.append(f"{finding.get('muscle')}{where} {finding.get('state')}")
    referral = report.get("referral")
    return {"key": key, "possible": sum(1 for f in findings if not f.get("key")),
            "referral": referral.get("level") if isinstance(referral, dict) else None,
            "program": program is not None}


def client_hint(word: str, clients: list[tuple[int, str]]) -> str:
    """``did you mean 3 (Ann Lee)?`` for names close to ``word`` or containing it, else where
    to look."""
    if not clients:
        return "there are no clients yet: imbalance client add NAME"
    lowered = word.casefold()
    names = {name.casefold(): (cid, name) for cid, name in sorted(clients, reverse=True)}
    close = [n for n in names if lowered and lowered in n]
    close += [n for n in get_close_matches(lowered, list(names), n=_SUGGESTIONS, cutoff=0.6)
              if n not in close]
    if not close:
        return "imbalance client list shows the clients and their ids"
    shown = [f"{names[n][0]} ({names[n][1]})" for n in close[:_SUGGESTIONS]]
    return f"did you mean {' or '.join(shown)}?"
