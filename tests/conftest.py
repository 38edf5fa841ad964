"""Shared fixtures: the tiny fixture knowledge base for unit tests, the real one for data and
case-file tests, and helpers to build cases and run the command line."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

import expert.compat  # noqa: F401  (before anything imports experta)
from expert.case import Case, parse_case
from expert.inference.reasoner import Reasoner
from expert.knowledge import KnowledgeBase, load
from expert.knowledge.locate import knowledge_base

TESTS = Path(__file__).parent
REPO = TESTS.parent
FIXTURE_KB = TESTS / "fixtures" / "kb"
SHARED = REPO.parent / "shared" / "knowledge"
CASES = REPO / "examples" / "cases"

# the tests, and every program they start, keep loaded knowledge bases in a cache folder of
# their own (expert/knowledge/cache.py), never in the user's
_CACHE = tempfile.mkdtemp(prefix="imbalance-test-cache-")
os.environ["IMBALANCE_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)


@pytest.fixture(scope="session")
def tiny_kb() -> KnowledgeBase:
    return load(FIXTURE_KB)


@pytest.fixture(scope="session")
def tiny(tiny_kb: KnowledgeBase) -> Reasoner:
    return Reasoner(tiny_kb)


@pytest.fixture(scope="session")
def real_kb() -> KnowledgeBase:
    return knowledge_base()


@pytest.fixture(scope="session")
def real(real_kb: KnowledgeBase) -> Reasoner:
    return Reasoner(real_kb)


def make_case(kb: KnowledgeBase, answers: dict[str, Any], age: int | None = None,
              case_id: str = "t", red_flags: str | None = None) -> Case:
    data: dict[str, Any] = {"id": case_id, "answers": answers}
    if age is not None:
        data["subject"] = {"age": age}
    if red_flags is not None:
        data["red_flags"] = red_flags
    return parse_case(data, "test", kb)


def answerable(kb: KnowledgeBase) -> list[tuple[str, bool]]:
    """The questions a random case may answer (id, sided), in order: all but the red flags and
    the conditions, which property tests draw on their own terms."""
    return sorted((q, r.sided) for q, r in kb.questions.items()
                  if r.category not in ("red_flag", "condition"))


def draw_answers(data: st.DataObject, kb: KnowledgeBase) -> dict[str, Any]:
    """For a hypothesis test (``data``: ``st.data()``): one to six answerable questions
    answered yes, a sided one with a side drawn."""
    picks = data.draw(st.lists(st.sampled_from(answerable(kb)), min_size=1, max_size=6,
                               unique=True))
    return {q: data.draw(st.sampled_from(["left", "right", "both"])) if sided else "yes"
            for q, sided in picks}


@pytest.fixture(scope="session")
def postgres() -> Any:
    """A throwaway PostgreSQL server (tests/pgserver.py), started once for the session."""
    from .pgserver import running_server
    yield from running_server()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each back-end: a SQLite file, and a fresh database on the
    throwaway PostgreSQL server (skipped, with the reason, when PostgreSQL is not installed:
    tests/system-deps.sh installs it)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("postgres")
    if server is None:
        pytest.skip("PostgreSQL is not installed (bash tests/system-deps.sh installs it)")
    return str(server.new_database())
