"""From a case's recorded evidence to findings: certainties combined per muscle and side,
conflicts resolved, graph-inferred findings added where nothing direct is known, sides and groups
folded back together for reporting, and the referral.

A finding says a muscle is probably overactive or underactive on a side, how certain that is,
whether the evidence disagreed (``conflict``), whether it was inferred through the muscle graph
rather than from the rules directly (``inferred``), and which contributions support it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .certainty import net, rounded
from .evidence import strength
from .inference.ledger import Contribution, Flag, Ledger
from .knowledge import KnowledgeBase

STATES = ("overactive", "underactive")
LEVELS = ("refer", "emergency")
SignSupport = dict[tuple[str, str | None], tuple[float, list[Contribution]]]


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
    inferred: bool = False  # from graph reasoning only (weaker than direct evidence)

    def signature(self) -> tuple[object, ...]:
        rules = tuple(sorted({(c.rule, c.relation) for c in self.support}))
        against = tuple(sorted({(c.rule, c.relation) for c in self.against}))
        return (self.state, self.certainty, self.conflict, self.inferred, rules, against)


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
    signs: SignSupport
    fired: list[str] = field(default_factory=list)


def per_side(kb: KnowledgeBase, contributions: Iterable[Contribution]
             ) -> dict[tuple[str, str | None], list[Contribution]]:
    """Contributions by muscle and concrete side (left / right; None for midline muscles)."""
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


def resolve_one(muscle: str, side: str | None, contributions: list[Contribution],
                symptom_alone: float = 1.0) -> Finding:
    """Net one muscle's evidence on one side; state "" when it cancels out."""
    by_state = {s: sorted(c for c in contributions if c.state == s) for s in STATES}
    over = strength(by_state["overactive"], symptom_alone)
    under = strength(by_state["underactive"], symptom_alone)
    signed = rounded(net(over, under))
    state = "overactive" if signed > 0 else "underactive" if signed < 0 else ""
    other = "underactive" if state == "overactive" else "overactive"
    conflict = bool(by_state["overactive"]) and bool(by_state["underactive"])
    if not state:
        return Finding(muscle, "", side, 0.0, True,
                       tuple(by_state["overactive"]), tuple(by_state["underactive"]))
    return Finding(muscle, state, side, abs(signed), conflict, tuple(by_state[state]),
                   tuple(by_state[other]))


def _inferred(kb: KnowledgeBase, secondary: list[Contribution],
              direct: set[tuple[str, str | None]]) -> list[Finding]:
    """Graph-inferred findings: only where no direct evidence exists, and never a conflict of
    their own (secondary evidence pointing both ways says nothing)."""
    out = []
    for (muscle, side), contributions in per_side(kb, secondary).items():
        if (muscle, side) in direct or len({c.state for c in contributions}) != 1:
            continue
        found = resolve_one(muscle, side, contributions)
        out.append(replace(found, inferred=True))
    return out


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
            present = [m for m in members if m is not None]
            if len(present) != len(leaves) or len({m.signature() for m in present}) != 1:
                continue
            for m in leaves:
                del index[(m, side)]
            index[(gid, side)] = replace(present[0], muscle=gid, members=leaves)
    return list(index.values())


def _expansion_group(kb: KnowledgeBase, f: Finding) -> str | None:
    """The group a finding stands for when every rule behind it named a group, never the muscle
    itself: the largest such group (a rule about the core is not evidence about the diaphragm
    as such)."""
    if f.inferred or f.members or not f.support or not all(c.grouped for c in f.support):
        return None  # (a finding already folded into a group stays that group)
    named = {g for c in f.support for g in c.via}
    return min(named, key=lambda g: (-len(kb.expand(g)), g), default=None)


def _absorb_expansions(kb: KnowledgeBase, findings: list[Finding]) -> list[Finding]:
    """Report a group as the group unless evidence names its member: members reached only by
    expanding a group are gathered back into one finding about that group."""
    out: list[Finding] = []
    gathered: dict[tuple[str, str, str | None], list[Finding]] = defaultdict(list)
    for f in findings:
        group = _expansion_group(kb, f)
        if group is None:
            out.append(f)
        else:  # a midline member (no side) and paired members on both sides: one finding
            gathered[(group, f.state, f.side or "both")].append(f)
    for (group, state, side), parts in sorted(gathered.items(),
                                              key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
        leaves = {m for f in parts for m in (f.members or (f.muscle,))}
        top = max(parts, key=lambda f: (f.certainty, f.muscle))
        sides = {f.side for f in parts}
        out.append(Finding(
            group, state, None if sides == {None} else side, top.certainty,
            any(f.conflict for f in parts),
            tuple(sorted({c for f in parts for c in f.support})),
            tuple(sorted({c for f in parts for c in f.against})),
            tuple(m for m in kb.expand(group) if m in leaves)))
    return out


def _order(f: Finding) -> tuple[object, ...]:
    return (f.inferred, -f.certainty, f.state, f.muscle, f.side or "")


def _referral(kb: KnowledgeBase, flags: list[Flag]) -> Referral:
    flags = sorted(flags)
    level = max((kb.red_flags[f.rule].level for f in flags), key=LEVELS.index)
    ids: set[str] = set()
    for f in flags:
        if any(p.kind == "subject" for p in f.premises):
            ids.add(kb.red_flags[f.rule].group)
        else:
            ids |= {p.id for p in f.premises if p.kind == "answer"}
    return Referral(level, tuple(sorted(ids)), tuple(flags))


def resolve(kb: KnowledgeBase, ledger: Ledger, signs: SignSupport) -> Outcome:
    """Turn one case's ledger into reported findings, unresolved conflicts and the referral."""
    fired = sorted(set(ledger.fired))
    if ledger.flags:
        return Outcome([], [], _referral(kb, ledger.flags), signs, fired)
    params = kb.meta.inference
    threshold = params.report_threshold
    grouped = per_side(kb, ledger.muscles)
    resolved = [resolve_one(m, s, cs, params.symptom_alone) for (m, s), cs in grouped.items()]
    resolved += _inferred(kb, ledger.secondary, set(grouped))
    unresolved = [f for f in resolved if f.conflict and f.certainty < threshold]
    reported = [f for f in resolved if f.state and f.certainty >= threshold]
    findings = _absorb_expansions(kb, _fold_groups(kb, _fold_sides(reported)))
    return Outcome(sorted(findings, key=_order), sorted(_fold_sides(unresolved), key=_order),
                   None, signs, fired)
