"""``rating-coverage``: the bands cover every score from 0 to the total."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric = ctx.rubric
    bands = rubric.ratings
    if not bands:
        return
    if ctx.whole(rubric, "ratings"):
        last = bands[-1]
        if last.min_score != 0 or last.min_criterion_share is not None:
            message = f"最低等级“{last.name}”应兜底：min_score 为0，且不设 min_criterion_share"
            yield ctx.at(last, message=message)
    for band in bands:
        if band.min_score > rubric.total_points:
            message = f"等级“{band.name}”的门槛高于总分{fmt(rubric.total_points)}"
            yield ctx.at(band, "min_score", message=message)


CHECK = Check(
    "rating-coverage", "error", "等级覆盖 0 分到总分：最低一级 0 分兜底，门槛不超过总分", run
)
