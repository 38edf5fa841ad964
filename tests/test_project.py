"""The project as a newcomer gets it: lint and types clean, the knowledge base inside the
wheel, a fast --help, and modules that each import and import each other in one direction."""

from __future__ import annotations

import ast
import importlib
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


# -- the package's modules -----------------------------------------------------------------------
PACKAGE = REPO / "expert"
# modules that run something when imported: ``python -m expert``, and the store's migration
# environment (Alembic runs it with a connection)
RUNS_ON_IMPORT = ("expert.__main__", "expert.store.migrations.")


def _modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    return {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Which of the package's modules each module imports (at its top or inside a function;
    imports for type checking aside, and a package's own ``__init__`` importing its
    submodules, which Python imports first anyway)."""
    out: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        out[name] = set()
        for node in ast.walk(tree):
            if id(node) in typing_only or not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                module = node.module if not node.level else (
                    f"{base}.{node.module}" if node.module else base)
                assert module is not None
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in modules else module
                           for a in node.names]
            out[name] |= {t for t in targets
                          if t in modules and t != name and not name.startswith(t + ".")}
    return out


def test_every_module_of_the_package_imports() -> None:
    names = [n for n in _modules() if not n.startswith(RUNS_ON_IMPORT)]
    assert len(names) > 100  # the walk does find the package
    for name in names:
        importlib.import_module(name)


def test_the_package_has_no_import_cycles() -> None:
    """Modules import each other in one direction only, lazy imports inside functions too."""
    import networkx as nx

    imports = _imports(_modules())
    assert "expert.spelling" in imports["expert.case"]  # the walk does see imports
    graph = nx.DiGraph([(a, b) for a, targets in imports.items() for b in targets])
    cycles = [" -> ".join([*c, c[0]]) for c in nx.simple_cycles(graph)]
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))
