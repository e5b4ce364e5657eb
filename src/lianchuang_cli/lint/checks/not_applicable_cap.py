"""``not-applicable-cap``: the 缺项 cap can be met: no indicator is worth more than the cap alone.

With ``not_applicable_max_share``, an indicator whose own points exceed that share of the total
lists 缺项 situations that can never be accepted; a cap with nothing that may be 缺项 is a slip.
"""

from __future__ import annotations

from collections.abc import Iterator

from lianchuang_cli.decimals import fmt
from lianchuang_cli.lint.base import Check, Finding
from lianchuang_cli.lint.context import RubricContext


def run(ctx: RubricContext) -> Iterator[Finding]:
    rubric = ctx.rubric
    cap = rubric.not_applicable_max_share
    if cap is None:
        return
    allowed = [i for _, i in ctx.indicators() if i.allows_not_applicable]
    if not allowed:
        message = "设了缺项上限 not_applicable_max_share，但没有任何指标列出缺项情形"
        yield ctx.at(rubric, "not_applicable_max_share", message=message)
    limit = cap * rubric.total_points
    for indicator in allowed:
        if indicator.points > limit:
            message = (
                f"指标“{indicator.name}”{fmt(indicator.points)}分，单独缺项就超过缺项上限"
                f"（总分的{fmt(cap * 100)}%，即{fmt(limit)}分），所列缺项情形永远不会被接受"
            )
            yield ctx.at(indicator, "not_applicable_when", message=message)


CHECK = Check(
    "not-applicable-cap",
    "error",
    "设了缺项上限 `not_applicable_max_share` 时，没有哪个允许缺项的指标单独就超过上限",
    run,
)
