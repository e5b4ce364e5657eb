"""Graded results as plain JSON values and back, exactly: the form ``grading_cache`` stores.

A ``UnitResult`` becomes nested lists, one item per field in declaration order;
decimals become their text (``Decimal(str(d))`` gives back the same digits, so 2.50 stays 2.50),
tuples become lists. The converters are derived once from the result classes' type hints, so a
field added to ``results.py`` is carried along without touching this module, and a field of a
type this module does not know fails at import rather than being stored wrongly. The file name
is not stored: the same bytes may be graded under another path.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from msgspec import Struct

from lianchuang_cli.scoring.results import CriterionResult, UnitResult

Convert = Callable[[Any], Any]

_PLAIN = (str, int, bool)


def _decimal_text(value: Decimal) -> str:
    return str(value)


def _optional_decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _optional_decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _converters(hint: Any) -> tuple[Convert, Convert] | None:
    """(encode, decode) for one field type; None when the JSON value is the value itself."""
    if hint in _PLAIN or typing.get_origin(hint) is typing.Literal:
        return None
    if hint is Decimal:
        return _decimal_text, Decimal
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"cannot store {hint}")
        inner = _converters(options[0])
        if inner is None:
            return None
        encode, decode = inner
        if decode is Decimal:
            return _optional_decimal_text, _optional_decimal
        return (
            lambda value: None if value is None else encode(value),
            lambda value: None if value is None else decode(value),
        )
    if origin is tuple:
        item, ellipsis = typing.get_args(hint)
        if ellipsis is not Ellipsis:
            raise TypeError(f"cannot store {hint}")
        inner = _converters(item)
        if inner is None:
            return list, tuple
        encode, decode = inner
        return (
            lambda value: [encode(v) for v in value],
            lambda value: tuple([decode(v) for v in value]),
        )
    if isinstance(hint, type) and issubclass(hint, Struct):
        return _class_codec(hint)
    raise TypeError(f"cannot store {hint}")


def _class_codec(cls: type[Struct]) -> tuple[Convert, Convert]:
    """(encode, decode) of a Struct as the list of its fields' JSON values."""
    hints = typing.get_type_hints(cls)
    names = list(cls.__struct_fields__)
    getter = attrgetter(*names)
    encoders: list[tuple[int, Convert]] = []
    always: list[tuple[int, Convert]] = []
    unless_none: list[tuple[int, Convert]] = []
    for index, name in enumerate(names):
        pair = _converters(hints[name])
        if pair is None:
            continue
        encoders.append((index, pair[0]))
        inner = _optional_inner(hints[name])
        if inner is None:
            always.append((index, pair[1]))
        else:
            unless_none.append((index, inner))

    def encode(value: Any) -> list[Any]:
        row = list(getter(value))
        for index, convert in encoders:
            row[index] = convert(row[index])
        return row

    decode = _row_decoder(cls, len(names), always, unless_none)
    return encode, decode


def _optional_inner(hint: Any) -> Convert | None:
    """For ``X | None`` where X needs converting: X's decoder (None stays None without a call)."""
    if typing.get_origin(hint) not in (typing.Union, types.UnionType):
        return None
    options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    inner = _converters(options[0]) if len(options) == 1 else None
    return None if inner is None else inner[1]


def _row_decoder(
    cls: type,
    count: int,
    always: list[tuple[int, Convert]],
    unless_none: list[tuple[int, Convert]],
) -> Convert:
    """A function building ``cls`` from its stored row: the row's length is checked (a row of
    the wrong length raises ValueError), the fields that need it are converted in a copy of the
    row (an optional field only when it is not None), and ``cls`` is called with the copy in
    field order. A plain loop over (position, converter) pairs: a result holds about
    60 objects, so the pairs are worked out once per class, not per object."""
    name = cls.__name__
    converted = tuple(always)
    optional = tuple(unless_none)

    def decode(row: Any) -> Any:
        if row.__class__ is not list or len(row) != count:
            raise ValueError(f"{name}: {len(row)} fields stored, {count} expected")
        if converted or optional:
            row = row.copy()
            for index, convert in converted:
                row[index] = convert(row[index])
            for index, convert in optional:
                value = row[index]
                if value is not None:
                    row[index] = convert(value)
        return cls(*row)

    return decode


_encode_unit, _decode_unit = _class_codec(UnitResult)
encode_criterion, decode_criterion = _class_codec(CriterionResult)


def encode_result(result: UnitResult) -> list[Any]:
    """``result`` as JSON-ready lists, without its file name."""
    row: list[Any] = _encode_unit(result)
    del row[0]
    return row


def decode_result(row: list[Any], file: str) -> UnitResult:
    """The result ``encode_result`` stored, graded as ``file``; raises on any malformed value."""
    result: UnitResult = _decode_unit([file, *row])
    return result
