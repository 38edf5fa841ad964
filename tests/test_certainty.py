"""MYCIN certainty arithmetic."""

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from expert.certainty import combine, conjunction, net

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def test_combining_evidence_strengthens_belief() -> None:
    assert combine([0.6, 0.5]) == pytest.approx(0.8)
    assert combine([0.6]) == 0.6
    assert combine([]) == 0.0


@given(st.lists(unit, min_size=1, max_size=6))
def test_combination_is_bounded_and_order_free(values: list[float]) -> None:
    total = combine(values)
    assert max(values) - 1e-12 <= total <= 1.0
    for perm in itertools.islice(itertools.permutations(values), 24):
        assert combine(perm) == total  # bit-for-bit: values are sorted before combining


def test_all_premises_take_the_weakest() -> None:
    assert conjunction([0.9, 0.4, 0.7]) == 0.4


def test_opposing_evidence_nets_like_mycin() -> None:
    assert net(0.8, 0.0) == 0.8
    assert net(0.0, 0.6) == -0.6
    assert net(0.8, 0.5) == pytest.approx(0.6)  # (0.8 - 0.5) / (1 - 0.5)
    assert net(0.5, 0.5) == 0.0
    assert net(1.0, 1.0) == 0.0
