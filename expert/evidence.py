"""How the pieces of evidence for one conclusion weigh together (docs/knowledge-base.md,
"Evidence families").

A conclusion is a muscle in a state on a side, or a sign on a side. Its evidence is a list of
contributions, one per rule firing (or the answer itself, for a sign observed directly):

1. A rule over symptoms alone counts at ``symptom_alone`` of its certainty unless a posture,
   movement or habit rule supports the same conclusion (domain.md §4: a symptom says little
   about which muscle is involved).
2. One observation is one piece of evidence: contributions that rest on a common answer (forward
   head posture read as upper crossed syndrome *and* as the head-forward compensation), and
   alternative derivations of one rule (MYCIN's OR), count once, by the strongest of them. So do
   links that a single edition alone makes (the CES long lists put the latissimus dorsi in both
   crossed syndromes): one source repeating itself is not independent evidence.
3. Pieces of one evidence family read one underlying pattern from different angles. Each is
   ``presence × link``: how surely the view shows the pattern, times how surely the pattern
   implicates the conclusion. Several views make the pattern surer, so they combine, but never
   beyond the family's strongest link: ``min(max link, a + b - ab ...)``. A view that adds
   nothing because its family already stands at that link is *subsumed*.
4. Families, and pieces that belong to none, are independent evidence and combine with MYCIN's
   ``a + b - ab``.

Everything is sorted before it is added up, so the result does not depend on the order rules
fired in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .certainty import combine
from .inference.ledger import Contribution

COUNTED, SAME_GROUNDS, SUBSUMED = "counted", "same_grounds", "subsumed"


@dataclass(frozen=True)
class Weight:
    """How much one contribution counted towards its conclusion."""

    certainty: float  # after the symptom discount
    discounted: bool  # a symptom with no posture, movement or habit rule beside it
    status: str  # counted | same_grounds (a stronger route from the same answers or rule
    #              counted instead) | subsumed (its family already stood at its link)
    family_cap: float  # the family's strongest link (1.0 outside families)
    instead: Contribution | None = None  # for same_grounds: the route that counted


def _pieces(items: list[Contribution]) -> list[list[Contribution]]:
    """Contributions joined when they share an answer, a rule or a lone edition: one piece of
    evidence each."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[str, int] = {}
    for i, c in enumerate(items):
        keys = [f"answer:{g}" for g in c.grounds]
        if c.rule:
            keys.append(f"rule:{c.rule}@{c.relation}")
        if len(c.editions) == 1:
            keys.append(f"edition:{c.editions[0]}")
        for key in keys:
            if key in seen:
                parent[root(i)] = root(seen[key])
            else:
                seen[key] = i
    pieces: dict[int, list[Contribution]] = defaultdict(list)
    for i, c in enumerate(items):
        pieces[root(i)].append(c)
    return list(pieces.values())


def weigh(contributions: Iterable[Contribution], symptom_alone: float = 1.0
          ) -> tuple[float, dict[Contribution, Weight]]:
    """The combined certainty of one conclusion and how each contribution counted."""
    items = sorted(contributions)
    supported = any(not c.symptom for c in items)
    factor = {c: 1.0 if supported or not c.symptom else symptom_alone for c in items}
    weight = {c: c.certainty * factor[c] for c in items}
    out: dict[Contribution, Weight] = {}
    families: dict[str, list[Contribution]] = defaultdict(list)
    for piece in _pieces(items):
        ranked = sorted(piece, key=lambda c: (-weight[c], c))
        best = ranked[0]
        families[best.family_key].append(best)
        for c in ranked[1:]:
            out[c] = Weight(weight[c], factor[c] < 1.0, SAME_GROUNDS, 1.0, best)
    totals = []
    for members in families.values():
        cap = max(c.link * factor[c] for c in members) if members[0].family else 1.0
        total = 0.0
        for c in sorted(members, key=lambda c: (-weight[c], c)):
            status = SUBSUMED if total >= cap else COUNTED
            if status == COUNTED:
                total = min(cap, total + weight[c] - total * weight[c])
            out[c] = Weight(weight[c], factor[c] < 1.0, status, cap)
        totals.append(total)
    return combine(totals), out


def strength(contributions: Iterable[Contribution], symptom_alone: float = 1.0) -> float:
    """The combined certainty of one conclusion: what :func:`weigh` adds up, without the
    bookkeeping (the engine calls this for every muscle and sign of every case). Ties between
    contributions cannot change the sum, so nothing needs sorting but the numbers."""
    items = list(contributions)
    if not items:
        return 0.0
    supported = any(not c.symptom for c in items)
    if len(items) == 1:
        c = items[0]
        return c.certainty * (1.0 if supported else symptom_alone)
    factor = 1.0 if supported else symptom_alone
    families: dict[str, list[float]] = defaultdict(list)
    caps: dict[str, float] = {}
    for piece in _pieces(items):
        best = min(piece, key=lambda c: (-c.certainty, c))  # ties as weigh() breaks them
        w = best.certainty * (1.0 if supported or not best.symptom else factor)
        families[best.family_key].append(w)
        if best.family:
            f = 1.0 if supported or not best.symptom else factor
            caps[best.family_key] = max(caps.get(best.family_key, 0.0), best.link * f)
    totals = []
    for key, weights in families.items():
        cap = caps.get(key, 1.0)
        total = 0.0
        for w in sorted(weights, reverse=True):
            if total >= cap:
                break
            total = min(cap, total + w - total * w)
        totals.append(total)
    return combine(totals)
