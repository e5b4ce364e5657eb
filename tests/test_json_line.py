"""A result's JSON line is written with the places of its rating fields, which re-rating re-fills."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from msgspec import structs

from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports.json_line import (
    FIELDS,
    LineWriter,
    decode_line,
    dumps_line,
    encode_slots,
    field_text,
    rating_values,
    refill,
)
from lianchuang_cli.reports.json_report import RATING_FIELDS, prerender, result_to_dict
from lianchuang_cli.scoring.results import NextRating, UnitResult
from tests.conftest import EXAMPLES

GRADED = sorted((EXAMPLES / "village").glob("*.yaml"))


def graded(path: Path) -> UnitResult:
    result = grade_file(path)
    assert isinstance(result, UnitResult)
    return result


def three_parts(result: UnitResult) -> bytes:
    """The pre-rendered line as the encoder writes it whole: head, rating, tail (see prerender)."""
    payload = result_to_dict(result)
    keys = list(payload)
    cut = keys.index("rating")
    head = {key: payload[key] for key in keys[:cut]}
    tail = {key: payload[key] for key in keys[cut + 1 :]}
    text = f"{dumps_line(head)[:-1]}\x1f{dumps_line(result.rating)}\x1f{dumps_line(tail)[1:-1]}"
    return text.encode("utf-8")


def changed(result: UnitResult) -> UnitResult:
    """Every field a slot may hold changed, to texts JSON must escape; the next rating to
    another one, or to none when there was one."""
    next_rating = None
    if result.next_rating is None:
        next_rating = NextRating("优\\秀", Decimal("2.5"), ("a", "b"), Decimal("90.25"))
    return structs.replace(
        result,
        file='其他/"村".yaml',
        rubric_id="village2",
        rubric_title="新标题",
        rubric_version="2027.1",
        rubric_sha256="0" * 64,
        rating="良\\好",
        rating_reason='总分已达"良好"',
        next_rating=next_rating,
        next_rating_note="\u2028另\\注",
    )


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_refilled_line_equals_rendering_the_changed_result(path: Path) -> None:
    """The line is the encoder's, each slot holds its field's text, and a line re-filled with
    other rating fields is the line those fields render to."""
    result = graded(path)
    line = prerender(result)
    assert line.text == three_parts(result)
    assert {name for _, _, name in line.slots} == FIELDS - {"rubric_title"}  # not in JSON
    values = rating_values(result)
    for start, end, name in line.slots:
        assert line.text[start:end] == field_text(values[name])
    other = changed(result)
    assert refill(line, rating_values(other)) == prerender(other).text == three_parts(other)
    # Facts have no next rating: its texts stay as rendered.
    same_next = structs.replace(
        other, next_rating=result.next_rating, next_rating_note=result.next_rating_note
    )
    assert refill(line, rating_values(other, next_rating=False)) == prerender(same_next).text
    assert decode_line(line.text, encode_slots(line.slots)) == line


def test_a_field_text_found_elsewhere_in_the_line_is_left_there() -> None:
    """A criterion whose id is the rubric's id: only the rubric's own id is re-filled (the line
    is cut where it was written, not where its text is found)."""
    result = graded(GRADED[0])
    first = result.criteria[0]
    clash = structs.replace(
        result, criteria=(structs.replace(first, id=result.rubric_id), *result.criteria[1:])
    )
    other = changed(clash)
    assert refill(prerender(clash), rating_values(other)) == prerender(other).text


def test_the_declared_places_hold_the_fields() -> None:
    """``RATING_FIELDS`` names the members of ``result_to_dict`` that hold each field."""
    result = graded(GRADED[0])
    payload = result_to_dict(result)
    values = rating_values(result)

    def check(fields: Any, value: Any) -> None:
        for key, spec in fields.items():
            if isinstance(spec, str):
                assert spec in FIELDS
                assert value[key] == values[spec], key
            else:
                check(spec, value[key])

    check(RATING_FIELDS, payload)


PAYLOADS: list[dict[str, Any]] = [
    {"a": "x"},
    {"a": "x", "b": 1, "c": [1, {"d": None}]},
    {"b": 1, "a": "x", "c": 2.5},
    {"b": 1, "c": {}, "a": '\u2028"\\\x01'},
    {"n": {"a": "x", "m": 1}, "z": True},
    {"n": {"m": 1, "a": "甲"}},
    {"n": {}, "a": "x"},
    {},
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_writer_writes_what_the_encoder_writes(payload: dict[str, Any]) -> None:
    """Members written piece by piece, fields first, last, nested or absent, give the encoder's
    text; each field's slot holds its text."""
    out = LineWriter()
    out.raw("{")
    out.items(payload, {"a": "file", "n": {"a": "rating"}, "q": "rubric_id"})
    out.raw("}")
    line = out.line()
    assert line.text == dumps_line(payload).encode("utf-8")
    for start, end, name in line.slots:
        value = payload["a"] if name == "file" else payload["n"]["a"]
        assert line.text[start:end] == field_text(value)


def test_malformed_stored_slots_are_refused() -> None:
    """Slots out of the line, out of order, or naming another field are not used."""
    text = b'{"file": "a.yaml"}'
    assert decode_line(text, '[[9, 17, "file"]]') == (text, ((9, 17, "file"),))
    for slots in (
        '[[9, 99, "file"]]',
        '[[9, 17, "score"]]',
        '[[9, 17, "file"], [1, 2, "file"]]',
        "{",
        "[1]",
    ):
        assert decode_line(text, slots) is None, slots
    assert decode_line("text", "[]") is None
