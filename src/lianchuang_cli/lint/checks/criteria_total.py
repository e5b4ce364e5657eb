"""``criteria-total``: the criteria's points add up to the rubric's total."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric = ctx.rubric
    if not rubric.criteria or not ctx.whole(rubric, "criteria"):
        return
    total = sum((c.points for c in rubric.criteria), Decimal(0))
    if total != rubric.total_points:
        message = f"各考评项目分值合计{fmt(total)}分，与总分{fmt(rubric.total_points)}分不一致"
        yield ctx.at(rubric, "total_points", message=message)


CHECK = Check("criteria-total", "error", "各考评项目分值合计等于总分", run)
