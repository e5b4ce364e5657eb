"""``not-applicable-criterion``: no whole criterion may be 缺项 ("五个好" means all five are assessed)."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    for criterion in ctx.rubric.criteria:
        indicators = criterion.indicators
        if indicators and all(i.allows_not_applicable for i in indicators):
            message = (
                f"考评项目“{criterion.name}”的全部指标都允许缺项，整项可能缺项；"
                "“五个好”要求每一项都参加考评，请至少让一个指标不允许缺项"
            )
            yield ctx.at(criterion, "indicators", message=message, key=True)


CHECK = Check("not-applicable-criterion", "error", "没有哪个考评项目可以整项缺项", run)
