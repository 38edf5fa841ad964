"""How the pieces of evidence for one conclusion weigh together (docs/knowledge-base.md,
"Evidence families").

A conclusion is a muscle in a state on a side, or a sign on a side. Its evidence is a list of
contributions, one per rule firing (or the answer itself, for a sign observed directly):

1. A rule over symptoms alone counts at ``symptom_alone`` of its certainty unless a posture,
   movement or habit rule supports the same conclusion (domain.md §4: a symptom says little
   about which muscle is involved).
2. Alternative derivations of one rule are MYCIN's OR: only the strongest counts.
3. Rules of one evidence family read one underlying pattern from different angles. Their
   certainties are ``presence × link``: how surely the view shows the pattern, times how surely
   the pattern implicates the conclusion. Several views make the pattern surer, so they combine,
   but never beyond the family's strongest link: ``min(max link, a + b - ab ...)``. A view that
   adds nothing because the family already stands at its link is *subsumed*.
4. Families, and rules that belong to none, are independent evidence and combine with MYCIN's
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

COUNTED, ALTERNATIVE, SUBSUMED = "counted", "alternative", "subsumed"


@dataclass(frozen=True)
class Weight:
    """How much one contribution counted towards its conclusion."""

    certainty: float  # after the symptom discount
    discounted: bool  # a symptom with no posture, movement or habit rule beside it
    status: str  # counted | alternative (a stronger derivation of its rule counted) | subsumed
    family_cap: float  # the family's strongest link (1.0 outside families)


def _ranked(items: Iterable[Contribution], weight: dict[Contribution, float]
            ) -> list[Contribution]:
    return sorted(items, key=lambda c: (-weight[c], c))


def weigh(contributions: Iterable[Contribution], symptom_alone: float = 1.0
          ) -> tuple[float, dict[Contribution, Weight]]:
    """The combined certainty of one conclusion and how each contribution counted."""
    items = sorted(contributions)
    supported = any(not c.symptom for c in items)
    factor = {c: 1.0 if supported or not c.symptom else symptom_alone for c in items}
    weight = {c: c.certainty * factor[c] for c in items}
    families: dict[str, list[Contribution]] = defaultdict(list)
    for c in items:
        families[c.family_key].append(c)
    out: dict[Contribution, Weight] = {}
    totals = []
    for members in families.values():
        best_of_rule: dict[tuple[str, str], Contribution] = {}
        for c in _ranked(members, weight):
            best_of_rule.setdefault((c.rule, c.relation), c)
        cap = max(c.link * factor[c] for c in members) if members[0].family else 1.0
        total = 0.0
        for c in _ranked(members, weight):
            if best_of_rule[(c.rule, c.relation)] is not c:
                status = ALTERNATIVE
            elif total >= cap:
                status = SUBSUMED
            else:
                status = COUNTED
                total = min(cap, total + weight[c] - total * weight[c])
            out[c] = Weight(weight[c], factor[c] < 1.0, status, cap)
        totals.append(total)
    return combine(totals), out


def strength(contributions: Iterable[Contribution], symptom_alone: float = 1.0) -> float:
    """The combined certainty of one conclusion."""
    return weigh(contributions, symptom_alone)[0]
