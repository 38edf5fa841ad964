"""Start-up: a command imports only what it uses. With the knowledge base in the cache, ``run``,
``batch`` and the consultation's first question import neither the YAML loader of the knowledge
base nor networkx, jinja2 or the database and PDF libraries, and ``run --format json`` no rich;
the command modules are imported only for the command that runs (and for the help)."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import expert.cli
from expert.cli import COMMANDS, main

from .conftest import CASES, REPO

HEAVY = ("networkx", "jinja2", "expert.knowledge.loader", "sqlalchemy", "weasyprint",
         "distributed")
PROBE = """
import atexit, json, sys
atexit.register(lambda: print("MODULES " + json.dumps(sorted(sys.modules)), file=sys.stderr))
sys.argv = ["imbalance", *sys.argv[1:]]
from expert.cli import main
main(prog_name="imbalance")
"""


def imported(args: list[str], cache: Path, stdin: str = "") -> set[str]:
    env = {**os.environ, "IMBALANCE_CACHE_DIR": str(cache)}
    env.pop("IMBALANCE_KB", None)
    out = None
    for _ in range(2):  # the first run fills the cache
        out = subprocess.run([sys.executable, "-c", PROBE, *args], input=stdin, text=True,
                             capture_output=True, env=env, cwd=REPO)
    assert out is not None
    line = next(x for x in out.stderr.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def heavy(modules: set[str], names: tuple[str, ...] = HEAVY) -> set[str]:
    return {n for n in names if n in modules}


@pytest.fixture(scope="module")
def json_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = yaml.safe_load((CASES / "seed_a_low_back_pain_apt.yaml").read_text())
    path = tmp_path_factory.mktemp("case") / "seed_a.json"
    path.write_text(json.dumps(data, default=str))
    return path


def test_run_imports_only_what_it_uses(tmp_path: Path, json_case: Path) -> None:
    text = imported(["run", str(json_case)], tmp_path)
    assert heavy(text, (*HEAVY, "yaml")) == set()  # a JSON case needs no YAML either
    as_json = imported(["run", str(CASES / "seed_b_groceries_left.yaml"), "--format", "json"],
                       tmp_path)
    assert heavy(as_json, ("rich", "jinja2", "expert.knowledge.loader", "sqlalchemy")) == set()


def test_batch_and_the_first_question_import_only_what_they_use(tmp_path: Path) -> None:
    batch = imported(["batch", str(CASES / "seed_b_groceries_left.yaml"), "--jobs", "1",
                      "--out", os.devnull], tmp_path)
    assert heavy(batch, (*HEAVY, "rich")) == set()
    consult = imported(["consult", "--session", str(tmp_path / "s.json")], tmp_path)
    assert heavy(consult) == set()


def test_every_command_module_is_listed() -> None:
    """A command is found through ``COMMANDS``: every module that registers one is there."""
    for info in pkgutil.iter_modules(expert.cli.__path__):
        importlib.import_module(f"expert.cli.{info.name}")
    assert set(main.commands) == set(COMMANDS)
    listed = {m for modules in COMMANDS.values() for m in modules}
    assert all(importlib.util.find_spec(f"expert.cli.{m}") for m in listed)
