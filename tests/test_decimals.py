"""Exact rounding and display of scores, checked against the plain Fraction definitions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from lianchuang_cli.decimals import fmt, fmt_ratio, is_exact_cents, round_ratio, round_score


def _reference_round(value: Fraction) -> Decimal:
    """The definition: cents half away from zero, as a Decimal with exactly two places."""
    cents = value * 100
    whole, rest = divmod(abs(cents.numerator), cents.denominator)
    if 2 * rest >= cents.denominator:
        whole += 1
    return Decimal(-whole if cents < 0 else whole).scaleb(-2)


def _reference_fmt(value: Decimal | Fraction) -> str:
    rounded = (
        value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if isinstance(value, Decimal)
        else _reference_round(value)
    )
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


numerators = st.integers(-(10**15), 10**15)
denominators = st.integers(1, 10**9)


# Scores and values as files hold them: bounded magnitude, any number of decimals up to 12.
def _file_sized(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return value.adjusted() < 11 and isinstance(exponent, int) and exponent >= -12


decimals: st.SearchStrategy[Decimal] = st.decimals(
    min_value=-(10**11), max_value=10**11, allow_nan=False, allow_infinity=False, places=None
).filter(_file_sized)


@settings(max_examples=300, deadline=None)
@given(numerators, denominators, st.integers(1, 50))
def test_round_ratio_is_the_rounded_fraction(numerator: int, denominator: int, scale: int) -> None:
    """Same digits and exponent as rounding the Fraction, in lowest terms or not."""
    expected = _reference_round(Fraction(numerator, denominator))
    for n, d in ((numerator, denominator), (numerator * scale, denominator * scale)):
        got = round_ratio(n, d)
        assert (str(got), got.as_tuple()) == (str(expected), expected.as_tuple())
    assert str(round_score(Fraction(numerator, denominator))) == str(expected)
    assert fmt_ratio(numerator, denominator) == _reference_fmt(Fraction(numerator, denominator))
    value = Fraction(numerator, denominator)
    assert is_exact_cents(value) == ((value * 100).denominator == 1)


def test_round_ratio_halves_go_away_from_zero() -> None:
    assert [str(round_ratio(n, 200)) for n in (1, -1, 3, -3, 0)] == [
        "0.01",
        "-0.01",
        "0.02",
        "-0.02",
        "0.00",
    ]
    assert str(round_ratio(-1, 1000)) == "0.00"  # no negative zero, as before
    assert str(round_score(7)) == "7.00"


@settings(max_examples=300, deadline=None)
@given(decimals)
def test_fmt_matches_its_definition_also_when_remembered(value: Decimal) -> None:
    expected = _reference_fmt(value)
    assert fmt(value) == expected
    assert fmt(value) == expected  # the second time from the memo
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    wider = value.quantize(Decimal(1).scaleb(exponent - 2))
    assert wider == value
    assert fmt(wider) == expected  # equal numbers with more digits show alike
    assert fmt(Fraction(value)) == expected


def test_fmt_of_unusual_decimals() -> None:
    assert [fmt(Decimal(t)) for t in ("-0", "-0.001", "-0.005", "2.50", "1E+2", "0.125")] == [
        "0",
        "0",
        "-0.01",
        "2.5",
        "100",
        "0.13",
    ]
    assert fmt(Decimal("NaN")) == "NaN"
