"""``indicator-sum``: each criterion's indicators add up to the criterion's points."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    for criterion in ctx.rubric.criteria:
        if not criterion.indicators or not ctx.whole(criterion, "indicators"):
            continue
        total = sum((i.points for i in criterion.indicators), Decimal(0))
        if total != criterion.points:
            message = (
                f"“{criterion.name}”下各指标分值合计{fmt(total)}分，"
                f"与该项分值{fmt(criterion.points)}分不一致"
            )
            yield ctx.at(criterion, "points", message=message)


CHECK = Check("indicator-sum", "error", "各指标分值合计等于所属考评项目的分值", run)
