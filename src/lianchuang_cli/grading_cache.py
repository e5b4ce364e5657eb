"""Re-grading without re-parsing (``--cache DIR``): parsed evidence kept by the digest of its bytes.

Parsing is most of the cost of grading a file. An entry holds what reading a YAML evidence file
produced — its plain values and where each indicator's key is — as JSON, with decimals written
as text so that they come back exact (never pickle: a cache folder may be shared, and loading a
pickle can run code). An entry is named by the SHA-256 of the file's bytes, so an edited file
simply misses; entries live in a folder named for the tool version and a fingerprint of the
reading code, so a new version never reads an old entry.

The rubric is deliberately not part of the key: entries do not depend on it, and after a rubric
edit every unchanged file is validated and scored again from its cached values against the new
rubric. A cached document that has to locate a problem parses the file's bytes at that moment,
so every message is exactly what a fresh read gives. The cache is an optimisation only: an
unreadable, corrupt or unwritable entry is a miss, never an error. Workbooks are not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from lianchuang_cli import __version__
from lianchuang_cli.errors import Problem
from lianchuang_cli.reading.document import Location
from lianchuang_cli.reading.yaml_reader import SourceDocument, _read_regular_file, parse_yaml

ENTRY_FORMAT = 1
"""Bump when the entry layout changes."""

_DECIMAL = "$d"
"""The one key of the object standing for a decimal; real keys starting with "$" get one more."""

_INDICATORS = ("indicators",)


@cache
def _reader_fingerprint() -> str:
    """Digest of the reading code: values read by other code must never be served."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).with_name("reading").glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


class CachedDocument:
    """A YAML evidence document served from the cache; it parses its bytes only to locate problems.

    It answers like the ``SourceDocument`` the same bytes give (``reading.document.Document``).
    """

    form: ClassVar[str] = "yaml"

    def __init__(
        self, name: str, data: Any, sha256: str, indicator_keys: dict[str, Location], raw: bytes
    ) -> None:
        self.name = name
        self.data = data
        self.sha256 = sha256
        self._indicator_keys = indicator_keys
        self._raw = raw
        self._source: SourceDocument | None = None

    def _parsed(self) -> SourceDocument:
        if self._source is None:
            self._source = parse_yaml(self._raw, name=self.name)
        return self._source

    def location(self, loc: Sequence[str | int], *, key: bool = False) -> Location:
        """Where the value at ``loc`` (or its key) is."""
        return self._parsed().location(loc, key=key)

    def key_locations(self, loc: Sequence[str | int]) -> dict[str, Location]:
        """Where each key of the mapping at ``loc`` is; the indicators' come from the entry."""
        if tuple(loc) == _INDICATORS:
            return dict(self._indicator_keys)
        return self._parsed().key_locations(loc)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line of the file."""
        return self._parsed().line_text(line)

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """A problem located at ``loc``."""
        return self._parsed().problem(loc, message, key=key)

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems from the top of the file down."""
        return self._parsed().in_order(problems)


class EvidenceCache:
    """A folder of parsed evidence entries, shared safely by concurrent worker processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder / f"v{__version__}-{ENTRY_FORMAT}-{_reader_fingerprint()}"

    def read(self, path: str | Path) -> SourceDocument | CachedDocument:
        """Read a YAML evidence file, from the cache when its bytes have been parsed before.

        Raises ``InputError`` exactly as ``read_yaml`` does.
        """
        name = str(path)
        raw = _read_regular_file(path, name)
        sha256 = hashlib.sha256(raw).hexdigest()
        entry = self.folder / sha256[:2] / f"{sha256}.json"
        found = _load(entry)
        if found is not None:
            data, keys = found
            return CachedDocument(name, data, sha256, keys, raw)
        doc = parse_yaml(raw, name=name)
        _store(entry, doc)
        return doc


def _load(entry: Path) -> tuple[Any, dict[str, Location]] | None:
    try:
        text = entry.read_bytes()
        # Escaped "$" keys are rare: only entries that have them pay for the full key check.
        hook = _decode if b'"$$' in text else _decode_decimal
        stored = json.loads(text, object_hook=hook)
        keys = {key: Location(line, column) for key, (line, column) in stored["keys"].items()}
        return stored["data"], keys
    except (OSError, ValueError, ArithmeticError, KeyError, TypeError):
        return None


def _store(entry: Path, doc: SourceDocument) -> None:
    keys = {key: [at.line, at.column] for key, at in doc.key_locations(_INDICATORS).items()}
    try:
        text = json.dumps({"data": _encode(doc.data), "keys": keys}, ensure_ascii=False)
    except TypeError:  # a value JSON cannot hold exactly: do not cache this file
        return
    with contextlib.suppress(OSError):
        entry.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a concurrent reader sees the old state or the new entry.
        descriptor, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".part")
        try:
            with open(descriptor, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, entry)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _encode(value: Any) -> Any:
    """Plain values as JSON-ready values: decimals tagged, keys starting with "$" escaped."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is Decimal:
        return {_DECIMAL: str(value)}
    if kind is dict:
        if any(type(k) is not str for k in value):
            raise TypeError("key")
        return {(f"${k}" if k.startswith("$") else k): _encode(v) for k, v in value.items()}
    if kind is list:
        return [_encode(item) for item in value]
    raise TypeError(kind.__name__)


def _decode_decimal(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DECIMAL in obj:
        return Decimal(obj[_DECIMAL])
    return obj


def _decode(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and _DECIMAL in obj:
        return Decimal(obj[_DECIMAL])
    if any(key.startswith("$") for key in obj):
        return {(key[1:] if key.startswith("$") else key): value for key, value in obj.items()}
    return obj
