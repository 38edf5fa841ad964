"""``imbalance consult --client ID``: the consultation kept in the client database after every
answer, resumed there, and kept as the client's assessment when complete (both back-ends)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from expert.cli import main
from expert.store import open_store

from .conftest import FIXTURE_KB


def consult(*args: str, input: str = "") -> Any:
    return CliRunner().invoke(main, ["--kb", str(FIXTURE_KB), "consult", *args], input=input)


def lines(*typed: str) -> str:
    return "\n".join(typed) + "\n"


def test_a_consultation_is_kept_resumed_and_stored(store_url: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    with open_store(store_url) as store:
        ann = store.add_client("Ann")
    first = consult("--client", str(ann.id), "--db", store_url,
                    input=lines("n", "y", "40", "y"))
    assert first.exit_code == 0, first.output
    assert "saved as you go in the client database (client 1," in first.output
    assert "End of input. Your 4 answers so far are saved in the client database" \
        in first.output
    assert "consult --client 1 --db" in first.output
    assert list(here.iterdir()) == []  # no session file: it is in the database
    with open_store(store_url) as store:
        kept = store.consultation(ann.id)
        assert kept is not None and len(kept.session["answers"]) == 4
        assert kept.session["pending"] == {"question": "carry", "part": "answer"}
        assert store.assessments(ann.id) == []

    second = consult("--client", "1", "--db", store_url,
                     input=lines("y", "r", "n", "n", "n", ""))
    assert second.exit_code == 0, second.output
    assert "Resuming the client database (client 1," in second.output
    assert "4 answers so far" in second.output and "  5. Do you carry loads" in second.output
    assert "Consultation complete." in second.output
    assert "Kept as assessment 1 of client 1 (Ann)." in second.output
    with open_store(store_url) as store:
        assert store.consultation(ann.id) is None  # done: the assessment holds it now
        [assessment] = store.assessments(ann.id)
        assert assessment.mode == "self"
        assert assessment.case_data["answers"]["carry"] == {"value": "right", "certainty": 1.0}
        assert assessment.report["findings"] is not None


def test_an_unknown_client_or_mixed_options_are_refused(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    result = consult("--client", "Ann", "--db", db)
    assert result.exit_code == 1 and "no clients yet" in result.output
    mixed = consult("--client", "1", "--session", str(tmp_path / "s.json"), "--db", db)
    assert mixed.exit_code == 2 and "leave out --session and --resume" in mixed.output
    alone = consult("--db", db)
    assert alone.exit_code == 2 and "--db goes with --client ID" in alone.output


def test_one_consultation_per_client_at_a_time(tmp_path: Path) -> None:
    import hashlib
    import tempfile

    from expert.consultation.lock import SessionLock
    db = f"sqlite:///{tmp_path / 'c.db'}"
    with open_store(db) as store:
        ann = store.add_client("Ann")
        key = hashlib.sha1(f"{store.where}\0{ann.id}".encode()).hexdigest()[:16]
    other = SessionLock()  # as another consult --client 1 holds it
    other.acquire(Path(tempfile.gettempdir()) / f"imbalance-consult-{key}")
    try:
        result = consult("--client", "1", "--db", db, input=lines("n"))
    finally:
        other.release()
    assert result.exit_code == 1
    assert "client 1's consultation is in use by another imbalance consult" in result.output
    assert "consult --client 1 --db" in result.output
