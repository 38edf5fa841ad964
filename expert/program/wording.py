"""Plain words for the client sheet: what was found, said with the muscles' ``plain`` names
from the catalogue (muscles sharing one are named together); each exercise's dose in words
("hold 30 seconds, 1 to 3 times, each side"); and how many sessions a week to tick."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..knowledge import KnowledgeBase

# NASM tempo: lowering (eccentric), pause (isometric), lifting (concentric), in seconds
_TEMPO = re.compile(r"^(\d+)-(\d+)-(\d+)$")
_COUNT = {1: "once", 2: "twice"}
MAX_NAMED = 4      # plain names per sentence; the trainer's report lists every finding


def plain_name(kb: KnowledgeBase, node: str) -> str:
    """What a client calls a muscle or group (the catalogue's ``plain``; its name otherwise)."""
    record = kb.muscles.get(node) or kb.groups.get(node)
    if record is None:
        return node.replace("_", " ")
    return record.plain or record.name.lower()


def _listed(names: list[str]) -> str:
    if len(names) > MAX_NAMED:
        names = [*names[:MAX_NAMED - 1], "a few others"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def found_groups(kb: KnowledgeBase, findings: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The key findings by state, each a phrase of plain names in the report's order (the most
    certain first), one-sided ones with their side: ``{"overactive": "hip flexors and
    lower-back muscles", "underactive": "left lower shoulder-blade muscles"}`` ('' for a state
    without key findings)."""
    named: dict[str, list[str]] = {"overactive": [], "underactive": []}
    for f in findings:
        if not f.get("key") or f.get("state") not in named:
            continue
        side = f["side"] if f.get("side") in ("left", "right") else ""
        phrase = f"{side} {plain_name(kb, f['muscle'])}".strip()
        if phrase not in named[f["state"]]:
            named[f["state"]].append(phrase)
    return {state: _listed(names) if names else "" for state, names in named.items()}


def _times(span: list[int] | tuple[int, int]) -> str:
    low, high = span
    if low == high:
        return _COUNT.get(low, f"{low} times")
    return f"{low} to {high} times"


def _span(span: list[int] | tuple[int, int], unit: str = "") -> str:
    low, high = span
    text = str(low) if low == high else f"{low} to {high}"
    return f"{text} {unit}".rstrip()


def _sets(span: list[int] | tuple[int, int]) -> str:
    low, high = span
    return f"{_span(span)} set{'' if low == high == 1 else 's'}"


def side_words(item: dict[str, Any]) -> str:
    """Where to do an exercise: '' (both sides together), 'each side', 'left side only'."""
    if item.get("bilateral") or item.get("side") is None:
        return ""
    if item["side"] == "both":
        return "each side"
    return f"{item['side']} side only"


def dose_words(item: dict[str, Any]) -> str:
    """An item's dose as a client reads it: 'Hold 30 seconds, 1 to 3 times, each side.'"""
    dose = item["dose"]
    sets, reps, hold = dose.get("sets"), dose.get("reps"), dose.get("hold_s")
    parts: list[str] = []
    if hold and reps:
        parts.append(f"{_span(reps, 'holds')} of {_span(hold, 'seconds')}")
        if sets:
            parts.append(_sets(sets))
    elif hold:
        parts.append(f"hold {_span(hold, 'seconds')}" + (f", {_times(sets)}" if sets else ""))
    elif reps:
        text = f"{_span(reps, 'times')}"
        tempo = dose.get("tempo") or ""
        match = _TEMPO.match(tempo)
        if match:
            down, pause, up = match.groups()
            text += f", slowly (lower over {down} seconds, pause {pause}, lift in {up})"
        elif tempo:
            text += f", {tempo}"
        parts.append(text)
        if sets:
            parts.append(_sets(sets))
    elif sets:
        parts.append(_sets(sets))
    where = side_words(item)
    if where:
        parts.append(where)
    text = "; ".join(parts) if reps else ", ".join(parts)
    return text[:1].upper() + text[1:] + "." if text else ""


def sessions_per_week(items: Iterable[dict[str, Any]]) -> int:
    """The sessions a week the log asks for: the most frequent phase's least number of days
    (stretching 5 of 5-7 days), so every exercise gets at least its lowest frequency."""
    lows = [item["dose"]["days_per_week"][0] for item in items
            if item.get("dose") and item["dose"].get("days_per_week")]
    return max(lows, default=3)
