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
