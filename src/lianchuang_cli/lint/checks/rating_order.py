"""``rating-order``: rating bands run from the best to the worst, each name once."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    bands = ctx.rubric.ratings
    for better, worse in pairwise(bands):
        if worse.min_score > better.min_score:
            message = f"等级应从高到低排列：“{worse.name}”的门槛不能高于“{better.name}”"
            yield ctx.at(worse, "min_score", message=message)
    seen: set[str] = set()
    for band in bands:
        if band.name in seen:
            yield ctx.at(band, "name", message=f"等级名称“{band.name}”重复")
        seen.add(band.name)


CHECK = Check("rating-order", "error", "等级从高到低排列，名称不重复", run)
