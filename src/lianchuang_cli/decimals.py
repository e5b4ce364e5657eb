"""Exact arithmetic for scores: half points are common and floats are never used.

Every score is computed exactly (``Decimal`` for sums, ``Fraction`` where a division is involved)
and rounded once, half-up to 0.01, at the end of the indicator or the total it belongs to.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_score(value: Decimal | Fraction | int) -> Decimal:
    """Round an exact value to two decimals the way score sheets do (四舍五入, half away from 0)."""
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    cents = Fraction(value) * 100
    whole, rest = divmod(abs(cents.numerator), cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return Decimal(-whole if cents < 0 else whole).scaleb(-2)


def is_exact_cents(value: Fraction) -> bool:
    """Whether an exact value has at most two decimals (so showing it rounded hides nothing)."""
    return (value * 100).denominator == 1


def fmt(value: Decimal | Fraction) -> str:
    """Show a score without trailing zeros: 3, 2.5, 0.25."""
    text = f"{round_score(value):f}"
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
