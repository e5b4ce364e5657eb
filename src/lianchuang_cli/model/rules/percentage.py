"""The ``percentage`` rule kind: a share that must reach a threshold."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.model.rules.base import (
    Frozen,
    Number,
    Outcome,
    Points,
    Ratio,
    lost_advice,
)


class PercentageRule(Frozen):
    """A share that must reach a threshold: "低于55%的，每低1个百分点扣1分"."""

    kind: Literal["percentage"]
    threshold: Annotated[Decimal, Field(gt=0, le=100)]
    deduct_per_point: Points
    unit: str = "人"

    # A mapping is read as counts, anything else as a percentage: only that branch's error shows.
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(
        Annotated[
            Annotated[Ratio, Tag("counts")]
            | Annotated[Number, Field(ge=0, le=100), Tag("percent")],
            Discriminator(lambda v: "counts" if isinstance(v, dict) else "percent"),
        ]
    )

    @property
    def value_hint(self) -> str:
        return (
            f"填写百分比数字（如{fmt(self.threshold)}），"
            f"或写成{{part: 达标{self.unit}数, whole: 总{self.unit}数}}"
        )

    def example(self, points: Decimal) -> str:
        return "{part: 5, whole: 7}"

    def best(self, points: Decimal) -> Decimal:
        return points

    def check_value(self, value: Any, points: Decimal) -> str | None:
        return None

    def score(self, value: Ratio | Decimal, points: Decimal) -> Outcome:
        if isinstance(value, Ratio):
            percent = round_score(Decimal(value.part) * 100 / value.whole)
            found = f"{value.whole}{self.unit}中{value.part}{self.unit}，占{fmt(percent)}%"
        else:
            percent = value
            found = f"实际{fmt(percent)}%"
        shortfall = self.threshold - percent
        if shortfall <= 0:
            explanation = f"要求不低于{fmt(self.threshold)}%，{found}，得满分"
            return Outcome(points, found, explanation, "")
        deduction = min(points, round_score(shortfall * self.deduct_per_point))
        explanation = (
            f"要求不低于{fmt(self.threshold)}%，{found}，低{fmt(shortfall)}个百分点，"
            f"每低1个百分点扣{fmt(self.deduct_per_point)}分，扣{fmt(deduction)}分"
        )
        advice = lost_advice(deduction, f"提高到{fmt(self.threshold)}%")
        return Outcome(points - deduction, found, explanation, advice)
