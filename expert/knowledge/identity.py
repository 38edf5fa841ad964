"""Which knowledge base this is: a digest of its files, for comparing two copies.

Owns knowledge-base identity. The version in ``facts/kb.yaml`` says what a knowledge base claims
to be; the digest says what it is: SHA-256 over the names and bytes of the files the loader reads
(``facts/*.yaml`` and ``rules/*.yaml``), so an edited copy that kept its version number still
differs. A batch on a cluster sends its identity with every task, and a worker whose own
knowledge base differs refuses the task instead of returning other findings.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from . import files


def digest(root: Path) -> str:
    """SHA-256 (hex) of the knowledge base's files under ``root``, in sorted order."""
    hashed = hashlib.sha256()
    for folder, listed in files.folders(root):
        for path in listed or ():
            if not files.is_yaml(path) or not path.is_file():
                continue
            data = files.read(path)
            if data is None:  # no longer a regular file
                continue
            name = f"{folder}/{path.name}".encode()
            hashed.update(len(name).to_bytes(4, "big") + name)
            hashed.update(len(data).to_bytes(8, "big") + data)
    return hashed.hexdigest()


@dataclass(frozen=True)
class Identity:
    """A knowledge base as two processes can compare it: its version, the digest of its files,
    the package version that reads it, and where it lives (shown, not compared)."""

    version: str
    digest: str
    package: str
    root: str

    def same(self, other: Identity) -> bool:
        return (self.digest, self.package) == (other.digest, other.package)

    def describe(self) -> str:
        return (f"knowledge base {self.version} (digest {self.digest[:12]}, {self.root}) "
                f"read by imbalance-expert {self.package}")


def identity(root: Path, version: str) -> Identity:
    return Identity(version, digest(root), __version__, str(root))
