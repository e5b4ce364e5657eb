"""A result's compact JSON line, written together with the places of its rating fields.

A batch renders each graded result where it was graded (``json_report.prerender``). The line is
written piece by piece by a ``LineWriter``, which records where it puts the text of each field
that re-rating may change (``FIELDS``): a ``RenderedLine`` is the line and those slots, declared
by the writing itself. When ``grading_cache`` re-rates a stored result, only those fields can
differ, so it re-fills the stored line (``refill``): each slot's text is replaced by the field's
new value, written as the line writes it (``field_text``); the next rating's slots too when
re-rating had to search it again. Nothing is ever searched for in a rendered line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from lianchuang_cli.decimals import json_number
from lianchuang_cli.reports.escaping import JSON_ESCAPE

if TYPE_CHECKING:
    from lianchuang_cli.scoring.results import NextRating

TEXT_FIELDS = (
    "file",
    "rubric_id",
    "rubric_title",
    "rubric_version",
    "rubric_sha256",
    "rating",
    "rating_reason",
)
"""The text fields a slot may hold: those among ``scoring.rating.rating_fields`` and the file
name (the same bytes may be stored under another name). Both ``UnitResult`` and ``UnitFacts`` have
them."""

NEXT_RATING_FIELDS = ("next_rating", "next_rating_note")
"""The slot fields only a full result has: re-filled when re-rating searched the next rating
again (``UnitFacts`` are re-filled only while it holds, so their lines keep these texts)."""

FIELDS = frozenset(TEXT_FIELDS + NEXT_RATING_FIELDS)
"""Every field a slot may hold."""

Slot = tuple[int, int, str]
"""Where a field's text is in a line: start, end (byte offsets) and the field's name."""

Fields = Mapping[str, "str | Fields"]
"""Where an object's fields are: member name → the field it holds, or the fields of the object
it holds."""

_ENCODER = json.JSONEncoder(ensure_ascii=False)


def dumps_line(payload: Any) -> str:
    """``json.dumps(payload, ensure_ascii=False)``, without making an encoder per call."""
    return _ENCODER.encode(payload)


def field_text(value: Any) -> bytes:
    """A field's JSON value as the line holds it: its JSON text, UTF-8."""
    return dumps_line(value).encode("utf-8", JSON_ESCAPE)


def next_rating_value(next_rating: NextRating | None) -> dict[str, Any] | None:
    """A result's ``next_rating`` as the JSON report writes it."""
    if next_rating is None:
        return None
    return {
        "rating": next_rating.rating,
        "points_needed": json_number(next_rating.points_needed),
        "indicators": list(next_rating.indicators),
        "score_after": json_number(next_rating.score_after),
    }


def rating_values(result: Any, *, next_rating: bool = True) -> dict[str, Any]:
    """The JSON values of the slot fields of ``result`` (a ``UnitResult``, or a ``UnitFacts``
    without ``next_rating``), for ``refill``."""
    values = {name: getattr(result, name) for name in TEXT_FIELDS}
    if next_rating:
        values["next_rating"] = next_rating_value(result.next_rating)
        values["next_rating_note"] = result.next_rating_note
    return values


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

    def field(self, name: str, value: Any) -> None:
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


def refill(line: RenderedLine, values: Mapping[str, Any]) -> bytes:
    """The line with the text of each slot whose field ``values`` has replaced by that value's
    (``rating_values`` of a result that differs from the one rendered only in ``FIELDS``); the
    other slots keep their text."""
    text = line.text
    parts: list[bytes] = []
    at = 0
    for start, end, name in line.slots:
        if name not in values:
            continue
        parts.append(text[at:start])
        parts.append(field_text(values[name]))
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
