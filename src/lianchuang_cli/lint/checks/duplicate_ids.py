"""``duplicate-id``: every criterion, indicator, penalty, bonus and veto has its own id."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import AdjustmentItem, VetoItem


def _named(ctx: RubricContext) -> Iterator[tuple[BaseModel, str, str]]:
    rubric = ctx.rubric
    for criterion in rubric.criteria:
        yield criterion, criterion.id, f"考评项目“{criterion.name}”"
        for indicator in criterion.indicators:
            yield indicator, indicator.id, f"指标“{indicator.name}”"
    items: list[AdjustmentItem | VetoItem] = [*rubric.penalties, *rubric.bonuses, *rubric.vetoes]
    for item in items:
        yield item, item.id, f"“{item.name}”"


def run(ctx: RubricContext) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for part, ident, label in _named(ctx):
        if not ident:
            continue  # an id that failed validation, already reported
        if ident in seen:
            yield ctx.at(part, "id", message=f"id“{ident}”重复（{seen[ident]}）")
        else:
            seen[ident] = label


CHECK = Check(
    "duplicate-id", "error", "考评项目、指标、扣分项、加分项、否决事项的 id 互不相同", run
)
