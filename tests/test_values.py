"""Reading numbers as people type them: full-width forms, the indicator's own unit, Excel fractions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lianchuang_cli.model.values import UnitError, fraction_complaint, read_number


@pytest.mark.parametrize(
    ("typed", "unit", "value", "unit_written"),
    [
        ("１１", "次", 11, False),
        ("９６．４", "%", Decimal("96.4"), False),
        ("93%", "%", 93, True),
        ("９３％", "%", 93, True),
        ("93 %", "%", 93, True),
        ("10万元", "万元", 10, True),
        ("12次", "次", 12, True),
        ("8人", "人", 8, True),
        ("－1.5个百分点", "个百分点", Decimal("-1.5"), True),
        (" 7 ", "", 7, False),
        (12, "次", 12, False),
        ("十二", "次", "十二", False),
        ("约12次", "次", "约12次", False),
        ({"part": 5, "whole": 7}, "%", {"part": 5, "whole": 7}, False),
    ],
)
def test_numbers_are_read_as_meant(
    typed: object, unit: str, value: object, unit_written: bool
) -> None:
    """Full-width digits count as digits; the indicator's unit may follow; other text is left alone."""
    reading = read_number(typed, unit)
    assert reading.value == value
    assert type(reading.value) is type(value)
    assert reading.unit_written is unit_written


@pytest.mark.parametrize(
    ("typed", "unit", "message"),
    [
        (
            "186000元",
            "万元",
            "“186000元”的单位“元”不是本项的单位；本项以“万元”计，请换算成万元后只填数字",
        ),
        ("4个", "次", "本项以“次”计"),
        ("95.2分", "%", "本项填百分数，请只写数字或带“%”（如 95.2 或 95.2%）"),
        ("3kg", "", "带有单位“kg”；本项只填数字，不带单位"),
    ],
)
def test_another_unit_names_the_expected_one(typed: str, unit: str, message: str) -> None:
    """A number followed by any other unit is refused with the unit the rubric expects."""
    with pytest.raises(UnitError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_number(typed, unit)


@pytest.mark.parametrize(
    ("value", "reference", "complains"),
    [
        (Decimal("0.96"), Decimal(90), True),
        (1, Decimal(55), True),
        (Decimal("0.5"), Decimal(15), True),
        (0, Decimal(90), False),
        (Decimal("1.5"), Decimal(90), False),
        (Decimal("0.96"), Decimal(5), False),
        (Decimal("0.96"), None, False),
        (True, Decimal(90), False),
    ],
)
def test_fraction_complaint(value: object, reference: Decimal | None, complains: bool) -> None:
    """Only a bare 0 < value ≤ 1 beside marks of 10 % or more looks like an Excel fraction."""
    assert (fraction_complaint(value, reference) is not None) is complains
