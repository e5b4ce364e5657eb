"""The ``linear`` rule kind: proportional between two values."""

from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar, Literal, Self

from pydantic import (
    TypeAdapter,
    model_validator,
)

from lianchuang_cli.decimals import fmt, round_ratio
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    Bounded,
    Number,
    Outcome,
    action_if_lost,
)


class LinearRule(Bounded):
    """Linear between two values, clamped: "集体经济收入0万元得0分，10万元以上得满分"."""

    kind: Literal["linear"]
    zero_at: Number
    full_at: Number

    kind_name: ClassVar[str] = "按比例计分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Number, config=DEFERRED)

    @model_validator(mode="after")
    def _distinct_ends(self) -> Self:
        if self.zero_at == self.full_at:
            raise ValueError("zero_at 与 full_at 不能相等")
        return self

    @property
    def percent_reference(self) -> Decimal | None:
        """The larger end of the scale, when the value is a percentage."""
        if self.unit != "%":
            return None
        return max(abs(self.zero_at), abs(self.full_at))

    def example(self, points: Decimal) -> str:
        return fmt(self.full_at)

    def exact(self, value: Decimal, points: Decimal) -> Fraction:
        """The unrounded score: points × (value − zero_at) ÷ (full_at − zero_at), clamped."""
        share = Fraction(value - self.zero_at) / Fraction(self.full_at - self.zero_at)
        return Fraction(points) * min(Fraction(1), max(Fraction(0), share))

    def score(self, value: Decimal, points: Decimal) -> Outcome:
        found = f"实际{fmt(value)}{self.unit}"
        earned = round_ratio(*self._exact_ratio(value, points))
        explanation = (
            f"{found}；{fmt(self.zero_at)}{self.unit}得0分、{fmt(self.full_at)}{self.unit}"
            f"得满分，其间按比例计分，得{fmt(earned)}分"
        )
        action = action_if_lost(points, earned, f"达到{fmt(self.full_at)}{self.unit}")
        return Outcome(earned, found, explanation, action)

    def _exact_ratio(self, value: Decimal, points: Decimal) -> tuple[int, int]:
        """``exact(value, points)`` as a numerator and a positive denominator, in whole numbers."""
        # The differences are taken in Decimal exactly as ``exact`` takes them.
        an, ad = (value - self.zero_at).as_integer_ratio()
        bn, bd = (self.full_at - self.zero_at).as_integer_ratio()
        # share = (an/ad) / (bn/bd) = sn/sd with sd > 0 (bn ≠ 0: the ends differ)
        sn, sd = an * bd, ad * bn
        if sd < 0:
            sn, sd = -sn, -sd
        qn, qd = points.as_integer_ratio()
        if sn <= 0:
            return 0, 1
        if sn >= sd:
            return qn, qd
        return qn * sn, qd * sd
