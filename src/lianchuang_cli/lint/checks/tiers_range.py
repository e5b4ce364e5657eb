"""``tiers-range``: every band of a tiered rule can be reached within the rule's value range."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rules import TiersRule


def run(ctx: RubricContext) -> Iterator[Finding]:
    for _, indicator in ctx.indicators():
        rule = indicator.rule
        if not isinstance(rule, TiersRule):
            continue
        unit = rule.unit
        if rule.max_value is not None:
            for band in rule.bands:
                if band.min > rule.max_value:
                    message = (
                        f"指标“{indicator.name}”的档次“≥{fmt(band.min)}{unit}”高于可能的最大值"
                        f"{fmt(rule.max_value)}{unit}，永远达不到"
                    )
                    yield ctx.at(band, "min", message=message)
        if rule.min_value is not None:
            floor = [band for band in rule.bands if band.min <= rule.min_value]
            for band in floor[1:]:
                message = (
                    f"指标“{indicator.name}”的档次“≥{fmt(band.min)}{unit}”永远用不到："
                    f"可能的最小值{fmt(rule.min_value)}{unit}已落入上一档"
                )
                yield ctx.at(band, "min", message=message)


CHECK = Check("tiers-range", "error", "每个档次都落在 `min_value`–`max_value` 之内，能够达到", run)
