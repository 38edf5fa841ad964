"""The project as a newcomer gets it: lint and types clean, the knowledge base inside the
wheel, and a fast --help."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import REPO


def _tool(name: str) -> list[str]:
    exe = Path(sys.executable).with_name(name)
    if not exe.exists() and shutil.which(name) is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return [str(exe) if exe.exists() else name]


def test_ruff_is_clean() -> None:
    done = subprocess.run([*_tool("ruff"), "check", "."], cwd=REPO, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = subprocess.run([*_tool("mypy")], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_wheel_ships_the_knowledge_base(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    [wheel] = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ["facts/kb.yaml", "facts/muscles.yaml", "facts/questions.yaml",
                 "rules/red_flags.yaml", "rules/overhead_squat.yaml"]:
        assert f"expert/_kb/{data}" in names, data
    assert "expert/cli/__init__.py" in names
    # the store's migrations run from the installed package (no alembic.ini)
    assert "expert/store/migrations/env.py" in names
    assert any(n.startswith("expert/store/migrations/versions/0001_") for n in names)


def test_help_does_not_import_the_engine() -> None:
    code = ("import sys; from expert.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('experta', 'networkx', 'pydantic', 'rich', 'yaml') "
            "if m in sys.modules]\nprint(heavy, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stderr.strip() == "[]"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    [command] = [line for line in ci.splitlines() if "pytest" in line]
    assert f"```sh\n{command}\n```" in readme
