"""``rating-reachable``: every rating band can be given to some unit.

A band is unreachable when a better band asks no more of a unit (it shadows it: the search for a
unit's rating stops at the better band first), or when its every-criterion condition can never
hold because some criterion it binds cannot reach the share at all (or is not a criterion).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    bands = ctx.rubric.ratings
    # Out-of-order bands are reported by rating-order; judge shadowing once the order is right.
    ordered = all(a.min_score >= b.min_score for a, b in pairwise(bands))
    for index, band in enumerate(bands):
        share = band.min_criterion_share or Decimal(0)
        for better in bands[:index] if ordered else ():
            if better.min_score <= band.min_score and (better.min_criterion_share or 0) <= share:
                message = (
                    f"等级“{band.name}”永远评不到：达到它的单位也都达到排在前面的“{better.name}”"
                    f"（总分 ≥ {fmt(better.min_score)}）"
                )
                yield ctx.at(band, message=message)
                break
        if band.min_criterion_share is None:
            continue
        known = {c.id for c in ctx.rubric.criteria}
        for position, named in enumerate(band.min_criterion_share_of or ()):
            if named not in known:
                message = (
                    f"等级“{band.name}”的 min_criterion_share_of 写了“{named}”，"
                    "但细则没有这个考评项目（应写考评项目的 id）"
                )
                yield ctx.at(band, "min_criterion_share_of", position, message=message)
        for criterion in ctx.rubric.criteria:
            if not ctx.whole(criterion, "indicators") or not band.share_applies(criterion.id):
                continue
            best = sum((i.rule.best(i.points) for i in criterion.indicators), Decimal(0))
            if best < band.min_criterion_share * criterion.points:
                message = (
                    f"等级“{band.name}”要求每个考评项目得分率 ≥ "
                    f"{fmt(band.min_criterion_share * 100)}%，但“{criterion.name}”最多只能得"
                    f"{fmt(best)}分（共{fmt(criterion.points)}分），永远评不到"
                )
                yield ctx.at(band, "min_criterion_share", message=message)


CHECK = Check(
    "rating-reachable",
    "error",
    "每个等级都评得到：不被排在前面的等级遮蔽，“每项得分率”条件能够满足，`min_criterion_share_of` 只写细则中的考评项目",
    run,
)
