"""Reading YAML and JSON data files safely, with errors that name the file and the place.

Only safe loading is used. Duplicate mapping keys are an error (PyYAML silently keeps the last
one, which would lose an answer or a rule). Files must be UTF-8, non-empty and at most
``MAX_BYTES``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from .problems import InputError, Problem

MAX_BYTES = 1024 * 1024


# libyaml's parser is ~10x faster than the pure-Python one; the constructor stays safe either way
_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeBase):
    """A safe loader that rejects duplicate keys in a mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            continue
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"found duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """Return the text of a data file, or raise InputError saying why it cannot be read."""
    name = str(path)
    if not path.exists():
        raise InputError([Problem(name, message="no such file")])
    if path.is_dir():
        raise InputError([Problem(name, message="is a directory, not a file",
                                  hint="give the path of one case file")])
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError([Problem(
                name, message=f"file is {size / 1024 / 1024:.1f} MiB; the limit is "
                f"{max_bytes // 1024 // 1024} MiB", hint="split it into smaller files")])
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, message=f"cannot be read: {exc.strerror}")]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(
            name, message=f"is not UTF-8 text (bad byte at offset {exc.start})",
            hint="save the file as UTF-8")]) from exc
    if not text.strip():
        raise InputError([Problem(name, message="is empty")])
    return text


def parse(text: str, name: str, fmt: str) -> Any:
    """Parse YAML or JSON text; problems name the line and column."""
    if fmt == "json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError([Problem(
                name, message=f"malformed JSON at line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}")]) from exc
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError([Problem(name, message=f"malformed YAML{where}: {what}")]) from exc


def load(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Read and parse one YAML (.yaml/.yml) or JSON (.json) file."""
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse(read_text(path, max_bytes), str(path), fmt)
