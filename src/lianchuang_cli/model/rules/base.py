"""Shared pieces of the rule kinds: number types, the frozen base model, outcomes, advice wording."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from lianchuang_cli.decimals import ZERO, fmt, out_of_range, shorten


def _reject_bool(value: Any) -> Any:
    # pydantic's lax mode reads true/false as 1/0; a yes/no answer is never a number here.
    if isinstance(value, bool):
        raise ValueError("应填写数字，而不是 true/false")
    return value


def _within_range(value: Decimal) -> Decimal:
    # Checked before any arithmetic: a number like 1e26 would make rounding to cents fail.
    if out_of_range(value):
        raise ValueError(f"“{shorten(str(value))}”超出可处理的范围（绝对值应小于1万亿）")
    return value


MAX_COUNT = 1_000_000
"""Largest count (of meetings, members, events…) accepted; keeps products of counts exact."""

_Ranged = AfterValidator(_within_range)
Number = Annotated[Decimal, BeforeValidator(_reject_bool), Field(allow_inf_nan=False), _Ranged]
Points = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False, gt=0),
    _Ranged,
    Field(decimal_places=2),
]
Score = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False, ge=0),
    _Ranged,
    Field(decimal_places=2),
]
SignedScore = Annotated[
    Decimal,
    BeforeValidator(_reject_bool),
    Field(allow_inf_nan=False),
    _Ranged,
    Field(decimal_places=2),
]
Count = Annotated[int, Field(strict=True, ge=0, le=MAX_COUNT)]


class Frozen(BaseModel):
    """Base for every model read from a file: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The score one rule gives one evidence value, with the words that justify it.

    ``action`` says what would recover the lost points in the next year ("做到4次"), empty
    at full marks; the scoring step turns it into advice worth points on the total's scale.
    """

    score: Decimal
    found: str
    explanation: str
    action: str


class Ratio(Frozen):
    """A share given as counts, e.g. 5 of the 7 两委 members."""

    part: Count
    whole: Annotated[int, Field(strict=True, gt=0, le=MAX_COUNT)]

    @model_validator(mode="after")
    def _part_within_whole(self) -> Ratio:
        if self.part > self.whole:
            raise ValueError(f"part（{self.part}）不能大于 whole（{self.whole}）")
        return self


class Judgement(Frozen):
    """An assessor's score within the indicator's range, with the reason written down."""

    score: Score
    reason: str = ""


def action_if_lost(points: Decimal, earned: Decimal, action: str) -> str:
    """The recovering action for an indicator scored below its points, or "" at full marks."""
    return action if earned < points else ""


class RuleBase(Frozen):
    """What most rule kinds share: full marks at best, zero at worst, no check beyond the value's type.

    A rule kind overrides only what differs (a tiered rule's best band, a range check, the unit a
    number may carry); ``number_unit`` and ``percent_reference`` are read by the value normaliser.
    ``assessor_grade`` is true for a kind whose value is an assessor's grade: the unit cannot
    change it itself, so the next-rating advice never proposes it.
    """

    assessor_grade: ClassVar[bool] = False

    @property
    def number_unit(self) -> str | None:
        """The unit a number may be written with (``93%``, ``12次``), or None for non-numbers."""
        return None

    @property
    def percent_reference(self) -> Decimal | None:
        """The rule's headline percentage, by which a bare ``0.96`` is recognised as a fraction."""
        return None

    def best(self, points: Decimal) -> Decimal:
        """The highest score this rule can give an indicator worth ``points``."""
        return points

    def worst(self, points: Decimal) -> Decimal:
        """The lowest score this rule can give."""
        return ZERO

    def check_value(self, value: Any, points: Decimal) -> str | None:
        """A Chinese message when a well-typed value is still impossible for this indicator."""
        return None


class Bounded(RuleBase):
    """A rule on a measured number, with the range a real value can take (e.g. 0–100 %)."""

    unit: str = ""
    min_value: Number | None = None
    max_value: Number | None = None

    @property
    def number_unit(self) -> str | None:
        """The value may be written with the rule's unit after it: ``93%``, ``10万元``."""
        return self.unit

    @property
    def value_hint(self) -> str:
        parts = [f"单位：{self.unit}"] if self.unit else []
        low, high = self.min_value, self.max_value
        if low is not None and high is not None:
            parts.append(f"范围{fmt(low)}–{fmt(high)}")
        elif low is not None:
            parts.append(f"不小于{fmt(low)}")
        elif high is not None:
            parts.append(f"不大于{fmt(high)}")
        return f"填写数值{'（' + '，'.join(parts) + '）' if parts else ''}"

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Bounded:
        low, high = self.min_value, self.max_value
        if low is not None and high is not None and low >= high:
            raise ValueError("min_value 应小于 max_value")
        return self

    def check_value(self, value: Any, points: Decimal) -> str | None:
        if self.min_value is not None and value < self.min_value:
            return f"“{fmt(value)}”小于可能的最小值{fmt(self.min_value)}{self.unit}"
        if self.max_value is not None and value > self.max_value:
            return f"“{fmt(value)}”大于可能的最大值{fmt(self.max_value)}{self.unit}"
        return None
