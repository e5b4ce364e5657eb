"""The ``check`` rule kind: all or nothing."""

from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    TypeAdapter,
)

from lianchuang_cli.decimals import ZERO, fmt
from lianchuang_cli.model import plain
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    Outcome,
    QuickRead,
    RuleBase,
)
from lianchuang_cli.model.rules.cells import COL_VALUE, NO, YES, CellCheck, KindCells


class CheckRule(RuleBase):
    """All or nothing: "有年度创建规划得2分，否则不得分"."""

    kind: Literal["check"]

    kind_name: ClassVar[str] = "达标得分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(
        Annotated[bool, Field(strict=True)], config=DEFERRED
    )
    value_hint: ClassVar[str] = "已落实填 true，未落实填 false"
    cells: ClassVar[KindCells] = KindCells("yes/no")
    quick_read: ClassVar[QuickRead] = "as typed"

    def takes_as_typed(self, value: Any) -> bool:
        return type(value) is bool

    def read_value(self, value: Any) -> Any:
        return plain.flag(value)

    def cell_hint(self, points: Decimal) -> str:
        return f"已落实选“{YES}”，未落实选“{NO}”"

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return (CellCheck(COL_VALUE, "list", options=(YES, NO)),)

    def example(self, points: Decimal) -> str:
        return "true"

    def score(self, value: bool, points: Decimal) -> Outcome:
        if value:
            return Outcome(points, "已落实", f"已落实，得{fmt(points)}分", "")
        return Outcome(ZERO, "未落实", "未落实，不得分", "落实后")
