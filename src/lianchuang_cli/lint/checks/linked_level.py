"""``linked-level``: a linked indicator draws on units below the rubric's own level."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import LEVEL_NAMES, LEVEL_ORDER


def run(ctx: RubricContext) -> Iterator[Finding]:
    level = ctx.rubric.level
    for _, indicator in ctx.indicators():
        linked = indicator.linked
        if linked is not None and LEVEL_ORDER.index(linked.of) >= LEVEL_ORDER.index(level):
            message = (
                f"指标“{indicator.name}”只能由下级单位核算："
                f"{LEVEL_NAMES[level]}级细则的 of 应为更低一级"
            )
            yield ctx.at(linked, "of", message=message)


CHECK = Check("linked-level", "error", "联创指标取自比本细则低一级的单位", run)
