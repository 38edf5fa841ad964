"""The case ids seen so far in a run, to report duplicates, in about 8 bytes per case.

Owns duplicate detection. Finding a duplicate means remembering every id, the one thing in a
batch that grows with the number of cases; a set of strings would cost about 100 bytes per case
(10 MB per 100,000). Ids are kept as 64-bit BLAKE2b digests: recent ones in a small set, merged
now and then into one sorted ``array('Q')`` searched by bisection. Two different ids share a digest
with a probability of about n²/2⁶⁵ (3·10⁻¹⁰ for 100,000 cases).
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from hashlib import blake2b


class CaseIds:
    """``seen(case_id)`` is False the first time an id is offered, True every time after."""

    def __init__(self, batch: int = 4096) -> None:
        self._sorted = array("Q")
        self._recent: set[int] = set()
        self._batch = batch

    def seen(self, case_id: str) -> bool:
        key = int.from_bytes(blake2b(case_id.encode("utf-8"), digest_size=8).digest(), "big")
        if key in self._recent or self._contains(key):
            return True
        self._recent.add(key)
        if len(self._recent) >= self._batch:
            self._merge()
        return False

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent)

    def _contains(self, key: int) -> bool:
        i = bisect_left(self._sorted, key)
        return i < len(self._sorted) and self._sorted[i] == key

    def _merge(self) -> None:
        self._sorted = array("Q", heapq.merge(self._sorted, sorted(self._recent)))
        self._recent.clear()
