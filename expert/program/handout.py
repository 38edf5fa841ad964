"""The trainer's report: the key findings with their one-line reasons, the possible ones in
brief, and the programme's core and extras tables, as Markdown or as a self-contained HTML page,
rendered with Jinja2 templates shipped in ``expert/templates/`` from the report's data (the same
data as ``--format json``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

FORMATS = {"markdown": "handout.md.j2", "html": "handout.html.j2"}
PHASE_TITLES = {"inhibit": "Inhibit", "lengthen": "Lengthen", "activate": "Activate",
                "integrate": "Integrate"}


def side_label(item: dict[str, Any]) -> str:
    side = item.get("side")
    if item.get("bilateral"):
        return "both sides together"
    if side == "both":
        return "each side"
    return side or "—"


def condition_label(condition: dict[str, Any]) -> str:
    """A condition the programme was adapted for, with the weeks of pregnancy when they count."""
    name = str(condition["name"])
    if "weeks" not in condition:
        return name
    if condition.get("weeks_assumed"):
        return f"{name} (weeks not given: {condition['weeks']} or more assumed)"
    return f"{name} ({condition['weeks']} weeks)"


def finding_side(side: str | None) -> str:
    return side or "midline"


def md(text: Any) -> str:
    """Text safe inside a Markdown table cell or line."""
    out = " ".join(str(text if text is not None else "").split())
    for char in ("\\", "|", "*", "_", "<", ">", "[", "]", "`"):
        out = out.replace(char, "\\" + char)
    return out


def phase_title(phase: str) -> str:
    return PHASE_TITLES.get(phase, phase.capitalize())


def removed_lines(program: dict[str, Any]) -> list[dict[str, str]]:
    """What was left out, one line each; an option removed from several items is one line."""
    out: list[dict[str, str]] = []
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for r in program["removed"]:
        if r["technique"] is None:
            out.append({"name": r["name"], "phase": r["phase"], "reason": r["reason"]})
            continue
        key = (r["technique"], r["reason"])
        if key not in grouped:
            grouped[key] = {"name": f"{r['option']} option", "phase": r["phase"],
                            "reason": r["reason"], "of": []}
            out.append(grouped[key])
        grouped[key]["of"].append(r["name"])
    for line in grouped.values():
        line["name"] += " (of " + ", ".join(line.pop("of")) + ")"
    return out


@lru_cache(maxsize=1)
def environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("expert", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)
    env.filters.update(md=md, side_label=side_label, finding_side=finding_side,
                       phase_title=phase_title, condition_label=condition_label)
    return env


def render(report: dict[str, Any], fmt: str) -> str:
    """The handout of one report (``to_data`` output, with its programme) in ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown handout format {fmt!r}; use {', '.join(FORMATS)}")
    template = environment().get_template(FORMATS[fmt])
    program = report.get("program")
    options: dict[str, dict[str, Any]] = {}
    if program:
        for phase in program["phases"]:
            for item in phase["items"]:
                for option in item["options"]:
                    options.setdefault(option["technique"], option)
    removed = removed_lines(program) if program else []
    rows = [(phase["phase"], item) for phase in (program or {}).get("phases", [])
            for item in phase["items"]]
    return str(template.render(r=report, p=program, options=list(options.values()),
                               removed=removed, core=[(ph, i) for ph, i in rows if i["core"]],
                               extras=[(ph, i) for ph, i in rows if not i["core"]]))
