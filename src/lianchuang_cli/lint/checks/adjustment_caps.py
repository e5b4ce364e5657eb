"""``adjustment-caps``: penalty caps and the bonus cap are sane."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric = ctx.rubric
    total = rubric.total_points
    for item in (*rubric.penalties, *rubric.bonuses):
        if item.cap is not None and item.cap < item.points:
            message = (
                f"“{item.name}”至多{fmt(item.cap)}分，却每次{fmt(item.points)}分；"
                "cap 应不小于 points"
            )
            yield ctx.at(item, "cap", message=message)
        if item.cap is not None and item.cap > total:
            message = f"“{item.name}”的上限{fmt(item.cap)}分超过总分{fmt(total)}分"
            yield ctx.at(item, "cap", message=message)
    cap = rubric.bonus_cap
    if cap is None:
        return
    if cap > total:
        message = f"加分上限{fmt(cap)}分超过总分{fmt(total)}分"
        yield ctx.at(rubric, "bonus_cap", message=message)
    if not rubric.bonuses:
        yield ctx.at(rubric, "bonus_cap", message="设了加分上限 bonus_cap，但没有任何加分项")
    for item in rubric.bonuses:
        if item.points > cap:
            message = f"加分项“{item.name}”每次{fmt(item.points)}分，超过加分上限{fmt(cap)}分"
            yield ctx.at(item, "points", message=message)


CHECK = Check(
    "adjustment-caps",
    "error",
    "扣分项、加分项的上限不小于单次分值、不超过总分；加分项不超过加分上限",
    run,
)
