"""``tiers-order``: a tiered rule's bands run from the highest ``min`` down, without overlap."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rules import TiersRule


def run(ctx: RubricContext) -> Iterator[Finding]:
    for _, indicator in ctx.indicators():
        rule = indicator.rule
        if not isinstance(rule, TiersRule):
            continue
        for higher, lower in pairwise(rule.bands):
            if lower.min >= higher.min:
                message = (
                    f"指标“{indicator.name}”的档次应按 min 从高到低排列，且 min 不能重复"
                    f"（“≥{fmt(lower.min)}”排在“≥{fmt(higher.min)}”之后）"
                )
                yield ctx.at(lower, "min", message=message)
            elif lower.points > higher.points:
                message = (
                    f"指标“{indicator.name}”的低档（≥{fmt(lower.min)}，{fmt(lower.points)}分）"
                    f"分值不能高于高档（≥{fmt(higher.min)}，{fmt(higher.points)}分）"
                )
                yield ctx.at(lower, "points", message=message)


CHECK = Check("tiers-order", "error", "档次按 `min` 从高到低、互不重叠，低档分值不高于高档", run)
