"""The ``tiers`` rule kind: value bands to points."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    TypeAdapter,
)

from lianchuang_cli.decimals import ZERO, fmt
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    Bounded,
    Frozen,
    Number,
    Outcome,
    SignedScore,
    action_if_lost,
)


class Tier(Frozen):
    """One band of a tiered rule: values from ``min`` upwards earn ``points``."""

    min: Number
    points: SignedScore


class TiersRule(Bounded):
    """Value bands to points: "满意度≥90%得5分，80–90%得4分……"."""

    kind: Literal["tiers"]
    # Order, overlap and reachability of the bands are checked by ``lianchuang check``
    # (tiers-order, tiers-range), which also runs whenever a rubric is loaded for grading.
    bands: Annotated[list[Tier], Field(min_length=2)]

    kind_name: ClassVar[str] = "分档计分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Number, config=DEFERRED)

    @property
    def percent_reference(self) -> Decimal | None:
        """The top band's minimum, when the value is a percentage."""
        return self.bands[0].min if self.unit == "%" else None

    def example(self, points: Decimal) -> str:
        return fmt(self.bands[0].min)

    def best(self, points: Decimal) -> Decimal:
        return max(band.points for band in self.bands)

    def worst(self, points: Decimal) -> Decimal:
        # A value below the lowest band scores zero.
        return min(ZERO, *(band.points for band in self.bands))

    def score(self, value: Decimal, points: Decimal) -> Outcome:
        found = f"实际{fmt(value)}{self.unit}"
        top = self.bands[0]
        band = None
        for candidate in self.bands:  # the first band reached (a loop: cheaper than next())
            if value >= candidate.min:
                band = candidate
                break
        earned = band.points if band is not None else ZERO
        if band is None:
            lowest = self.bands[-1]
            explanation = f"{found}，低于最低档（{fmt(lowest.min)}{self.unit}），不得分"
        else:
            explanation = f"{found}，达到“≥{fmt(band.min)}{self.unit}”档，得{fmt(earned)}分"
        action = action_if_lost(points, earned, f"达到{fmt(top.min)}{self.unit}以上")
        return Outcome(earned, found, explanation, action)
