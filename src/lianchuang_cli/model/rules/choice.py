"""The ``choice`` rule kind: one option out of a list."""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    TypeAdapter,
)

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rules.base import (
    Outcome,
    RuleBase,
    SignedScore,
)


class ChoiceRule(RuleBase):
    """One option out of a fixed list, each worth points: 书记学历 研究生/本科/大专……"""

    kind: Literal["choice"]
    # Negative points are reported by ``lianchuang check`` (rule-worst), with a clearer message.
    options: Annotated[dict[str, SignedScore], Field(min_length=2)]

    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(str)

    @property
    def value_hint(self) -> str:
        return "从以下选项中选填一项：" + "、".join(self.options)

    def example(self, points: Decimal) -> str:
        return next(iter(self.options))

    def best(self, points: Decimal) -> Decimal:
        return max(self.options.values())

    def worst(self, points: Decimal) -> Decimal:
        return min(self.options.values())

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
        action = ""
        if earned < points:
            best = "/".join(name for name, pts in self.options.items() if pts == points)
            action = f"达到“{best}”"
        return Outcome(earned, found, explanation, action)
