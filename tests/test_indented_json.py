"""The fast indented JSON (expert/indented_json.py) writes exactly what
``json.dumps(data, indent=2, ensure_ascii=False)`` writes: on every report of the case library,
on arbitrary JSON-like data, and with the same error for what JSON cannot hold."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from expert import indented_json
from expert.case import load_case
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase
from expert.program import build_program
from expert.report import to_data

from .conftest import CASES


def standard(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)


def test_every_library_report_is_byte_identical(real_kb: KnowledgeBase,
                                                real: Reasoner) -> None:
    cases = sorted(CASES.glob("*.yaml"))
    assert len(cases) > 50
    for path in cases:
        case = load_case(path, real_kb)
        outcome = real.evaluate(case)
        program = build_program(real_kb, case, outcome)
        data = to_data(case, real_kb, outcome, program.to_data() if program else None)
        assert indented_json.dumps(data) == standard(data), path.name


scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([1e-05, 1e16, -0.0, 5e-324, 0.1 + 0.2])
           | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"])))
keys = (st.text(max_size=8) | st.integers(-5, 5) | st.floats(allow_nan=False)
        | st.booleans() | st.none())
values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(keys, inner, max_size=5)),
    max_leaves=40)


@settings(max_examples=300, deadline=None)
@given(values)
def test_any_json_data_is_byte_identical(data: Any) -> None:
    assert indented_json.dumps(data) == standard(data)


@pytest.mark.parametrize("data", [
    {"a": [1, {2, 3}]},                 # a set
    {"a": {"b": object()}},             # an object JSON cannot hold
    [{"k": {(1, 2): "tuple key"}}],     # a key JSON cannot hold
])
def test_what_json_cannot_hold_fails_as_before(data: Any) -> None:
    with pytest.raises(TypeError) as expected:
        standard(data)
    with pytest.raises(TypeError) as got:
        indented_json.dumps(data)
    assert str(got.value) == str(expected.value)


def test_a_cycle_fails_as_before() -> None:
    data: list[Any] = [1]
    data.append({"again": data})
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json.dumps(data)


def test_nan_is_written_as_the_standard_library_writes_it() -> None:
    data = {"x": [math.nan, math.inf, -math.inf], "y": {"z": math.nan}}
    assert indented_json.dumps(data) == standard(data)
