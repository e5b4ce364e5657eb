"""Numbers as people type them, read the way they meant them.

A village secretary types ``９６`` with a Chinese input method, ``93%`` or ``12次`` from habit, and
``0.96`` after copying a percentage cell out of Excel. Every numeric evidence value goes through
``read_number`` before its rule validates it, whichever file it came from (a YAML scalar, a
workbook cell), so all readers accept and refuse exactly the same things.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from msgspec import Struct

from lianchuang_cli.decimals import shorten, to_halfwidth

_NUMBER_WITH_UNIT = re.compile(
    r"([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)[ \u3000]*(.*)", re.DOTALL
)
_INTEGER = re.compile(r"[-+]?[0-9]+")

FRACTION_REFERENCE = Decimal(10)
"""A percentage rule whose marks (threshold, top band, full marks) are at least this many percent
is one where a bare value of at most 1 is almost surely a share written as a fraction (0.96)."""


class NumberReading(Struct, frozen=True):
    """A value ready for its rule's schema, and whether the user wrote a unit after the number."""

    value: Any
    unit_written: bool


class UnitError(ValueError):
    """A number was followed by something other than the indicator's unit."""


def read_number(value: Any, unit: str) -> NumberReading:
    """Read text such as ``９６``, ``93%``, ``10万元`` or ``12次`` as a number in ``unit``.

    Anything that is not text, or text that does not start with a number, is returned as it is
    for the rule's schema to judge (and describe). A number followed by another unit raises
    ``UnitError`` with a message naming the unit expected.
    """
    if not isinstance(value, str):
        return NumberReading(value, unit_written=False)
    text = to_halfwidth(value).strip(" \u3000\t")
    match = _NUMBER_WITH_UNIT.fullmatch(text)
    if match is None:
        return NumberReading(value, unit_written=False)
    digits, suffix = match.groups()
    try:
        number: int | Decimal = int(digits) if _INTEGER.fullmatch(digits) else Decimal(digits)
    except (ValueError, InvalidOperation):  # more digits than Python converts: the schema says so
        return NumberReading(value, unit_written=False)
    suffix = suffix.strip(" \u3000\t")
    if not suffix:
        return NumberReading(number, unit_written=False)
    if suffix == unit:
        return NumberReading(number, unit_written=True)
    shown = shorten(value)
    if unit == "%":
        raise UnitError(
            f"“{shown}”的单位“{shorten(suffix, 8)}”不对；本项填百分数，"
            f"请只写数字或带“%”（如 {digits} 或 {digits}%）"
        )
    if unit:
        raise UnitError(
            f"“{shown}”的单位“{shorten(suffix, 8)}”不是本项的单位；本项以“{unit}”计，"
            f"请换算成{unit}后只填数字"
        )
    raise UnitError(f"“{shown}”带有单位“{shorten(suffix, 8)}”；本项只填数字，不带单位")


def fraction_complaint(value: Any, reference: Decimal | None) -> str | None:
    """Complain about a bare ``0.96`` where the rule counts in whole percent (96).

    ``reference`` is the rule's mark in percent (its threshold, top band or full-marks value),
    or None when the rule is not on a percentage. Writing the percent sign (``0.96%``) says the
    small value is meant and is never complained about; the caller only asks for bare values.
    """
    if reference is None or reference < FRACTION_REFERENCE:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not 0 < value <= 1:
        return None
    percent = _plain(Decimal(value) * 100)
    written = _plain(Decimal(value))
    return (
        f"“{written}”像是把百分比写成了小数（{written}即{percent}%）；本项按百分数填写，"
        f"请写 {percent}；如果确实只有{written}%，请写成“{written}%”"
    )


def _plain(number: Decimal) -> str:
    # Every digit the user typed, without exponent or trailing zeros: 0.965 → "0.965", 96.5.
    return f"{number.normalize():f}"
