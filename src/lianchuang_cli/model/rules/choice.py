"""The ``choice`` rule kind: one option out of a list."""

import difflib
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    BeforeValidator,
    Field,
    TypeAdapter,
    model_validator,
)

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model import plain
from lianchuang_cli.model.rules.base import (
    DEFERRED,
    Outcome,
    QuickRead,
    RuleBase,
    SignedScore,
)
from lianchuang_cli.model.rules.cells import COL_VALUE, CellCheck, KindCells


def _yes_no_as_word(value: Any) -> Any:
    # A yes/no answer is never an option, but it may be how an earlier version of the rubric asked
    # (主导产业 was true/false in village 2026.2): read as the word, so check_value can name the
    # option it corresponds to now.
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class ChoiceRule(RuleBase):
    """One option out of a fixed list, each worth points: 书记学历 研究生/本科/大专……"""

    kind: Literal["choice"]
    # Negative points are reported by ``lianchuang check`` (rule-worst), with a clearer message.
    options: Annotated[dict[str, SignedScore], Field(min_length=2)]
    # Values an earlier version of the rubric took, each with the option it corresponds to now.
    # Refused with that option named rather than graded as it: the option carries a definition
    # (a threshold) that the old answer was never checked against.
    earlier_values: dict[str, str] = {}

    kind_name: ClassVar[str] = "选项计分"
    value_schema: ClassVar[TypeAdapter[Any]] = TypeAdapter(
        Annotated[str, BeforeValidator(_yes_no_as_word)], config=DEFERRED
    )
    cells: ClassVar[KindCells] = KindCells("text")
    quick_read: ClassVar[QuickRead] = "as typed"

    @model_validator(mode="after")
    def _earlier_values_name_options(self) -> Self:
        for old, option in self.earlier_values.items():
            if old in self.options:
                raise ValueError(f"earlier_values 中的“{old}”仍是现在的选项，不能再对应别的选项")
            if option not in self.options:
                raise ValueError(
                    f"earlier_values 中“{old}”对应的“{option}”不是选项；可选：{'、'.join(self.options)}"
                )
        return self

    @property
    def value_hint(self) -> str:
        return "从以下选项中选填一项：" + "、".join(self.options)

    def read_value(self, value: Any) -> Any:
        return plain.text(_yes_no_as_word(value))

    def takes_as_typed(self, value: Any) -> bool:
        # check_value accepts exactly the options.
        return type(value) is str and value in self.options

    def cell_hint(self, points: Decimal) -> str:
        return "从下拉列表选择：" + "、".join(self.options)

    def cell_checks(self, points: Decimal) -> tuple[CellCheck, ...]:
        return (CellCheck(COL_VALUE, "list", options=tuple(self.options)),)

    def narrow_json_schema(self, schema: dict[str, Any], points: Decimal) -> None:
        schema["enum"] = list(self.options)

    def example(self, points: Decimal) -> str:
        return next(iter(self.options))

    def best(self, points: Decimal) -> Decimal:
        return max(self.options.values())

    def worst(self, points: Decimal) -> Decimal:
        return min(self.options.values())

    def check_value(self, value: Any, points: Decimal) -> str | None:
        if value in self.options:
            return None
        if value in self.earlier_values:
            return (
                f"“{value}”是本项上一版细则的填法，现应从{'、'.join(self.options)}中选填一项；"
                f"上一版的“{value}”对应“{self.earlier_values[value]}”，"
                "请按本版评分标准（lianchuang rubric show 可查）核对达到哪一项后填写"
            )
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
