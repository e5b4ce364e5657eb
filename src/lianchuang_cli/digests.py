"""SHA-256 digests of bytes and files: the one digest function of the tool (reports, packs, caches)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


SHORT = 8
"""Hex digits of a digest shown to people (``village 2026.2 · 3f2a9c1e``): enough to tell two
edits of one rubric apart at a glance; the full digest is in the JSON."""


def short_digest(sha256: str) -> str:
    """The first ``SHORT`` hex digits of a digest, as reports print it."""
    return sha256[:SHORT]


def sha256_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    """The hex SHA-256 of a file's bytes and its size, read in pieces (memory stays flat)."""
    digest = hashlib.sha256()
    size = 0
    with Path(path).open("rb") as file:
        while block := file.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size
