"""``rule-worst``: no evidence value makes an indicator's rule give less than zero."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    for _, indicator in ctx.indicators():
        worst = indicator.rule.worst(indicator.points)
        if worst < 0:
            message = (
                f"指标“{indicator.name}”的评分规则最低会得{fmt(worst)}分；"
                "单项得分不能为负（扣完为止），请把最低分改为0或以上"
            )
            yield ctx.at(indicator, "rule", message=message)


CHECK = Check("rule-worst", "error", "评分规则的最低得分不低于 0", run)
