"""From a case's recorded evidence to findings: certainties combined per muscle and side,
conflicts resolved, sides and groups folded back together for reporting, and the referral.

A finding says a muscle is probably overactive or underactive on a side, how certain that is,
whether the evidence disagreed (``conflict``), and which contributions support it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from .certainty import combine, net, rounded
from .inference.engine import strongest_per_rule
from .inference.ledger import Contribution, Flag, Ledger
from .knowledge import KnowledgeBase

STATES = ("overactive", "underactive")
LEVELS = ("refer", "emergency")


@dataclass(frozen=True)
class Finding:
    muscle: str
    state: str
    side: str | None
    certainty: float
    conflict: bool
    support: tuple[Contribution, ...]
    against: tuple[Contribution, ...] = ()
    members: tuple[str, ...] = ()  # for a group finding: the muscles it stands for

    def signature(self) -> tuple[object, ...]:
        rules = tuple(sorted({c.rule for c in self.support}))
        against = tuple(sorted({c.rule for c in self.against}))
        return (self.state, self.certainty, self.conflict, rules, against)


@dataclass(frozen=True)
class Referral:
    level: str
    red_flags: tuple[str, ...]
    flags: tuple[Flag, ...]


@dataclass
class Outcome:
    findings: list[Finding]
    unresolved: list[Finding]
    referral: Referral | None
    signs: dict[tuple[str, str | None], tuple[float, list[Contribution]]]
    fired: list[str] = field(default_factory=list)


def _per_side(kb: KnowledgeBase, contributions: list[Contribution]
              ) -> dict[tuple[str, str | None], list[Contribution]]:
    out: dict[tuple[str, str | None], list[Contribution]] = defaultdict(list)
    for c in contributions:
        if not kb.muscles[c.target].paired:
            out[(c.target, None)].append(c)
        elif c.side == "both":
            out[(c.target, "left")].append(c)
            out[(c.target, "right")].append(c)
        else:
            out[(c.target, c.side)].append(c)
    return out


def _resolve(muscle: str, side: str | None, contributions: list[Contribution]) -> Finding:
    by_state = {s: sorted(c for c in contributions if c.state == s) for s in STATES}
    over = combine(strongest_per_rule(by_state["overactive"]))
    under = combine(strongest_per_rule(by_state["underactive"]))
    signed = rounded(net(over, under))
    state = "overactive" if signed > 0 else "underactive" if signed < 0 else ""
    other = "underactive" if state == "overactive" else "overactive"
    conflict = bool(by_state["overactive"]) and bool(by_state["underactive"])
    if not state:  # evenly balanced: no direction, keep all the evidence
        return Finding(muscle, "", side, 0.0, True,
                       tuple(by_state["overactive"]), tuple(by_state["underactive"]))
    return Finding(muscle, state, side, abs(signed), conflict, tuple(by_state[state]),
                   tuple(by_state[other]))


def _fold_sides(findings: list[Finding]) -> list[Finding]:
    """A muscle with the same finding on the left and the right is reported once, on both."""
    by_muscle: dict[str, dict[str | None, Finding]] = defaultdict(dict)
    for f in findings:
        by_muscle[f.muscle][f.side] = f
    out = []
    for sides in by_muscle.values():
        left, right = sides.get("left"), sides.get("right")
        if left and right and left.signature() == right.signature():
            out.append(replace(left, side="both"))
        else:
            out.extend(sides.values())
    return out


def _fold_groups(kb: KnowledgeBase, findings: list[Finding]) -> list[Finding]:
    """A group whose every muscle has the same finding on the same side is reported as the
    group; larger groups are tried first."""
    index = {(f.muscle, f.side): f for f in findings}
    for gid in sorted(kb.groups, key=lambda g: (-len(kb.expand(g)), g)):
        leaves = kb.expand(gid)
        for side in ("both", "left", "right", None):
            members = [index.get((m, side)) for m in leaves]
            if not all(members):
                continue
            first = members[0]
            assert first is not None
            if len({m.signature() for m in members if m}) != 1:
                continue
            for m in leaves:
                del index[(m, side)]
            index[(gid, side)] = replace(first, muscle=gid, members=leaves)
    return list(index.values())


def _order(f: Finding) -> tuple[object, ...]:
    return (-f.certainty, f.state, f.muscle, f.side or "")


def resolve(kb: KnowledgeBase, ledger: Ledger,
            signs: dict[tuple[str, str | None], tuple[float, list[Contribution]]]) -> Outcome:
    """Turn one case's ledger into reported findings, unresolved conflicts and the referral."""
    fired = sorted(set(ledger.fired))
    if ledger.flags:
        flags = sorted(ledger.flags)
        level = max((kb.red_flags[f.rule].level for f in flags), key=LEVELS.index)
        ids = set()
        for f in flags:
            premises = [p for p in f.premises if p.kind == "answer"]
            if any(p.kind == "subject" for p in f.premises):
                ids.add(kb.red_flags[f.rule].group)
            else:
                ids |= {p.id for p in premises}
        return Outcome([], [], Referral(level, tuple(sorted(ids)), tuple(flags)), signs, fired)
    threshold = kb.meta.inference.report_threshold
    resolved = [_resolve(m, s, cs) for (m, s), cs in _per_side(kb, ledger.muscles).items()]
    unresolved = [f for f in resolved if f.conflict and f.certainty < threshold]
    reported = [f for f in resolved if f.state and f.certainty >= threshold]
    findings = _fold_groups(kb, _fold_sides(reported))
    return Outcome(sorted(findings, key=_order), sorted(_fold_sides(unresolved), key=_order),
                   None, signs, fired)
