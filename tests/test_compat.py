"""The experta compatibility shim."""

import collections
import subprocess
import sys

from expert import compat


def test_experta_imports_through_the_shim() -> None:
    code = "import expert.compat, experta; print(experta.KnowledgeEngine.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "KnowledgeEngine"


def test_experta_fails_without_the_shim_on_this_python() -> None:
    # documents why the shim exists: frozendict 1.2 subclasses collections.Mapping
    out = subprocess.run([sys.executable, "-c", "import experta"], capture_output=True, text=True)
    assert out.returncode != 0 and "Mapping" in out.stderr


def test_shim_only_adds_missing_names(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sentinel = object()
    monkeypatch.setattr(collections, "Mapping", sentinel, raising=False)
    monkeypatch.delattr(collections, "MutableMapping", raising=False)
    added = compat.install()
    assert collections.Mapping is sentinel
    assert "MutableMapping" in added and "Mapping" not in added
    assert collections.MutableMapping is collections.abc.MutableMapping
