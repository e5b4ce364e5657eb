"""The ``tiers`` rule kind: value bands to points."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    TypeAdapter,
    field_validator,
)

from lianchuang_cli.decimals import ZERO, fmt
from lianchuang_cli.model.rules.base import (
    Bounded,
    Frozen,
    Number,
    Outcome,
    action_if_lost,
)


class Tier(Frozen):
    """One band of a tiered rule: values from ``min`` upwards earn ``points``."""

    min: Number
    points: Annotated[Decimal, Field(ge=0, decimal_places=2)]


class TiersRule(Bounded):
    """Value bands to points: "满意度≥90%得5分，80–90%得4分……"."""

    kind: Literal["tiers"]
    bands: Annotated[list[Tier], Field(min_length=2)]

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Number)

    @field_validator("bands")
    @classmethod
    def _best_band_first(cls, bands: list[Tier]) -> list[Tier]:
        for higher, lower in pairwise(bands):
            if lower.min >= higher.min:
                raise ValueError("档次应按 min 从高到低排列，且 min 不能重复")
            if lower.points > higher.points:
                raise ValueError("低档的分值不能高于高档")
        return bands

    def example(self, points: Decimal) -> str:
        return fmt(self.bands[0].min)

    def best(self, points: Decimal) -> Decimal:
        return self.bands[0].points

    def score(self, value: Decimal, points: Decimal) -> Outcome:
        found = f"实际{fmt(value)}{self.unit}"
        top = self.bands[0]
        band = next((b for b in self.bands if value >= b.min), None)
        earned = band.points if band is not None else ZERO
        if band is None:
            lowest = self.bands[-1]
            explanation = f"{found}，低于最低档（{fmt(lowest.min)}{self.unit}），不得分"
        else:
            explanation = f"{found}，达到“≥{fmt(band.min)}{self.unit}”档，得{fmt(earned)}分"
        action = action_if_lost(points, earned, f"达到{fmt(top.min)}{self.unit}以上")
        return Outcome(earned, found, explanation, action)
