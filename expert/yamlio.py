"""Reading YAML and JSON data files safely, with errors that name the file and the place.

Owns the input limits every command shares (case files, JSON Lines records, knowledge files,
session files): only regular files are read (a named pipe, a device or a socket is refused, so
nothing can block or stream without end), at most ``MAX_BYTES`` of them, UTF-8; data may nest at
most ``MAX_DEPTH`` levels and hold at most ``MAX_NODES`` values once YAML aliases are expanded
(a few bytes of nested aliases can stand for billions of values); duplicate mapping keys are an
error in YAML and JSON alike (parsers silently keep the last one, which would lose an answer or
a rule). Only safe YAML loading is used.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .problems import InputError, Problem, clip, shown

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 100_000
STDIN = "-"  # a case read from standard input (``imbalance run -``)

if TYPE_CHECKING:
    import yaml


@functools.cache
def _loaders() -> tuple[type, type]:
    """The safe loader, and one that also rejects duplicate keys in a mapping. yaml is imported
    here, on first use, so that a command reading only JSON (and a cached knowledge base) does
    not pay for it."""
    import yaml

    # libyaml's parser is ~10x faster than the pure-Python one; the constructor stays safe
    # either way
    safe: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(safe):
        pass

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                    _construct_mapping)
    return safe, UniqueKeyLoader


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> Any:
    import yaml

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
                f"found duplicate key {shown(key)} (first at line {seen[key] + 1})",
                key_node.start_mark)
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}" if size % (1024 * 1024) == 0 else f"{size / 1024 / 1024:.1f}"


def open_problem(name: str, exc: OSError) -> Problem:
    """What an OSError raised while opening or reading ``name`` means for the user."""
    if exc.errno == errno.ELOOP:
        return Problem(name, message="is a symbolic link loop (a link that leads back to itself)",
                       hint="point the link at a file, or give the file's own path")
    if exc.errno == errno.ENOENT:
        if os.path.islink(name):
            return Problem(name, message="is a symbolic link to a missing file "
                           f"({shown(os.readlink(name))})", hint="fix or remove the link")
        return Problem(name, message="no such file or directory")
    if exc.errno == errno.EACCES:
        return Problem(name, message="cannot be read: permission denied",
                       hint="check the file's permissions")
    return Problem(name, message=f"cannot be read: {exc.strerror or exc}")


def open_regular(path: Path | str, dir_hint: str = "give the path of a file") -> int:
    """A file descriptor of ``path`` opened for reading, or InputError when it is not a regular
    file. Opening never blocks: a named pipe would wait for a writer for ever."""
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([open_problem(name, exc)]) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as exc:
        os.close(fd)
        raise InputError([open_problem(name, exc)]) from None
    if stat.S_ISREG(mode):
        os.set_blocking(fd, True)
        return fd
    os.close(fd)
    if stat.S_ISDIR(mode):
        raise InputError([Problem(name, message="is a directory, not a file", hint=dir_hint)])
    kind = next((what for test, what in _KINDS if test(mode)), "not a regular file")
    raise InputError([Problem(name, message=f"is {kind}, not a regular file",
                              hint="save the data to a file and give that file, or pipe it "
                                   "in and give - instead")])


def display(path: Path | str) -> str:
    """The name of an input in messages: its path, or ``<stdin>``."""
    return "<stdin>" if str(path) == STDIN else str(path)


def _too_large(name: str, max_bytes: int) -> InputError:
    return InputError([Problem(name, message=f"is larger than the limit of {_mib(max_bytes)} MiB",
                               hint="split it into smaller files")])


def read_bytes(path: Path | str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file (or of standard input, ``-``) of at most ``max_bytes``; never
    more than that is read."""
    name = str(path)
    if name == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise _too_large(display(name), max_bytes)
        return data
    fd = open_regular(name)
    try:
        size = os.fstat(fd).st_size
        if size > max_bytes:
            raise InputError([Problem(
                name, message=f"file is {size / 1024 / 1024:.1f} MiB; the limit is "
                f"{_mib(max_bytes)} MiB", hint="split it into smaller files")])
        chunks: list[bytes] = []
        total = 0
        while total <= max_bytes:  # the file may have grown since fstat
            chunk = os.read(fd, max_bytes + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise _too_large(name, max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([open_problem(name, exc)]) from None
    finally:
        os.close(fd)


def read_text(path: Path | str, max_bytes: int = MAX_BYTES) -> str:
    """Return the text of a data file, or raise InputError saying why it cannot be read."""
    return decode(read_bytes(path, max_bytes), display(path))


def decode(data: bytes, name: str) -> str:
    """The UTF-8 text of a file's bytes; InputError when it is not UTF-8 or holds nothing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(
            name, message=f"is not UTF-8 text (bad byte at offset {exc.start})",
            hint="save the file as UTF-8")]) from exc
    if not text.strip():
        raise InputError([Problem(name, message="is empty")])
    return text


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _too_deep(name: str, line: int | None = None) -> InputError:
    where = f" at line {line}" if line else ""
    return InputError([Problem(name, message=f"is nested more than {MAX_DEPTH} levels "
                               f"deep{where}", hint="a case needs only a few levels")])


def _unreadable_value(name: str, exc: ValueError) -> Problem:
    text = str(exc)
    if "integer string conversion" in text:
        return Problem(name, message="holds a number of more than 4300 digits",
                       hint="write it in quotes if it is text")
    return Problem(name, message=f"holds a value that cannot be read: {clip(text)}",
                   hint="write it in quotes if it is text")


def _json_depth(data: Any) -> int:
    """How deeply JSON data nests (iteratively: deep data must not exhaust the stack)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack += [(v, depth + 1) for v in (item.values() if isinstance(item, dict)
                                               else item)]
    return deepest


def parse_json(text: str, name: str, line: int | None = None) -> Any:
    """Parse JSON text (a whole file, or line ``line`` of a JSON Lines file); problems name the
    line and column, duplicate keys and too deep nesting are errors."""
    at = (lambda ln, col: f"at column {col}") if line else (
        lambda ln, col: f"at line {ln}, column {col}")
    try:
        data = json.loads(text, object_pairs_hook=_unique_pairs)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(
            name, message=f"malformed JSON {at(exc.lineno, exc.colno)}: {exc.msg}",
            hint="one JSON object per line" if line else "")]) from None
    except _DuplicateKey as exc:
        where = line or _json_key_line(text, exc.key)
        raise InputError([Problem(
            name, message=f"duplicate key {shown(exc.key)}" + (f" at line {where}" if where
                                                                 else ""),
            hint="give each key once")]) from None
    except RecursionError:
        raise _too_deep(name, line) from None
    except ValueError as exc:  # a number of more than 4300 digits
        raise InputError([_unreadable_value(name, exc)]) from None
    if _json_depth(data) > MAX_DEPTH:
        raise _too_deep(name, line)
    return data


def _json_key_line(text: str, key: str) -> int | None:
    """The line of the second occurrence of ``key`` in one JSON object (error path only: the
    JSON parser does not keep positions, YAML's composer, which reads JSON, does)."""
    import yaml

    try:
        node = yaml.compose(text, Loader=_loaders()[0])
    except yaml.YAMLError:
        return None
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, yaml.MappingNode):
            seen = set()
            for key_node, value in item.value:
                if key_node.value == key and key in seen:
                    return int(key_node.start_mark.line) + 1
                seen.add(key_node.value)
                stack.append(value)
        elif isinstance(item, yaml.SequenceNode):
            stack += item.value
    return None


def _check_nodes(node: yaml.Node, name: str) -> None:
    """Refuse YAML nested deeper than MAX_DEPTH or holding more than MAX_NODES values once its
    aliases are expanded (an alias repeats its anchor's whole subtree). Walks the composed
    nodes, where an alias is still one shared node, so the walk stops at the limit."""
    import yaml

    count, aliased = 0, False
    visited: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(node, 1)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError([Problem(
                name, message=f"holds more than {MAX_NODES:,} values" + (
                    " once its aliases (*name) are expanded" if aliased else ""),
                hint="write the data out without aliases" if aliased else "split the file")])
        if isinstance(item, yaml.CollectionNode):
            aliased = aliased or id(item) in visited
            visited.add(id(item))
            if depth > MAX_DEPTH:
                raise _too_deep(name, item.start_mark.line + 1)
            children = ([n for pair in item.value for n in pair]
                        if isinstance(item, yaml.MappingNode) else item.value)
            stack += [(child, depth + 1) for child in children]


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text within the limits; problems name the line and column."""
    import yaml

    loader = _loaders()[1](text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, name)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "maximum nesting depth" in str(exc):
            raise _too_deep(name, mark.line + 1 if mark else None) from None
        raise InputError([Problem(name, message=f"malformed YAML{where}: {what}")]) from None
    except RecursionError:
        raise _too_deep(name) from None
    except ValueError as exc:  # a date such as 2020-13-45, a number of 5000 digits
        raise InputError([_unreadable_value(name, exc)]) from None
    finally:
        loader.dispose()


def parse(text: str, name: str, fmt: str) -> Any:
    """Parse YAML or JSON text; problems name the line and column."""
    return parse_json(text, name) if fmt == "json" else parse_yaml(text, name)


def load(path: Path, max_bytes: int = MAX_BYTES) -> Any:
    """Read and parse one YAML (.yaml/.yml) or JSON (.json) file."""
    fmt = "json" if path.suffix.lower() == ".json" else "yaml"
    return parse(read_text(path, max_bytes), display(path), fmt)
