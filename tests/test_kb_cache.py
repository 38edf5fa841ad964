"""The knowledge-base cache (expert/knowledge/cache.py): a hit gives the same knowledge base
without reading the YAML, any change of content is a miss, a corrupt or truncated cache file is
ignored and rewritten, an unusable cache folder is skipped, and a knowledge base with problems
is never cached (kb check and run still report them)."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from expert.knowledge import cache, loader
from expert.problems import InputError

from .conftest import FIXTURE_KB, REPO


@pytest.fixture()
def kb_copy(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(FIXTURE_KB, root)
    return root


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(where))
    return where


def entries(where: Path) -> list[Path]:
    return sorted(where.glob("kb-*.pickle"))


def no_yaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading the knowledge files fails: only a cache hit can load."""
    def refuse(root: Path) -> None:
        raise AssertionError(f"the knowledge files at {root} were read")
    monkeypatch.setattr(loader, "load", refuse)


def test_miss_then_hit_gives_the_same_knowledge_base(
        kb_copy: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = cache.load(kb_copy)
    [entry] = entries(folder)
    no_yaml(monkeypatch)
    again = cache.load(kb_copy)
    assert again == fresh and again is not fresh
    assert again.files == fresh.files and again.version == fresh.version
    assert entries(folder) == [entry]


def test_a_changed_file_is_read_again_even_with_the_same_size_and_time(
        kb_copy: Path, folder: Path) -> None:
    first = cache.load(kb_copy)
    muscles = kb_copy / "facts" / "muscles.yaml"
    text = muscles.read_text()
    name = next(m.name for m in first.muscles.values() if m.name[0].isupper())
    changed = name[0].lower() + name[1:]  # same length: same size
    info = muscles.stat()
    muscles.write_text(text.replace(f"name: {name}", f"name: {changed}", 1))
    os.utime(muscles, ns=(info.st_atime_ns, info.st_mtime_ns))  # same modification time
    assert muscles.stat().st_size == info.st_size
    second = cache.load(kb_copy)
    assert changed in {m.name for m in second.muscles.values()}
    assert len(entries(folder)) == 2


def test_a_new_file_or_another_package_version_is_a_miss(
        kb_copy: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = cache.key(kb_copy)
    (kb_copy / "rules" / "notes.txt").write_text("not read by the loader, still in the key")
    assert cache.key(kb_copy) != before
    after_file = cache.key(kb_copy)
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.key(kb_copy) not in (before, after_file)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other layout"])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
        kb_copy: Path, folder: Path, damage: str) -> None:
    fresh = cache.load(kb_copy)
    [entry] = entries(folder)
    good = entry.read_bytes()
    entry.write_bytes({"garbage": b"\x80\x05not a pickle at all",
                       "truncated": good[: len(good) // 2],
                       "empty": b"",
                       "other layout": pickle.dumps(("another layout", "x", {}))}[damage])
    assert cache.load(kb_copy) == fresh
    assert entry.read_bytes() == good  # written again


def test_an_unwritable_cache_folder_is_skipped_silently(
        kb_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be created
    assert cache.load(kb_copy).muscles
    assert not (blocker / "cache").exists()


def test_a_folder_others_can_write_to_is_not_used(kb_copy: Path, folder: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cache.load(kb_copy)
    [entry] = entries(folder)
    folder.chmod(0o777)  # anybody could have put a pickle there: it is never read
    monkeypatch.setattr(cache, "_read_file", lambda path: pytest.fail("read " + str(path)))
    assert cache.load(kb_copy).muscles
    folder.chmod(0o700)
    assert entries(folder) == [entry]


def test_an_empty_setting_turns_the_cache_off(kb_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv(cache.ENV, "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() is None
    assert cache.load(kb_copy).muscles
    assert not (tmp_path / "xdg").exists()


def test_xdg_cache_home_is_the_default_place(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.delenv(cache.ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.folder() == tmp_path / "imbalance-expert"


def test_a_knowledge_base_with_problems_is_not_cached(kb_copy: Path, folder: Path) -> None:
    muscles = kb_copy / "facts" / "muscles.yaml"
    muscles.write_text(muscles.read_text().replace("muscles:", "muscle:", 1))
    with pytest.raises(InputError):
        cache.load(kb_copy)
    assert entries(folder) == []


def test_file_names_follow_the_working_folder(kb_copy: Path, folder: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The loader names files relative to the working folder when inside it: a hit from
    another folder must not bring back the names of the first."""
    monkeypatch.chdir(kb_copy)
    inside = cache.load(kb_copy)
    monkeypatch.chdir(kb_copy.parent.parent)
    outside = cache.load(kb_copy)
    assert outside.files == loader.load(kb_copy).files
    assert set(inside.files.values()) != set(outside.files.values())


def test_every_module_the_loader_runs_is_in_the_key() -> None:
    """A change to the code that reads the files must be a miss: every module of the package
    that loading imports is hashed into the key."""
    code = ("import sys, expert.compat, expert.knowledge.loader; "
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() "
            "if n.startswith('expert') and getattr(m, '__file__', None)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO).stdout.split()
    hashed = {p.resolve() for p in cache.code_files()}
    assert {Path(f).resolve() for f in out} <= hashed


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "expert", *args], capture_output=True,
                          text=True, env=env, cwd=REPO)


def test_the_command_line_uses_the_cache_and_kb_check_still_reports(
        kb_copy: Path, folder: Path) -> None:
    env = {**os.environ, cache.ENV: str(folder)}
    first = run(["--kb", str(kb_copy), "kb", "questions"], env)
    assert first.returncode == 0, first.stderr
    assert len(entries(folder)) == 1
    second = run(["--kb", str(kb_copy), "kb", "questions"], env)
    assert (second.returncode, second.stdout, second.stderr) == (0, first.stdout, first.stderr)
    # a broken knowledge base: kb check and run say what is wrong, cache or not
    rules = kb_copy / "rules" / "fixture.yaml"
    rules.write_text(rules.read_text() + "\nbogus_section: []\n")
    check = run(["--kb", str(kb_copy), "kb", "check"], env)
    assert check.returncode == 1 and "bogus_section" in check.stderr
    used = run(["--kb", str(kb_copy), "kb", "questions"], env)
    assert used.returncode == 1 and "bogus_section" in used.stderr
    assert len(entries(folder)) == 1
