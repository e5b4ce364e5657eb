"""Graded results as plain JSON values and back, exactly: the form ``grading_cache`` stores.

A ``UnitResult`` becomes nested lists, one item per dataclass field in declaration order;
decimals become their text (``Decimal(str(d))`` gives back the same digits, so 2.50 stays 2.50),
tuples become lists. The converters are derived once from the result classes' type hints, so a
field added to ``results.py`` is carried along without touching this module, and a field of a
type this module does not know fails at import rather than being stored wrongly. The file name
is not stored: the same bytes may be graded under another path.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from operator import attrgetter
from typing import Any

from lianchuang_cli.results import CriterionResult, UnitResult
from lianchuang_cli.scoring.building import builder

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
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _class_codec(hint)
    raise TypeError(f"cannot store {hint}")


def _class_codec(cls: type) -> tuple[Convert, Convert]:
    """(encode, decode) of a dataclass as the list of its fields' JSON values."""
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    getter = attrgetter(*names)
    encoders: list[tuple[int, Convert]] = []
    decoders: list[tuple[int, Convert]] = []
    for index, name in enumerate(names):
        pair = _converters(hints[name])
        if pair is not None:
            encoders.append((index, pair[0]))
            decoders.append((index, pair[1]))

    def encode(value: Any) -> list[Any]:
        row = list(getter(value))
        for index, convert in encoders:
            row[index] = convert(row[index])
        return row

    decode = _generated_decoder(cls, names, dict(decoders))
    return encode, decode


def _generated_decoder(cls: type, names: list[str], decoders: dict[int, Convert]) -> Convert:
    """A function building ``cls`` from its stored row, written out for this class: one
    unpacking (a row of the wrong length raises ValueError) and one call, with each field's
    converter applied in place, instead of a loop over the converters for every object (a
    result holds about 60 of them)."""
    namespace: dict[str, Any] = {"build": builder(cls)}
    arguments = []
    for index in range(len(names)):
        convert = decoders.get(index)
        if convert is None:
            arguments.append(f"f{index}")
        elif convert is _optional_decimal:
            namespace["Decimal"] = Decimal
            arguments.append(f"(None if f{index} is None else Decimal(f{index}))")
        else:
            namespace[f"c{index}"] = convert
            arguments.append(f"c{index}(f{index})")
    fields = "".join(f"f{index}, " for index in range(len(names)))
    count = len(names)
    source = (
        "def decode(row):\n"
        f"    if row.__class__ is not list or len(row) != {count}:\n"
        "        raise ValueError(\n"
        f"            '{cls.__name__}: ' + str(len(row)) + ' fields stored, {count} expected'\n"
        "        )\n"
        f"    {fields}= row\n"
        f"    return build({', '.join(arguments)})\n"
    )
    exec(source, namespace)  # the source is made above from field positions only
    decode: Convert = namespace["decode"]
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
