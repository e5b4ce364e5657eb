"""The ``judgement`` rule kind: the assessor's score with a reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import (
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rules.base import (
    Judgement,
    Outcome,
    RuleBase,
    action_if_lost,
)


class JudgementRule(RuleBase):
    """The assessor's judgement within a range ("视情况得0–3分"), with a written reason."""

    kind: Literal["judgement"]
    guidance: str = ""

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(Judgement)
    assessor_grade: ClassVar[bool] = True
    value_hint: ClassVar[str] = "写成{score: 评定分数, reason: 评定理由}；低于满分时必须写理由"

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
