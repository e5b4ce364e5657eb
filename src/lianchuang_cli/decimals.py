"""Exact decimal arithmetic for scores: half points are common and floats are never used."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)


def round_score(value: Decimal) -> Decimal:
    """Round to two decimals the way score sheets do (四舍五入)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Show a score without trailing zeros: 3, 2.5, 0.25."""
    text = f"{round_score(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
