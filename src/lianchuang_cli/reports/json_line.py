"""A result's compact JSON line, written together with the places of its rating fields.

A batch renders each graded result where it was graded (``json_report.prerender``). The line is
written piece by piece by a ``LineWriter``, which records where it puts the text of each field
that re-rating may change (``FIELDS``): a ``RenderedLine`` is the line and those slots, declared
by the writing itself. When ``grading_cache`` re-rates a stored result and its next rating still
holds, only those fields can differ, so it re-fills the stored line (``refill``): each slot's text
is replaced by the field's new value, written as the line writes it (``field_text``). Nothing is
ever searched for in a rendered line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from lianchuang_cli.reports.escaping import JSON_ESCAPE

FIELDS = frozenset(
    {"file", "rubric_id", "rubric_title", "rubric_version", "rubric_sha256", "rating"}
)
"""The fields a slot may hold: the text fields among ``scoring.unit.rating_fields`` and the file
name (the same bytes may be stored under another name). Both ``UnitResult`` and ``UnitFacts`` have
them."""

Slot = tuple[int, int, str]
"""Where a field's text is in a line: start, end (byte offsets) and the field's name."""

Fields = Mapping[str, "str | Fields"]
"""Where an object's fields are: member name → the field it holds, or the fields of the object
it holds."""

_ENCODER = json.JSONEncoder(ensure_ascii=False)


def dumps_line(payload: Any) -> str:
    """``json.dumps(payload, ensure_ascii=False)``, without making an encoder per call."""
    return _ENCODER.encode(payload)


def field_text(value: str) -> bytes:
    """A field's value as the line holds it: its JSON text, UTF-8."""
    return dumps_line(value).encode("utf-8", JSON_ESCAPE)


class RenderedLine(NamedTuple):
    """A result's rendered line (UTF-8, no newline) and where its rating fields' texts are."""

    text: bytes
    slots: tuple[Slot, ...] = ()


Render = Callable[[Any], RenderedLine]
"""A format's render function (``Format.render``): a ``UnitResult``'s line."""


class LineWriter:
    """Writes a line from pieces, noting where each field's text goes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._slots: list[Slot] = []

    def raw(self, text: str) -> None:
        """Write ``text`` as it is."""
        data = text.encode("utf-8", JSON_ESCAPE)
        self._parts.append(data)
        self._size += len(data)

    def field(self, name: str, value: str) -> None:
        """Write the field ``name``, whose value is ``value``, and note where it is."""
        data = field_text(value)
        self._parts.append(data)
        self._slots.append((self._size, self._size + len(data), name))
        self._size += len(data)

    def items(self, payload: Mapping[str, Any], fields: Fields) -> None:
        """The members of ``payload`` as ``dumps_line`` writes them between its braces, each
        member named in ``fields`` written as its field (or, for a mapping, member by member)."""
        plain: dict[str, Any] = {}
        written = False
        for key, value in payload.items():
            spec = fields.get(key)
            if spec is None:
                plain[key] = value  # plain members in a row are written by the encoder at once
                continue
            if plain:
                self.raw(", " * written + dumps_line(plain)[1:-1])
                plain.clear()
                written = True
            self.raw(f"{', ' * written}{dumps_line(key)}: ")
            written = True
            if isinstance(spec, str):
                self.field(spec, value)
            else:
                self.raw("{")
                self.items(value, spec)
                self.raw("}")
        if plain:
            self.raw(", " * written + dumps_line(plain)[1:-1])

    def line(self) -> RenderedLine:
        """What was written, and the fields' slots."""
        return RenderedLine(b"".join(self._parts), tuple(self._slots))


def refill(line: RenderedLine, result: Any) -> bytes:
    """The line with each slot's text replaced by ``result``'s value of its field (``result``
    a ``UnitResult`` or ``UnitFacts`` that differs from the one rendered only in ``FIELDS``)."""
    text = line.text
    parts: list[bytes] = []
    at = 0
    for start, end, name in line.slots:
        parts.append(text[at:start])
        parts.append(field_text(getattr(result, name)))
        at = end
    parts.append(text[at:])
    return b"".join(parts)


def encode_slots(slots: tuple[Slot, ...]) -> str:
    """The slots as the cache stores them (JSON text)."""
    return json.dumps(slots)


def decode_line(text: Any, slots_text: Any) -> RenderedLine | None:
    """A stored line with its slots, or None when either is malformed."""
    if not isinstance(text, bytes) or not isinstance(slots_text, str):
        return None
    try:
        slots = tuple(
            (int(start), int(end), str(name)) for start, end, name in json.loads(slots_text)
        )
    except (ValueError, TypeError):
        return None
    at = 0
    for start, end, name in slots:
        if not at <= start <= end <= len(text) or name not in FIELDS:
            return None
        at = end
    return RenderedLine(text, slots)
