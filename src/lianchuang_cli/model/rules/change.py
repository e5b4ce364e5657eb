"""The ``change`` rule kind: a figure compared with last year's (逐年提高、不断提高).

The seed asks that shares "逐年提高"; no published rule says how to score that, so a rubric picks
one of two readings and states it: points for a rise, for holding level and for a fall; or, with
``per_point``, the holding-level points plus (or minus) ``per_point`` for each percentage point of
change, kept between zero and ``rise``. ``tolerance`` is the change still read as holding level
(one 两委 member of 73 is 1.37 points), and a figure at or above ``hold_at`` both years has held a
top level that cannot rise (100 % of villages 五个好): it earns ``rise``, as local sheets count it.

Without last year's figure nothing can be compared. ``without_previous`` says what that means:
``not_applicable`` (the default) takes the indicator out as 缺项, so a missing file earns no free
"flat"; ``flat`` scores it as holding level, which the report then says it did.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar, Literal, Self

from pydantic import TypeAdapter, model_validator

from lianchuang_cli.decimals import ZERO, fmt, round_score
from lianchuang_cli.model import plain
from lianchuang_cli.model.rules.base import (
    Frozen,
    Number,
    Outcome,
    Points,
    QuickRead,
    RuleBase,
    Score,
    action_if_lost,
)
from lianchuang_cli.model.rules.cells import (
    COL_PREVIOUS,
    COL_VALUE,
    CellCheck,
    CellField,
    KindCells,
)

NonNegative = Score


class Change(Frozen):
    """This year's figure and last year's; ``previous`` is None when last year is unknown."""

    current: Number
    previous: Number | None = None

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "current": plain.number,
        "previous": plain.optional(plain.number),
    }


class ChangeRule(RuleBase):
    """This year against last year: "先进比例逐年提高" as rise / flat / fall, or points per point."""

    kind: Literal["change"]
    rise: Points
    flat: NonNegative = ZERO
    fall: NonNegative = ZERO
    per_point: Points | None = None
    tolerance: NonNegative = ZERO
    hold_at: Number | None = None
    unit: str = "%"
    without_previous: Literal["not_applicable", "flat"] = "not_applicable"

    kind_name: ClassVar[str] = "逐年比较"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Change)
    cells: ClassVar[KindCells] = KindCells(
        "number", (CellField("current", COL_VALUE), CellField("previous", COL_PREVIOUS))
    )
    quick_read: ClassVar[QuickRead] = "schema"
    scores_figures: ClassVar[bool] = True
    compares_previous: ClassVar[bool] = True

    def figure_value(
        self, figure: Decimal, part: int | None, whole: int | None, previous: Decimal | None
    ) -> Any:
        return Change(current=round_score(figure), previous=previous)

    def not_applicable_without_previous(self) -> bool:
        return self.without_previous == "not_applicable"

    def read_value(self, value: Any) -> Any:
        return Change.read_plain(value)

    def value_key(self, value: Any) -> tuple[object, ...] | None:
        # Not remembered: a comparison is cheap to score, and rarely repeats across units.
        return None

    def cell_hint(self, points: Decimal) -> str:
        return f"“{COL_VALUE}”填本年数值，“{COL_PREVIOUS}”填上年数值（单位：{self.unit}）"

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return tuple(CellCheck(c, "decimal", "请填写数字") for c in (COL_VALUE, COL_PREVIOUS))

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.rise >= self.flat >= self.fall:
            raise ValueError("应满足 rise ≥ flat ≥ fall（提高得分不低于持平，持平不低于下降）")
        return self

    @property
    def value_hint(self) -> str:
        return f"写成{{current: 本年数值, previous: 上年数值}}（单位：{self.unit}）"

    def example(self, points: Decimal) -> str:
        return "{current: 60, previous: 55}"

    def best(self, points: Decimal) -> Decimal:
        return self.rise

    def worst(self, points: Decimal) -> Decimal:
        return ZERO if self.per_point is not None else self.fall

    def describe(self) -> str:
        """The rule in words, as ``rubric show`` states it, with what a missing year means."""
        return f"{self._comparison()}；{self.without_previous_text}"

    def _comparison(self) -> str:
        if self.per_point is not None:
            text = (
                f"与上年持平得{fmt(self.flat)}分，每提高1个百分点加{fmt(self.per_point)}分、"
                f"每降低1个百分点减{fmt(self.per_point)}分，最高{fmt(self.rise)}分、最低0分"
            )
        else:
            text = (
                f"比上年提高得{fmt(self.rise)}分，持平得{fmt(self.flat)}分，"
                f"下降得{fmt(self.fall)}分"
            )
        if self.tolerance:
            text += f"，变化不超过{fmt(self.tolerance)}个百分点的按持平计"
        if self.hold_at is not None:
            text += f"，上年和本年都达到{fmt(self.hold_at)}{self.unit}的按提高计"
        return text

    @property
    def without_previous_text(self) -> str:
        """What a missing previous figure means, as the rubric declares it."""
        if self.without_previous == "flat":
            return f"无上年数据时按持平计{fmt(self.flat)}分"
        return "无上年数据时按缺项处理"

    def score(self, value: Change, points: Decimal) -> Outcome:
        current = f"本年{fmt(value.current)}{self.unit}"
        if value.previous is None:
            found = f"{current}，无上年数据"
            explanation = f"{found}，无法比较，按细则规定按持平计{fmt(self.flat)}分"
            action = action_if_lost(points, self.flat, "提供上年结果（--previous）并比上年提高")
            return Outcome(self.flat, found, explanation, action)
        delta = value.current - value.previous
        found = f"{current}，上年{fmt(value.previous)}{self.unit}"
        top = self.hold_at
        if top is not None and value.previous >= top and value.current >= top:
            trend = f"保持在{fmt(top)}{self.unit}以上"
            explanation = f"{found}，{trend}；{self.describe()}，得{fmt(self.rise)}分"
            return Outcome(self.rise, found, explanation, "")
        if abs(delta) <= self.tolerance:
            trend, earned = "持平", self.flat
        elif delta > 0:
            trend, earned = f"提高{fmt(delta)}个百分点", self.rise
        else:
            trend, earned = f"下降{fmt(-delta)}个百分点", self.fall
        if self.per_point is not None:
            steps = ZERO if abs(delta) <= self.tolerance else delta
            earned = min(self.rise, max(ZERO, round_score(self.flat + steps * self.per_point)))
        explanation = f"{found}，{trend}；{self._comparison()}，得{fmt(earned)}分"
        return Outcome(earned, found, explanation, action_if_lost(points, earned, "比上年提高"))
