"""``rule-best``: an indicator's rule can give exactly the indicator's points at best."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    for _, indicator in ctx.indicators():
        best = indicator.rule.best(indicator.points)
        if best != indicator.points:
            message = (
                f"指标“{indicator.name}”的评分规则最高可得{fmt(best)}分，"
                f"与指标分值{fmt(indicator.points)}分不一致"
            )
            yield ctx.at(indicator, "rule", message=message)


CHECK = Check("rule-best", "error", "评分规则的最高得分等于指标分值", run)
