"""``band-conditions``: a rating band's conditions on the units below can be checked and met.

A condition (``requires``) reads a figure over a lower level, as a linked indicator does: it must
name a level below the rubric's own; its bound must lie within what the figure can be (a share
between 0 and 100 %, a count or a mean not below 0); and the lowest band, which every unit falls
back to, carries no condition.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import LEVEL_NAMES, LEVEL_ORDER


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric = ctx.rubric
    level = rubric.level
    for index, band in enumerate(rubric.ratings):
        if band.requires and index == len(rubric.ratings) - 1:
            message = f"最低等级“{band.name}”应兜底，不能设等级条件（requires）"
            yield ctx.at(band, "requires", message=message)
        for position, condition in enumerate(band.requires):
            spec = condition.linked
            if LEVEL_ORDER.index(spec.of) >= LEVEL_ORDER.index(level):
                message = (
                    f"等级“{band.name}”的条件只能取自下级单位："
                    f"{LEVEL_NAMES[level]}级细则的 of 应为更低一级"
                )
                yield ctx.at(spec, "of", message=message)
            for key in ("at_least", "at_most"):
                bound = getattr(condition, key)
                if bound is None:
                    continue
                top = Decimal(100) if spec.kind == "share" else None
                if bound < 0 or (top is not None and bound > top):
                    message = (
                        f"等级“{band.name}”第{position + 1}个条件的界限{fmt(bound)}超出该数值的范围"
                        f"（{'0–100%' if top is not None else '不小于0'}），条件永远不会或总是满足"
                    )
                    yield ctx.at(condition, key, message=message)


CHECK = Check(
    "band-conditions",
    "error",
    "等级条件（`requires`）取自下级单位，界限在数值可能的范围内（比例0–100%、个数不小于0），最低一级不设条件",
    run,
)
