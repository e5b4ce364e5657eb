"""The ``count`` rule kind: a required count, each miss deducts."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    MAX_COUNT,
    Count,
    Outcome,
    Points,
    QuickRead,
    RuleBase,
    plain_count,
)
from lianchuang_cli.model.rules.cells import COL_VALUE, WHOLE_NUMBER_ERROR, CellCheck, KindCells


class CountRule(RuleBase):
    """Required count, each missing occurrence deducts, floored at zero: "每季度1次，少1次扣0.5分"."""

    kind: Literal["count"]
    required: Annotated[int, Field(strict=True, gt=0, le=MAX_COUNT)]
    deduct_per_miss: Points
    unit: str = "次"

    kind_name: ClassVar[str] = "计次扣分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Count, config=DEFERRED)
    cells: ClassVar[KindCells] = KindCells("rule unit")
    quick_read: ClassVar[QuickRead] = "as typed"
    scores_figures: ClassVar[bool] = True

    def figure_value(
        self, figure: Decimal, part: int | None, whole: int | None, previous: Decimal | None
    ) -> Any:
        return int(figure)

    def takes_as_typed(self, value: Any) -> bool:
        return type(value) is int and 0 <= value <= MAX_COUNT

    def read_value(self, value: Any) -> Any:
        return plain_count(value)

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return (CellCheck(COL_VALUE, "whole", WHOLE_NUMBER_ERROR, low=0),)

    @property
    def number_unit(self) -> str | None:
        """A count may be written with its unit: ``12次``."""
        return self.unit

    @property
    def value_hint(self) -> str:
        return f"填写实际{self.unit}数（整数，应达到{self.required}）"

    def example(self, points: Decimal) -> str:
        return str(self.required)

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
        # The year's records are closed when it is graded: the action is the next year's target.
        action = f"做到{self.required}{self.unit}"
        return Outcome(points - deduction, found, explanation, action)
