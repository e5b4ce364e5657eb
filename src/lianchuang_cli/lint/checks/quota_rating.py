"""``quota-rating``: a quota caps a rating the rubric has, above the lowest, at most once; only
villages' quotas can be counted per township (``quota_scope``)."""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    names = [band.name for band in ctx.rubric.ratings]
    capped: set[str] = set()
    for quota in ctx.rubric.quotas:
        if quota.rating not in names:
            message = f"名额中的等级“{quota.rating}”不是本细则的等级；可选：{'、'.join(names)}"
            yield ctx.at(quota, "rating", message=message)
        elif quota.rating == names[-1]:
            message = f"最低等级“{quota.rating}”不能设名额：超出名额的单位无处顺延"
            yield ctx.at(quota, "rating", message=message)
        elif quota.rating in capped:
            yield ctx.at(quota, "rating", message=f"等级“{quota.rating}”的名额重复")
        capped.add(quota.rating)
    if ctx.rubric.quota_scope == "township" and ctx.rubric.level != "village":
        message = "只有村级细则的名额可以按乡镇分别计算（quota_scope: township）；乡镇和县的名额按全县计算"
        yield ctx.at(ctx.rubric, "quota_scope", message=message)


CHECK = Check(
    "quota-rating",
    "error",
    "名额（`quotas`）针对细则中的等级，不含最低一级，每级至多一条；只有村级细则可按乡镇计算名额（`quota_scope`）",
    run,
)
