"""Adding up a batch: how well the knowledge base agrees with the expected answers.

Owns the run's totals. :class:`Scoreboard` takes the records one at a time (in input order) and
keeps only counters whose size depends on the knowledge base, not on the number of cases: per
state (overactive, underactive) the expected items met and the findings that answer an
expectation, side accuracy, the referral confusion matrix, a per-muscle table, certainty bins,
rule firings, and a capped list of the worst disagreements and of the load errors (with a count
of the rest). :meth:`Scoreboard.results` turns them into plain data for the summary and the
report. The definitions are in docs/batch.md; the per-case verdicts come from
:mod:`expert.batch.judgement`.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import Any

from .. import __version__
from ..findings import STATES
from ..knowledge import KnowledgeBase
from .judgement import LEVELS, SEVERITY, WORST, ratios

BINS = 10  # certainty bins of width 0.1
LOW, HIGH = 0.5, 0.7  # "low" findings are below 0.5 certain, "high" ones at least 0.7
VERDICTS = ("correct", "missed", "under_triage", "over_referral")
FOCUS = ("findings", "key", "core")  # per-case counts whose median and maximum are reported


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _median(histogram: Counter[int]) -> float | None:
    """The median of the values a histogram (value -> how many times) counts."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = ((total - 1) // 2, total // 2)   # the middle one, or the middle two
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        found += [value for index in wanted[len(found):] if index < seen]
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


class Scoreboard:
    """Running totals of a batch; memory is O(muscles + rules + cap), whatever the case count."""

    def __init__(self, kb: KnowledgeBase, cap: int = 100) -> None:
        self.kb = kb
        self.cap = cap
        self.counts: Counter[str] = Counter()
        self.states = {s: Counter[str]() for s in STATES}
        self.sides: Counter[str] = Counter()
        self.referral: Counter[tuple[str | None, str | None]] = Counter()
        self.verdicts: Counter[str] = Counter()
        self.worst: Counter[str] = Counter()
        self.referred: Counter[str] = Counter()
        self.screen_open: Counter[str] = Counter()  # open safety question -> cases
        # per case without a referral: how many findings, key findings, core exercises -> cases
        self.focus = {k: Counter[int]() for k in FOCUS}
        self.muscles: dict[tuple[str, str], Counter[str]] = {}
        self.bins = [Counter[str]() for _ in range(BINS)]
        self.rules: Counter[str] = Counter()
        self._disagreements: list[tuple[int, int, dict[str, Any]]] = []
        self.problems: list[dict[str, Any]] = []

    def _muscle(self, node: str, state: str) -> Counter[str]:
        return self.muscles.setdefault((node, state), Counter())

    def add(self, record: dict[str, Any], index: int) -> None:
        """Count one record; ``index`` is its position in the run (for stable ordering)."""
        counts = self.counts
        counts["total"] += 1
        if record["errors"]:
            counts["with_errors"] += 1
            if len(self.problems) < self.cap:
                self.problems.append({k: record[k] for k in ("case_id", "source", "line",
                                                              "errors")})
        findings = record["findings"]
        if findings is None:
            counts["failed"] += 1
            return
        counts["evaluated"] += 1
        if record["referral"]:
            self.referred[record["referral"]["level"]] += 1
        elif record.get("screen") and not record["screen"]["complete"]:
            counts["screen_open"] += 1  # the programme is withheld
            self.screen_open.update(record["screen"]["open"])
        if not record["referral"]:
            self._count_focus(record)
        self.rules.update(record["rules_fired"])
        evaluation = record["evaluation"]
        if evaluation is None:
            counts["unchecked"] += 1
            return
        counts["checked"] += 1
        counts["passed" if evaluation["passed"] else "missed"] += 1
        for state in STATES:
            if evaluation[state]:
                self.states[state].update(
                    {k: evaluation[state][k] for k in ("expected", "met", "reported", "matched")})
        for item in evaluation["items"]:
            row = self._muscle(item["item"].partition("@")[0], item["state"])
            row["expected"] += 1
            row["met"] += item["met"]
        for f in findings:
            if f["expected"] is None:
                continue
            row = self._muscle(f["muscle"], f["state"])
            row["reported"] += 1
            row["matched"] += f["expected"]
            if f.get("key"):  # what the report leads with and the programme answers
                self.states[f["state"]]["key_reported"] += 1
                self.states[f["state"]]["key_matched"] += f["expected"]
            cell = self.bins[min(int(f["certainty"] * BINS), BINS - 1)]
            cell["count"] += 1
            cell["matched"] += f["expected"]
            cell["certainty"] += f["certainty"]
        self.sides.update(evaluation["sides"])
        if evaluation["referral"]:
            ref = evaluation["referral"]
            self.referral[(ref["expected"], ref["got"])] += 1
            self.verdicts[ref["verdict"]] += 1
        if not evaluation["passed"]:
            self._disagree(record, evaluation, index)

    def _count_focus(self, record: dict[str, Any]) -> None:
        findings = record["findings"]
        self.focus["findings"][len(findings)] += 1
        self.focus["key"][sum(1 for f in findings if f.get("key"))] += 1
        core = (record.get("program") or {}).get("core")
        if core is not None:
            self.focus["core"][core] += 1

    def _focus(self) -> dict[str, Any]:
        return {k: {"cases": sum(h.values()), "total": sum(n * c for n, c in h.items()),
                    "median": _median(h), "max": max(h, default=None)}
                for k, h in self.focus.items()}

    def _disagree(self, record: dict[str, Any], evaluation: dict[str, Any], index: int) -> None:
        worst = evaluation["worst"] or "missed_finding"
        self.worst[worst] += 1
        entry = {"case_id": record["case_id"], "source": record["source"],
                 "line": record["line"], "worst": worst, "misses": evaluation["misses"],
                 "unexpected": evaluation["unexpected"]}
        key = (SEVERITY[worst], -index, entry)
        if len(self._disagreements) < self.cap:
            heapq.heappush(self._disagreements, key)
        elif key[:2] > self._disagreements[0][:2]:
            heapq.heapreplace(self._disagreements, key)

    # -- results ------------------------------------------------------------------------
    def results(self, inputs: list[str] | None = None) -> dict[str, Any]:
        """Everything the summary and the report show, as JSON-ready data."""
        c = self.counts
        shown = [e for _, _, e in sorted(self._disagreements, key=lambda k: (-k[0], -k[1]))]
        return {
            "tool_version": __version__,
            "kb_version": self.kb.version,
            "inputs": inputs or [],
            "cases": {k: c[k] for k in ("total", "evaluated", "failed", "with_errors",
                                        "checked", "passed", "missed", "unchecked")},
            "referred": dict(sorted(self.referred.items())),
            "screen": {"open": c["screen_open"],
                       "questions": [{"id": q, "cases": n} for q, n in
                                     sorted(self.screen_open.items(),
                                            key=lambda kv: (-kv[1], kv[0]))]},
            "focus": self._focus(),
            "states": {s: self._state(s) for s in STATES},
            "sides": {"checked": self.sides["checked"], "right": self.sides["right"],
                      "accuracy": _ratio(self.sides["right"], self.sides["checked"])},
            "referral": self._referral(),
            "worst": [{"kind": k, "cases": self.worst[k]} for k in WORST if self.worst[k]],
            "muscles": self._muscles(),
            "calibration": self._calibration(),
            "rules": self._rules(),
            "disagreements": {"shown": shown, "more": c["missed"] - len(shown)},
            "problems": {"shown": self.problems, "more": c["with_errors"] - len(self.problems)},
        }

    def _state(self, state: str) -> dict[str, Any]:
        s = self.states[state]
        return {k: s[k] for k in ("expected", "met", "reported", "matched", "key_reported",
                                  "key_matched")} | ratios(
            s["matched"], s["reported"], s["met"], s["expected"]) | {
            "key_precision": _ratio(s["key_matched"], s["key_reported"])}

    def _referral(self) -> dict[str, Any]:
        checked = sum(self.verdicts.values())
        names = ["none" if lv is None else lv for lv in LEVELS]
        return {
            "checked": checked, "accuracy": _ratio(self.verdicts["correct"], checked),
            **{v: self.verdicts[v] for v in VERDICTS},
            "levels": names,
            "matrix": [[self.referral[(e, g)] for g in LEVELS] for e in LEVELS],
        }

    def _muscles(self) -> list[dict[str, Any]]:
        rows = []
        for (node, state), r in self.muscles.items():
            missed, unexpected = r["expected"] - r["met"], r["reported"] - r["matched"]
            rows.append({
                "muscle": node, "name": self.kb.name(node), "state": state,
                "group": self.kb.is_group(node),
                "expected": r["expected"], "met": r["met"], "missed": missed,
                "recall": _ratio(r["met"], r["expected"]),
                "reported": r["reported"], "matched": r["matched"], "unexpected": unexpected,
                "precision": _ratio(r["matched"], r["reported"]),
            })
        return sorted(rows, key=lambda r: (-r["missed"], -r["unexpected"], -r["expected"],
                                           r["name"], r["state"]))

    def _calibration(self) -> dict[str, Any]:
        bins: list[dict[str, Any]] = []
        total, gap = 0, 0.0
        for i, cell in enumerate(self.bins):
            n = cell["count"]
            total += n
            mean = cell["certainty"] / n if n else None
            rate = cell["matched"] / n if n else None
            if n:
                assert mean is not None and rate is not None
                gap += n * abs(mean - rate)
            bins.append({"low": i / BINS, "high": (i + 1) / BINS, "count": n,
                         "matched": cell["matched"], "rate": None if rate is None else
                         round(rate, 4), "mean_certainty": None if mean is None else
                         round(mean, 4)})
        low = [b for b in bins if b["high"] <= LOW]
        high = [b for b in bins if b["low"] >= HIGH - 1e-9]
        low_rate = _ratio(sum(b["matched"] for b in low), sum(b["count"] for b in low))
        high_rate = _ratio(sum(b["matched"] for b in high), sum(b["count"] for b in high))
        return {"bins": bins, "findings": total,
                "expected_calibration_error": round(gap / total, 4) if total else None,
                "low": {"below": LOW, "rate": low_rate},
                "high": {"from": HIGH, "rate": high_rate},
                "ordered": None if low_rate is None or high_rate is None
                else high_rate > low_rate}

    def _rules(self) -> dict[str, Any]:
        kb = self.kb
        every = [(r, "rule", kb.rules[r].title, kb.rules[r].section) for r in kb.rules]
        every += [(f, "red_flag", f"{kb.red_flags[f].group} ({kb.red_flags[f].level})",
                   "red flags") for f in kb.red_flags]
        never = [{"id": r, "kind": k, "title": t, "section": s} for r, k, t, s in every
                 if not self.rules[r]]
        top = sorted(((n, r) for r, n in self.rules.items()), key=lambda x: (-x[0], x[1]))
        return {"total": len(every), "fired": len(every) - len(never), "never": never,
                "coverage": _ratio(len(every) - len(never), len(every)),
                "top": [{"id": r, "cases": n} for n, r in top[:10]]}
