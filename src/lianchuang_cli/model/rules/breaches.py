"""The ``breaches`` rule kind: matters handled outside a required procedure, each deducts.

A share punishes small villages: with 4 major matters a year, one outside "四议两公开" is 25 %
and loses everything, while one of 20 loses little. Counting the breaches themselves gives the
same consequence for the same misconduct whatever the village's size, and a village with no
such matter in the year says so (``total: 0``) and keeps full marks: it broke no procedure.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Field, TypeAdapter, model_validator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model import plain
from lianchuang_cli.model.rules.base import (
    Count,
    Frozen,
    Outcome,
    Points,
    QuickRead,
    RuleBase,
    plain_count,
    scalar_key,
)
from lianchuang_cli.model.rules.cells import (
    COL_BREACHES,
    COL_VALUE,
    COL_WHOLE,
    WHOLE_NUMBER_ERROR,
    CellCheck,
    CellField,
    KindCells,
)

Text = Annotated[str, Field(min_length=1)]


class Breaches(Frozen):
    """How many matters there were in the year, and how many of them broke the procedure."""

    total: Count
    breaches: Count

    plain_fields: ClassVar[Mapping[str, plain.Reader] | None] = {
        "total": plain_count,
        "breaches": plain_count,
    }

    @model_validator(mode="after")
    def _within_total(self) -> Self:
        if self.breaches > self.total:
            raise ValueError(f"breaches（{self.breaches}）不能大于 total（{self.total}）")
        return self


class BreachesRule(RuleBase):
    """Each matter outside the procedure deducts, floored at zero: "每发现1件扣1分，扣完为止"."""

    kind: Literal["breaches"]
    subject: Text
    breach: Text
    deduct_per_breach: Points
    unit: str = "件"

    kind_name: ClassVar[str] = "违规件数扣分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Breaches)
    cells: ClassVar[KindCells] = KindCells(
        "number",
        (CellField("total", COL_WHOLE), CellField("breaches", COL_BREACHES)),
        value_cell=False,
        misplaced=f"本项不填“{COL_VALUE}”，请在“{COL_WHOLE}”“{COL_BREACHES}”分别填写件数",
    )
    quick_read: ClassVar[QuickRead] = "schema"

    def read_value(self, value: Any) -> Any:
        return Breaches.read_plain(value)

    def value_key(self, value: Any) -> tuple[object, ...] | None:
        if type(value) is Breaches:
            return (Breaches, value.total, value.breaches)
        return scalar_key(value)

    def cell_hint(self, points: Decimal) -> str:
        return (
            f"在“{COL_WHOLE}”填全年{self.subject}{self.unit}数，在“{COL_BREACHES}”"
            f"填其中{self.breach}的{self.unit}数；全年没有{self.subject}的都填0"
        )

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return tuple(
            CellCheck(c, "whole", WHOLE_NUMBER_ERROR, low=0) for c in (COL_WHOLE, COL_BREACHES)
        )

    @property
    def value_hint(self) -> str:
        return (
            f"写成{{total: 全年{self.subject}{self.unit}数, breaches: 其中{self.breach}的{self.unit}数}}；"
            f"全年没有{self.subject}的填 {{total: 0, breaches: 0}}"
        )

    def example(self, points: Decimal) -> str:
        return "{total: 6, breaches: 0}"

    def score(self, value: Breaches, points: Decimal) -> Outcome:
        if value.total == 0:
            found = f"全年无{self.subject}"
            return Outcome(points, found, f"{found}，没有违反程序的情况，得满分", "")
        found = (
            f"{self.subject}{value.total}{self.unit}，其中{self.breach}{value.breaches}{self.unit}"
        )
        if value.breaches == 0:
            return Outcome(points, found, f"{found}，得满分", "")
        deduction = min(points, value.breaches * self.deduct_per_breach)
        explanation = (
            f"{found}，每{self.unit}扣{fmt(self.deduct_per_breach)}分，扣{fmt(deduction)}分"
        )
        # Never "补正程序": a matter decided outside the procedure is not mended by records made
        # afterwards; the action is keeping to the procedure from now on.
        action = f"{self.subject}不再出现{self.breach}"
        return Outcome(points - deduction, found, explanation, action)
