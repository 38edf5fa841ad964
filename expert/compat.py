"""Compatibility shim that lets experta 1.9.4 import on Python 3.10+.

experta pins ``frozendict==1.2``, which subclasses ``collections.Mapping``; the ABC aliases in
``collections`` were removed in Python 3.10. Importing this module before experta puts the
aliases back. It only adds names that are missing and touches nothing else, so it is a no-op on
interpreters (or frozendict releases) that do not need it.
"""

from __future__ import annotations

import collections
import collections.abc

_ALIASES = ("Mapping", "MutableMapping", "Sequence", "MutableSequence", "Set", "MutableSet",
            "Iterable", "Iterator", "Callable", "Hashable", "Sized", "Container")


def install() -> list[str]:
    """Restore the missing ``collections`` ABC aliases; return the names that were added."""
    added = []
    for name in _ALIASES:
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
            added.append(name)
    return added


INSTALLED = install()
