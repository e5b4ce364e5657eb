"""Points on the total's scale, where 缺项 leave some indicators out of the applicable points."""

from __future__ import annotations

from decimal import Decimal

from lianchuang_cli.decimals import ZERO, round_ratio


def scale_to_total(raw: Decimal, applicable: Decimal, total: Decimal) -> Decimal:
    """Earned points on the total's scale: raw × total ÷ applicable, rounded once."""
    if applicable == total:
        return raw
    if applicable == 0:
        return ZERO
    # Exact: the same quotient as with Fractions, in whole numbers (applicable > 0).
    rn, rd = raw.as_integer_ratio()
    tn, td = total.as_integer_ratio()
    an, ad = applicable.as_integer_ratio()
    return round_ratio(rn * tn * ad, rd * td * an)


def base_gain(raw: Decimal, applicable: Decimal, total: Decimal, lost: Decimal) -> Decimal:
    """What recovering ``lost`` indicator points adds to the base score, on the total's scale."""
    return scale_to_total(raw + lost, applicable, total) - scale_to_total(raw, applicable, total)
