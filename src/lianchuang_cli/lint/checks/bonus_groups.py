"""``bonus-groups``: each group of bonus levels has two or more levels, each worth different points.

A group stands for one honour at several levels ("同一事项按最高级别计1次"); only its highest
level counts, so a group of one is a typo and two levels worth the same leave "highest" undefined.
"""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext
from lianchuang_cli.model.rubric import BonusItem


def run(ctx: RubricContext) -> Iterator[Finding]:
    groups: dict[str, list[BonusItem]] = {}
    for item in ctx.rubric.bonuses:
        if item.group is not None:
            groups.setdefault(item.group, []).append(item)
    for group, items in groups.items():
        if len(items) == 1:
            message = (
                f"加分组“{group}”只有“{items[0].name}”一项；同一事项的不同级别应写同一个 group，"
                "请检查拼写，或删去 group"
            )
            yield ctx.at(items[0], "group", message=message)
        seen: dict[object, BonusItem] = {}
        for item in items:
            other = seen.get(item.points)
            if other is not None:
                message = (
                    f"加分组“{group}”中“{item.name}”与“{other.name}”都是{fmt(item.points)}分，"
                    "无法确定哪一级最高；同组各级别的分值应互不相同"
                )
                yield ctx.at(item, "points", message=message)
            seen[item.points] = item


CHECK = Check(
    "bonus-groups",
    "error",
    "同组加分项（同一事项的不同级别，`group`）至少两级，且各级分值互不相同",
    run,
)
