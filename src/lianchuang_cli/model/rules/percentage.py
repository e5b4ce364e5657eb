"""The ``percentage`` rule kind: a share that must reach a threshold."""

from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt, fmt_ratio, round_ratio, round_score
from lianchuang_cli.model import plain
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    Number,
    Outcome,
    Points,
    QuickRead,
    Ratio,
    RuleBase,
    action_if_lost,
    scalar_key,
)
from lianchuang_cli.model.rules.cells import (
    COL_PART,
    COL_VALUE,
    COL_WHOLE,
    WHOLE_NUMBER_ERROR,
    CellCheck,
    CellField,
    KindCells,
)


class PercentageRule(RuleBase):
    """A share that must reach a threshold: "低于55%的，每低1个百分点扣1分"."""

    kind: Literal["percentage"]
    kind_name: ClassVar[str] = "百分比扣分"
    threshold: Annotated[Decimal, Field(gt=0, le=100)]
    deduct_per_point: Points
    unit: str = "人"

    # A mapping is read as counts, anything else as a percentage: only that branch's error shows.
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(
        Annotated[
            Annotated[Ratio, Tag("counts")]
            | Annotated[Number, Field(ge=0, le=100), Tag("percent")],
            Discriminator(lambda v: "counts" if isinstance(v, dict) else "percent"),
        ],
        config=DEFERRED,
    )
    cells: ClassVar[KindCells] = KindCells(
        "rule unit",
        (CellField("part", COL_PART), CellField("whole", COL_WHOLE)),
        misplaced=f"“{COL_VALUE}”（百分比）与“{COL_PART}”“{COL_WHOLE}”只能填写一种；请清空其中一种",
    )
    quick_read: ClassVar[QuickRead] = "percentage"
    scores_figures: ClassVar[bool] = True

    def figure_value(
        self, figure: Decimal, part: int | None, whole: int | None, previous: Decimal | None
    ) -> Any:
        if part is not None and whole:
            return Ratio(part=part, whole=whole)
        return round_score(figure)

    def read_value(self, value: Any) -> Any:
        # As the schema: a mapping is counts, anything else a percentage.
        if type(value) is dict:
            return Ratio.read_plain(value)
        number = plain.number(value)
        return number if number is not plain.DECLINED and 0 <= number <= 100 else plain.DECLINED

    def value_key(self, value: Any) -> tuple[object, ...] | None:
        if type(value) is Ratio:
            return (Ratio, value.part, value.whole)
        return scalar_key(value)

    def cell_hint(self, points: Decimal) -> str:
        return (
            f"“{COL_VALUE}”填百分比数字（如{fmt(self.threshold)}，不带%也可）；"
            f"或在“{COL_PART}”“{COL_WHOLE}”分别填达标{self.unit}数和总{self.unit}数"
        )

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return (
            CellCheck(COL_VALUE, "decimal", "请填写0到100之间的数字", low=0, high=100),
            *(
                CellCheck(c, "whole", WHOLE_NUMBER_ERROR, low=0, prompt=False)
                for c in (COL_PART, COL_WHOLE)
            ),
        )

    @property
    def number_unit(self) -> str | None:
        """A share may be written with a percent sign: ``93%``."""
        return "%"

    @property
    def percent_reference(self) -> Decimal | None:
        """The threshold, in percent: a bare 0.96 beside a threshold of 55 means 96 %."""
        return self.threshold

    @property
    def value_hint(self) -> str:
        return (
            f"填写百分比数字（如{fmt(self.threshold)}），"
            f"或写成{{part: 达标{self.unit}数, whole: 总{self.unit}数}}"
        )

    def example(self, points: Decimal) -> str:
        return "{part: 5, whole: 7}"

    def exact(self, value: Ratio | Decimal, points: Decimal) -> Fraction:
        """The unrounded score: points − shortfall × deduct_per_point, floored at zero."""
        shortfall = Fraction(self.threshold) - percent_of(value)
        deduction = max(Fraction(0), shortfall) * Fraction(self.deduct_per_point)
        return max(Fraction(0), Fraction(points) - deduction)

    def score(self, value: Ratio | Decimal, points: Decimal) -> Outcome:
        # Exact arithmetic on whole numbers: the percentage is pn/pd, the threshold tn/td; the
        # same fractions as ``exact`` and ``percent_of``, without building Fraction objects.
        pn, pd = _percent_ratio(value)
        about = "" if pn * 100 % pd == 0 else "约"
        if isinstance(value, Ratio):
            found = (
                f"{value.whole}{self.unit}中{value.part}{self.unit}，{about}占{fmt_ratio(pn, pd)}%"
            )
        else:
            found = f"实际{fmt(value)}%"  # the same text as fmt_ratio(pn, pd): the same number
        tn, td = self.threshold.as_integer_ratio()
        # shortfall = threshold − percent = sn/sd, sd > 0
        sn, sd = tn * pd - pn * td, td * pd
        if sn <= 0:
            explanation = f"要求不低于{fmt(self.threshold)}%，{found}，得满分"
            return Outcome(points, found, explanation, "")
        # Round once, at the end: the shown deduction is what the rounded score leaves.
        # earned = max(0, points − shortfall × deduct_per_point), the same value as ``exact``.
        dn, dd = self.deduct_per_point.as_integer_ratio()
        qn, qd = points.as_integer_ratio()
        en, ed = qn * sd * dd - sn * dn * qd, qd * sd * dd
        earned = round_ratio(max(0, en), ed)
        about = "" if sn * 100 % sd == 0 else "约"
        explanation = (
            f"要求不低于{fmt(self.threshold)}%，{found}，{about}低{fmt_ratio(sn, sd)}个百分点，"
            f"每低1个百分点扣{fmt(self.deduct_per_point)}分，扣{fmt(points - earned)}分"
        )
        action = action_if_lost(points, earned, f"提高到{fmt(self.threshold)}%")
        return Outcome(earned, found, explanation, action)


def _percent_ratio(value: Ratio | Decimal) -> tuple[int, int]:
    """``percent_of(value)`` as a numerator and a positive denominator (not always in lowest terms)."""
    if isinstance(value, Ratio):
        return value.part * 100, value.whole
    return value.as_integer_ratio()


def percent_of(value: Ratio | Decimal) -> Fraction:
    """The exact percentage a value stands for (counts are divided without rounding)."""
    if isinstance(value, Ratio):
        return Fraction(value.part * 100, value.whole)
    return Fraction(value)
