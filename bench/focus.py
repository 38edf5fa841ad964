"""How focused the reports and programmes are, over the example library (issue 9, section 2).

Runs every case of ``examples/cases`` (or the paths given) through the engine and the programme
builder and prints: findings and key findings per case (median, max), core and extra exercises
per case (median, max), the core session's estimated minutes (median, max; typical and full
dose), and the same figures for anterior pelvic tilt answered alone (with the safety screen
answered). Before key findings and the core existed, a finding at or above 0.5 counts as key and
every item as core, so the script measures old and new code alike. ``--screened`` answers the
safety screen (``red_flags: none``) in every case that allows it, to measure the programmes of
cases whose screen is open.

    python bench/focus.py [--kb DIR] [--screened] [PATH ...]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

import expert.compat  # noqa: F401
from expert.case import Case, load_case, parse_case
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase, load
from expert.knowledge.locate import default_root, knowledge_base
from expert.problems import InputError
from expert.program import build_program
from expert.report import to_data

REPO = Path(__file__).resolve().parent.parent
KEY = 0.5   # the key threshold used when the report does not say


def report(kb: KnowledgeBase, reasoner: Reasoner, case: Case) -> dict[str, Any]:
    outcome = reasoner.evaluate(case)
    program = build_program(kb, case, outcome)
    return to_data(case, kb, outcome, program.to_data() if program else None)


def figures(data: dict[str, Any]) -> dict[str, Any]:
    """Counts of one report: findings, key findings, core and extra items, core minutes."""
    threshold = data.get("key_threshold", KEY)
    findings = data["findings"]
    key = [f for f in findings if f.get("key", f["certainty"] >= threshold)]
    program = data.get("program")
    items = [i for p in program["phases"] for i in p["items"]] if program else []
    core = [i for i in items if i.get("core", True)]
    minutes = ((program or {}).get("core") or {}).get("minutes") or {}
    return {"findings": len(findings), "key": len(key), "programme": program is not None,
            "referral": data["referral"] is not None,
            "core": len(core), "extras": len(items) - len(core),
            "typical": minutes.get("typical"), "full": minutes.get("full")}


def alone(kb: KnowledgeBase, question: str) -> Case:
    """A case answering one question yes, with the safety screen answered when the knowledge
    base allows saying so."""
    answers = {question: "both" if kb.questions[question].sided else "yes"}
    try:
        return parse_case({"id": f"{question}_alone", "red_flags": "none", "answers": answers},
                          "bench", kb)
    except InputError:
        return parse_case({"id": f"{question}_alone", "answers": answers}, "bench", kb)


def screened(kb: KnowledgeBase, path: Path, case: Case) -> Case:
    """The case with ``red_flags: none``, unless it says otherwise or answers a red flag yes."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "red_flags" in data:
        return case
    try:
        return parse_case({**data, "red_flags": "none"}, str(path), kb)
    except InputError:
        return case


def _stat(rows: list[dict[str, Any]], name: str) -> str:
    values = [r[name] for r in rows if r[name] is not None]
    if not values:
        return "—"
    return f"median {statistics.median(values):g}, max {max(values):g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "examples" / "cases"])
    parser.add_argument("--kb", type=Path, help="knowledge base directory (default: shipped)")
    parser.add_argument("--screened", action="store_true",
                        help="answer the safety screen (red_flags: none) where a case allows it")
    args = parser.parse_args(argv)
    kb = load(args.kb) if args.kb else knowledge_base(default_root())
    reasoner = Reasoner(kb)
    files = sorted(f for p in args.paths
                   for f in ([p] if p.is_file() else [*p.glob("*.yaml"), *p.glob("*.json")]))
    rows = []
    for f in files:
        case = load_case(f, kb)
        if args.screened:
            case = screened(kb, f, case)
        row = figures(report(kb, reasoner, case))
        row["case"] = f.stem
        rows.append(row)
    with_programme = [r for r in rows if r["programme"]]
    print(f"{len(rows)} cases, {len(with_programme)} with a programme "
          f"(knowledge base {kb.version})")
    unreferred = [r for r in rows if not r["referral"]]
    print(f"findings per case:          {_stat(rows, 'findings')}; "
          f"without a referral ({len(unreferred)}): {_stat(unreferred, 'findings')}")
    print(f"key findings per case:      {_stat(rows, 'key')}; "
          f"without a referral: {_stat(unreferred, 'key')}")
    print(f"core exercises per case:    {_stat(with_programme, 'core')}")
    print(f"extra exercises per case:   {_stat(with_programme, 'extras')}")
    print(f"core minutes, typical:      {_stat(with_programme, 'typical')}")
    print(f"core minutes, full dose:    {_stat(with_programme, 'full')}")
    worst = max(rows, key=lambda r: (r["key"], r["findings"], r["case"]), default=None)
    if worst is not None:
        print(f"most key findings: {worst['case']} ({worst['key']} key, "
              f"{worst['findings']} findings)")
    question = "anterior_pelvic_tilt"
    if question in kb.questions:
        apt = figures(report(kb, reasoner, alone(kb, question)))
        minutes = ("" if apt["typical"] is None
                   else f", core {apt['typical']:g} min ({apt['full']:g} at the full dose)")
        print(f"{question} alone: {apt['findings']} findings, {apt['key']} key, "
              f"{apt['core']} core + {apt['extras']} extra exercises{minutes}"
              + ("" if apt["programme"] else " (no programme)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
