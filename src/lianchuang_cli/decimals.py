"""Exact arithmetic for scores: half points are common and floats are never used.

Every score is computed exactly (``Decimal`` for sums, ``Fraction`` where a division is involved)
and rounded once, half-up to 0.01, at the end of the indicator or the total it belongs to.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_score(value: Decimal | Fraction | int) -> Decimal:
    """Round an exact value to two decimals the way score sheets do (四舍五入, half away from 0)."""
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, int):
        return round_ratio(value, 1)
    return round_ratio(value.numerator, value.denominator)


def round_ratio(numerator: int, denominator: int) -> Decimal:
    """``round_score(Fraction(numerator, denominator))`` without building the fraction.

    Whole numbers only, so the result is exact: ``denominator`` > 0, and the pair need not be in
    lowest terms (the quotient and the remainder's share of the denominator are the same).
    """
    whole, rest = divmod(abs(numerator) * 100, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Decimal(-whole if numerator < 0 else whole).scaleb(-2)


def is_exact_cents(value: Fraction) -> bool:
    """Whether an exact value has at most two decimals (so showing it rounded hides nothing)."""
    return (value.numerator * 100) % value.denominator == 0


@lru_cache(maxsize=4096)
def json_number(value: Decimal | None) -> int | float | None:
    """A score as a JSON number: the exact decimal rounded to two places (四舍五入).

    A float prints as the shortest text that reads back to it, which for two decimals is the
    decimal's own text (2.35 stays 2.35), so no binary noise reaches the output. Remembered:
    a batch writes the same few scores (2, 0.5, 3) hundreds of thousands of times.
    """
    if value is None:
        return None
    value = round_score(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


_SHOWN: dict[Decimal, str] = {}
"""``fmt`` of decimals already shown: a batch shows the same few scores thousands of times."""

_SHOWN_LIMIT = 4096


def fmt(value: Decimal | Fraction) -> str:
    """Show a score without trailing zeros: 3, 2.5, 0.25."""
    if type(value) is not Decimal or not value.is_finite():
        return _show(round_score(value))
    # The text depends only on the number (2.5 and 2.50 show alike), so equal keys are safe.
    text = _SHOWN.get(value)
    if text is None:
        text = _show_decimal(value)
        if len(_SHOWN) >= _SHOWN_LIMIT:
            _SHOWN.clear()
        _SHOWN[value] = text
    return text


def _show_decimal(value: Decimal) -> str:
    written = str(value)
    point = written.find(".")
    # At most two decimals, no exponent, and few enough digits that rounding to cents would be
    # exact: rounding changes nothing, and the digits as written are the digits to show.
    if len(written) <= 24 and "E" not in written and (point < 0 or len(written) - point <= 3):
        return _show(written if point < 0 else written.rstrip("0").rstrip("."))
    return _show(value.quantize(CENT, rounding=ROUND_HALF_UP))


def fmt_ratio(numerator: int, denominator: int) -> str:
    """``fmt(Fraction(numerator, denominator))`` without building the fraction (denominator > 0)."""
    return _show(round_ratio(numerator, denominator))


def _show(rounded: Decimal | str) -> str:
    text = rounded if isinstance(rounded, str) else f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_HALFWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + digit): str(digit) for digit in range(10)},
        "．": ".",
        "％": "%",
        "－": "-",
        "−": "-",
        "＋": "+",
        "ｅ": "e",
        "Ｅ": "E",
    }
)


def to_halfwidth(text: str) -> str:
    """Turn the full-width digits, point, sign and percent a Chinese input method types into ASCII."""
    return text.translate(_HALFWIDTH)


MAX_MAGNITUDE = Decimal(10) ** 12
"""Bound (exclusive) on the absolute value of any number in a rubric or evidence file may have (1万亿).

Scores are computed exactly with 28 significant digits; bounding every input far below that keeps
all arithmetic (and rounding to cents) exact and free of ``InvalidOperation``."""


def out_of_range(value: Decimal | int) -> bool:
    """Whether a number is too large (or not finite) to be computed with safely."""
    number = Decimal(value)
    return not number.is_finite() or abs(number) >= MAX_MAGNITUDE


def shorten(text: str, limit: int = 24) -> str:
    """Cut a long value for display in a message: the first characters and "…"."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
