"""Graded results stored as JSON come back exactly, decimals' digits included."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from msgspec import Struct
from msgspec.structs import replace

from lianchuang_cli.caching.result_codec import _class_codec, decode_result, encode_result
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.scoring.results import NextRating, UnitResult
from tests.conftest import EXAMPLES

GRADED = sorted((EXAMPLES / "village").glob("*.yaml"))


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_round_trip_through_json_text(path: Path) -> None:
    """Every field, nested results and their decimals' digits survive the JSON text."""
    result = grade_file(path)
    assert isinstance(result, UnitResult)
    text = json.dumps(encode_result(result), ensure_ascii=False)
    back = decode_result(json.loads(text), result.file)
    assert back == result
    assert repr(back) == repr(result)


def test_file_name_is_not_stored() -> None:
    """The same stored result is given the name it is graded under."""
    result = grade_file(GRADED[0])
    assert isinstance(result, UnitResult)
    assert result.file not in json.dumps(encode_result(result), ensure_ascii=False)
    assert decode_result(encode_result(result), "other.yaml") == replace(result, file="other.yaml")


def test_decimal_digits_and_none_are_kept() -> None:
    """2.50 stays 2.50, not 2.5; an absent next rating stays absent."""
    result = grade_file(GRADED[0])
    assert isinstance(result, UnitResult)
    odd = replace(
        result,
        score=Decimal("2.50"),
        penalty=Decimal("1E+1"),
        next_rating=NextRating("良好", Decimal("0.10"), ("a", "b"), Decimal("80.00")),
    )
    back = decode_result(json.loads(json.dumps(encode_result(odd))), odd.file)
    assert str(back.score) == "2.50"
    assert str(back.penalty) == "1E+1"
    assert back.next_rating == odd.next_rating
    assert isinstance(back.next_rating, NextRating)
    assert back.next_rating.indicators == ("a", "b")


def test_malformed_rows_raise() -> None:
    """A row of the wrong length or with a bad decimal raises rather than build a wrong result."""
    row = encode_result(grade_file(GRADED[0]))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="fields"):
        decode_result(row[1:], "x.yaml")
    criteria = list(row)
    criteria[10] = [["a", "b", "not a number", "1", "1"]]
    with pytest.raises(ArithmeticError):
        decode_result(criteria, "x.yaml")


def test_a_field_of_an_unknown_type_fails_at_once() -> None:
    """A result field the codec cannot store exactly is refused when the codec is built."""

    class Odd(Struct, frozen=True):
        value: float

    with pytest.raises(TypeError, match="cannot store"):
        _class_codec(Odd)


def test_none_is_kept_only_where_the_field_allows_it() -> None:
    """An optional decimal stored as null comes back None; a required one stored as null is
    refused (the decoder skips the conversion of None only for optional fields)."""
    row = encode_result(grade_file(GRADED[0]))  # type: ignore[arg-type]
    names = list(UnitResult.__struct_fields__)[1:]
    broken = list(row)
    broken[names.index("score")] = None
    with pytest.raises(TypeError):
        decode_result(broken, "x.yaml")
    indicators = names.index("indicators")
    first = list(row[indicators][0])
    first[4] = None  # IndicatorResult.score: Decimal | None
    kept = list(row)
    kept[indicators] = [first, *row[indicators][1:]]
    assert decode_result(kept, "x.yaml").indicators[0].score is None
