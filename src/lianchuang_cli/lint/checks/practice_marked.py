"""``practice-marked``: figures that are not in the policy text are marked as practice.

The seed policy states standards, never numbers: every number a rule uses (a threshold, a count,
a deduction, a band, an option's points) comes from local practice and is marked by a comment
containing “实践值” on the indicator's lines or just above them; so are a rating band's
conditions on the units below (``requires``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext

MARK = "实践值"


def _has_figures(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_figures(item) for key, item in value.items() if key != "kind")
    if isinstance(value, list):
        return any(_has_figures(item) for item in value)
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def run(ctx: RubricContext) -> Iterator[Finding]:
    if not ctx.lines:
        return
    for _, indicator in ctx.indicators():
        if not _has_figures(indicator.rule.model_dump()):
            continue
        first, last = ctx.span(indicator)
        if not any(MARK in line for line in ctx.lines[first - 1 : last]):
            message = (
                f"指标“{indicator.name}”的评分规则含具体数字，却没有注明出处；"
                f"文件原文不含数字，请在该指标处加注释“# {MARK}：……，非《意见》原文”"
            )
            yield ctx.at(indicator, "rule", message=message)
    for band in ctx.rubric.ratings:
        if not band.requires:
            continue
        first, last = ctx.span(band)
        if not any(MARK in line for line in ctx.lines[first - 1 : last]):
            message = (
                f"等级“{band.name}”的等级条件（requires）含具体数字，却没有注明出处；"
                f"请在该等级处加注释“# {MARK}：……，非《意见》原文”"
            )
            yield ctx.at(band, "requires", message=message)


CHECK = Check(
    "practice-marked",
    "warning",
    "评分规则中的具体数字（门槛、次数、扣分、档次、选项分值）在该指标处、等级条件（`requires`）在该等级处以注释“实践值”注明——《意见》原文不含数字",
    run,
)
