"""What the programme reads from the knowledge base that is the same for every case: the
exercise catalogue's order, the candidates of each phase, each exercise's target muscles
(groups expanded), the signs each phase answers, the muscle order and the groups a set of
muscles folds into. Computed once per knowledge base (:func:`catalogue_of`), so that a
programme costs what its case asks, not what the catalogue holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge import KnowledgeBase
from ..knowledge.exercises import PHASES, Exercise

_MEMO = "_program_catalogue"  # where the catalogue is kept on its knowledge base


@dataclass(frozen=True)
class Catalogue:
    order: dict[str, int]                          # exercise id -> catalogue position
    alternative_only: frozenset[str]               # exercises only ever used as alternatives
    candidates: dict[str, tuple[Exercise, ...]]    # phase -> its primary exercises, in order
    leaves: dict[str, tuple[str, ...]]             # exercise id -> its target muscles
    leaf_sets: dict[str, frozenset[str]]
    signs: dict[str, frozenset[str]]               # phase -> the signs its exercises answer
    muscle_order: dict[str, int]
    # groups of more than one muscle, largest first: (group, its muscles, first muscle's order)
    folds: tuple[tuple[str, frozenset[str], int], ...]

    @classmethod
    def build(cls, kb: KnowledgeBase) -> Catalogue:
        exercises = kb.exercises.values()
        alternative_only = frozenset(a for e in exercises for a in e.alternatives)
        leaves = {e.id: tuple(dict.fromkeys(leaf for t in e.targets for leaf in kb.expand(t)))
                  for e in exercises}
        muscle_order = {m: i for i, m in enumerate(kb.muscles)}
        folds = []
        for gid in sorted(kb.groups, key=lambda g: (-len(kb.expand(g)), g)):
            members = kb.expand(gid)
            if len(members) > 1:
                folds.append((gid, frozenset(members), min(muscle_order[m] for m in members)))
        return cls(
            order={eid: i for i, eid in enumerate(kb.exercises)},
            alternative_only=alternative_only,
            candidates={p: tuple(e for e in exercises
                                 if e.phase == p and e.id not in alternative_only)
                        for p in PHASES},
            leaves=leaves, leaf_sets={eid: frozenset(ls) for eid, ls in leaves.items()},
            signs={p: frozenset(s for e in exercises if e.phase == p for s in e.signs)
                   for p in PHASES},
            muscle_order=muscle_order, folds=tuple(folds))

    def fold(self, leaves: set[str]) -> tuple[str, ...]:
        """Muscles as shown: a group replaces its members when all of them are there."""
        left = set(leaves)
        out: list[tuple[int, str]] = []
        for gid, members, first in self.folds:
            if members <= left:
                out.append((first, gid))
                left -= members
        out += [(self.muscle_order[m], m) for m in left]
        return tuple(node for _, node in sorted(out))


def catalogue_of(kb: KnowledgeBase) -> Catalogue:
    """The programme's view of ``kb``, built on first use and kept on ``kb`` (a knowledge base
    is not changed once loaded; the disk cache keeps only its records, never this)."""
    found = kb.__dict__.get(_MEMO)
    if found is None:
        found = kb.__dict__[_MEMO] = Catalogue.build(kb)
    return found
