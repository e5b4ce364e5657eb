"""The ``judgement`` rule kind: the assessor's score with a reason."""

from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import (
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rules.base import (
    Judgement,
    Outcome,
    QuickRead,
    RuleBase,
    action_if_lost,
    scalar_key,
)
from lianchuang_cli.model.rules.cells import COL_REASON, COL_VALUE, CellCheck, CellField, KindCells


class JudgementRule(RuleBase):
    """The assessor's judgement within a range ("视情况得0–3分"), with a written reason."""

    kind: Literal["judgement"]
    guidance: str = ""

    kind_name: ClassVar[str] = "评议"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Judgement)
    assessor_grade: ClassVar[bool] = True
    value_hint: ClassVar[str] = "写成{score: 评定分数, reason: 评定理由}；低于满分时必须写理由"
    cells: ClassVar[KindCells] = KindCells(
        "number",
        (CellField("score", COL_VALUE), CellField("reason", COL_REASON, "text")),
        omit_empty=True,
    )
    quick_read: ClassVar[QuickRead] = "schema"

    def read_value(self, value: Any) -> Any:
        return Judgement.read_plain(value)

    def value_key(self, value: Any) -> tuple[object, ...] | None:
        if type(value) is Judgement:
            return (Judgement, str(value.score), value.reason)
        return scalar_key(value)

    def cell_hint(self, points: Decimal) -> str:
        hint = f"“{COL_VALUE}”填评定分数（0–{fmt(points)}），低于满分时必须在“{COL_REASON}”写明理由"
        return f"{hint}；{self.guidance}" if self.guidance else hint

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        error = f"请填写0到{fmt(points)}之间的评定分数"
        return (CellCheck(COL_VALUE, "decimal", error, low=0, high=points),)

    def narrow_json_schema(self, schema: dict[str, Any], points: Decimal) -> None:
        score = schema.get("properties", {}).get("score")
        if isinstance(score, dict):
            score["maximum"] = float(points)

    def example(self, points: Decimal) -> str:
        return f'{{score: {fmt(points)}, reason: ""}}'

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
        action = action_if_lost(points, value.score, "针对评定理由整改")
        return Outcome(value.score, found, explanation, action)
