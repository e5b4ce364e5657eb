"""Scoring rule kinds: each is a small model selected by ``kind:`` with one ``score()`` method.

A rule knows the shape of the evidence value it scores (``value_schema``), any check of that value
that depends on the indicator (``check_value``), its best possible outcome (``best``, which the
rubric loader compares with the indicator's points), and how to explain a score in Chinese.
Adding a rule kind means adding one class here and naming it in ``Rule``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    TypeAdapter,
    field_validator,
    model_validator,
)

from lianchuang_cli.decimals import ZERO, fmt, round_score


def _reject_bool(value: Any) -> Any:
    # pydantic's lax mode reads true/false as 1/0; a yes/no answer is never a number here.
    if isinstance(value, bool):
        raise ValueError("应填写数字，而不是 true/false")
    return value


Number = Annotated[Decimal, BeforeValidator(_reject_bool), Field(allow_inf_nan=False)]
Points = Annotated[Decimal, BeforeValidator(_reject_bool), Field(gt=0, decimal_places=2)]
Score = Annotated[Decimal, BeforeValidator(_reject_bool), Field(ge=0, decimal_places=2)]
Count = Annotated[int, Field(strict=True, ge=0)]


class Frozen(BaseModel):
    """Base for every model read from a file: immutable, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True, slots=True)
class Outcome:
    """The score one rule gives one evidence value, with the words that justify it."""

    score: Decimal
    found: str
    explanation: str
    advice: str


class Ratio(Frozen):
    """A share given as counts, e.g. 5 of the 7 两委 members."""

    part: Count
    whole: Annotated[int, Field(strict=True, gt=0)]

    @model_validator(mode="after")
    def _part_within_whole(self) -> Ratio:
        if self.part > self.whole:
            raise ValueError(f"part（{self.part}）不能大于 whole（{self.whole}）")
        return self


class Judgement(Frozen):
    """An assessor's score within the indicator's range, with the reason written down."""

    score: Score
    reason: str = ""


def _lost_advice(lost: Decimal, action: str) -> str:
    return f"{action}可得回{fmt(lost)}分"


def _regain(points: Decimal, earned: Decimal, action: str) -> str:
    """Advice for an indicator scored below its points, or "" when nothing was lost."""
    return _lost_advice(points - earned, action) if earned < points else ""


class CheckRule(Frozen):
    """All or nothing: "有年度创建规划得2分，否则不得分"."""

    kind: Literal["check"]

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Annotated[bool, Field(strict=True)])
    value_hint: ClassVar[str] = "已落实填 true，未落实填 false"

    def example(self, points: Decimal) -> str:
        return "true"

    def best(self, points: Decimal) -> Decimal:
        return points

    def check_value(self, value: Any, points: Decimal) -> str | None:
        return None

    def score(self, value: bool, points: Decimal) -> Outcome:
        if value:
            return Outcome(points, "已落实", f"已落实，得{fmt(points)}分", "")
        return Outcome(ZERO, "未落实", "未落实，不得分", _lost_advice(points, "落实后"))


class CountRule(Frozen):
    """Required count, each missing occurrence deducts, floored at zero: "每季度1次，少1次扣0.5分"."""

    kind: Literal["count"]
    required: Annotated[int, Field(strict=True, gt=0)]
    deduct_per_miss: Points
    unit: str = "次"

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Count)

    @property
    def value_hint(self) -> str:
        return f"填写实际{self.unit}数（整数，应达到{self.required}）"

    def example(self, points: Decimal) -> str:
        return str(self.required)

    def best(self, points: Decimal) -> Decimal:
        return points

    def check_value(self, value: Any, points: Decimal) -> str | None:
        return None

    def score(self, value: int, points: Decimal) -> Outcome:
        found = f"实际{value}{self.unit}"
        missing = self.required - value
        if missing <= 0:
            return Outcome(points, found, f"应{self.required}{self.unit}，{found}，得满分", "")
        deduction = min(points, missing * self.deduct_per_miss)
        explanation = (
            f"应{self.required}{self.unit}，{found}，少{missing}{self.unit}，"
            f"每少1{self.unit}扣{fmt(self.deduct_per_miss)}分，扣{fmt(deduction)}分"
        )
        advice = _lost_advice(deduction, f"补足{missing}{self.unit}")
        return Outcome(points - deduction, found, explanation, advice)


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
        advice = _lost_advice(deduction, f"提高到{fmt(self.threshold)}%")
        return Outcome(points - deduction, found, explanation, advice)


class _Bounded(Frozen):
    """A rule on a measured number, with the range a real value can take (e.g. 0–100 %)."""

    unit: str = ""
    min_value: Number | None = None
    max_value: Number | None = None

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
    def _range_is_ordered(self) -> _Bounded:
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


class Tier(Frozen):
    """One band of a tiered rule: values from ``min`` upwards earn ``points``."""

    min: Number
    points: Annotated[Decimal, Field(ge=0, decimal_places=2)]


class TiersRule(_Bounded):
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
        advice = _regain(points, earned, f"达到{fmt(top.min)}{self.unit}以上")
        return Outcome(earned, found, explanation, advice)


class ChoiceRule(Frozen):
    """One option out of a fixed list, each worth points: 书记学历 研究生/本科/大专……"""

    kind: Literal["choice"]
    options: Annotated[
        dict[str, Annotated[Decimal, Field(ge=0, decimal_places=2)]], Field(min_length=2)
    ]

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(str)

    @property
    def value_hint(self) -> str:
        return "从以下选项中选填一项：" + "、".join(self.options)

    def example(self, points: Decimal) -> str:
        return next(iter(self.options))

    def best(self, points: Decimal) -> Decimal:
        return max(self.options.values())

    def check_value(self, value: Any, points: Decimal) -> str | None:
        if value in self.options:
            return None
        message = f"“{value}”不是可选项；可选：{'、'.join(self.options)}"
        close = difflib.get_close_matches(value, list(self.options), n=1, cutoff=0.5)
        return message + (f"。是否想写“{close[0]}”？" if close else "")

    def score(self, value: str, points: Decimal) -> Outcome:
        earned = self.options[value]
        found = f"“{value}”"
        explanation = f"{found}，得{fmt(earned)}分"
        advice = ""
        if earned < points:
            best = "/".join(name for name, pts in self.options.items() if pts == points)
            advice = _lost_advice(points - earned, f"达到“{best}”")
        return Outcome(earned, found, explanation, advice)


class LinearRule(_Bounded):
    """Linear between two values, clamped: "集体经济收入0万元得0分，10万元以上得满分"."""

    kind: Literal["linear"]
    zero_at: Number
    full_at: Number

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Number)

    @model_validator(mode="after")
    def _distinct_ends(self) -> LinearRule:
        if self.zero_at == self.full_at:
            raise ValueError("zero_at 与 full_at 不能相等")
        return self

    def example(self, points: Decimal) -> str:
        return fmt(self.full_at)

    def best(self, points: Decimal) -> Decimal:
        return points

    def score(self, value: Decimal, points: Decimal) -> Outcome:
        found = f"实际{fmt(value)}{self.unit}"
        fraction = (value - self.zero_at) / (self.full_at - self.zero_at)
        fraction = min(Decimal(1), max(ZERO, fraction))
        earned = round_score(points * fraction)
        explanation = (
            f"{found}；{fmt(self.zero_at)}{self.unit}得0分、{fmt(self.full_at)}{self.unit}"
            f"得满分，其间按比例计分，得{fmt(earned)}分"
        )
        advice = _regain(points, earned, f"达到{fmt(self.full_at)}{self.unit}")
        return Outcome(earned, found, explanation, advice)


class JudgementRule(Frozen):
    """The assessor's judgement within a range ("视情况得0–3分"), with a written reason."""

    kind: Literal["judgement"]
    guidance: str = ""

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Judgement)
    value_hint: ClassVar[str] = "写成{score: 评定分数, reason: 评定理由}；低于满分时必须写理由"

    def example(self, points: Decimal) -> str:
        return f'{{score: {fmt(points)}, reason: ""}}'

    def best(self, points: Decimal) -> Decimal:
        return points

    def check_value(self, value: Any, points: Decimal) -> str | None:
        if value.score > points:
            return f"评定分数{fmt(value.score)}超过本项满分{fmt(points)}"
        if value.score < points and not value.reason.strip():
            return "评定分数低于满分，必须在 reason 中写明理由"
        return None

    def score(self, value: Judgement, points: Decimal) -> Outcome:
        found = f"评定{fmt(value.score)}分" + (
            f"（{value.reason.strip()}）" if value.reason.strip() else ""
        )
        explanation = f"考评人员评定，{found}"
        advice = _regain(points, value.score, "针对评定理由整改")
        return Outcome(value.score, found, explanation, advice)


Rule = Annotated[
    CheckRule | CountRule | PercentageRule | TiersRule | ChoiceRule | LinearRule | JudgementRule,
    Field(discriminator="kind"),
]
RULE_KINDS = ("check", "count", "percentage", "tiers", "choice", "linear", "judgement")
