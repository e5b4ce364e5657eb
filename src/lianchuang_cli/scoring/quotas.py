"""Quotas: a rating capped to a share of the units, the units beyond it moved down in rank order,
and units tied across the cut-off (并列) kept together."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Mapping, Sequence
from decimal import ROUND_FLOOR, Decimal

from msgspec import Struct

from lianchuang_cli.decimals import ZERO, fmt

QUOTA_RULE = (
    "名额 = 参评单位数 × 比例，向下取整；某等级单位数超过名额时，名次靠后的单位顺延到下一等级"
    "（下一等级也设名额的，继续顺延）。总分、基础分都相同的单位跨名额线时为并列，不按单位代码取舍，"
)
QUOTA_TIE_RULES: dict[str, str] = {
    "committee": "由考评领导小组研究确定（细则 quota_ties: committee），确定前暂按得分等级列出",
    "keep_all": "并列者均保留该等级（细则 quota_ties: keep_all），名额相应增加",
}
"""What a rubric says becomes of units tied across a quota's cut-off (``quota_ties``)."""


class QuotaOutcome(Struct, frozen=True):
    """A rating capped to a share of the units, and how many units it pushed down."""

    rating: str
    percent: Decimal
    cap: int
    demoted: int
    tied: int = 0
    """Units tied across the cut-off kept beyond ``cap`` (并列), never settled by code order."""
    group: str = ""
    """The units this quota was counted over when a level's quotas apply per group (a township's
    villages in ``grade-tree`` with ``quota_scope: township``); "" when over all the units."""


class QuotaError(ValueError):
    """A quota names a rating the rubric does not have, or the lowest one."""


QuotaStep = tuple[str, Decimal, int, str]
"""A quota that demoted units: the rating, its percent and cap, the rating they went down to."""
StepKey = tuple[str, int]
"""Whose quota: the group ("" for all units) and the rating number it capped."""
QuotaTie = tuple[str, int, int]
"""Units tied across a quota's cut-off: the rating, its cap, how many units are tied."""


def quota_cap(percent: Decimal, units: int) -> int:
    """How many units a rating capped at ``percent`` may hold (rounded down)."""
    return int((percent * units / 100).to_integral_value(rounding=ROUND_FLOOR))


def check_quotas(quotas: Mapping[str, Decimal], ratings: tuple[str, ...]) -> None:
    """Raise ``QuotaError`` when a quota cannot apply to these ratings."""
    for name, percent in quotas.items():
        if name not in ratings:
            raise QuotaError(f"名额中的等级“{name}”不是细则中的等级；可选：{'、'.join(ratings)}")
        if name == ratings[-1]:
            raise QuotaError(f"最低等级“{name}”不能设名额：超出的单位无处顺延")
        if not ZERO <= percent <= 100:
            raise QuotaError(f"等级“{name}”的名额比例{fmt(percent)}%应在0到100之间")


def apply_quotas(
    order: array[int],
    final: array[int],
    numbers: Mapping[str, int],
    ratings: tuple[str, ...],
    quotas: Mapping[str, Decimal],
    same: Callable[[int, int], bool],
    group_of: Sequence[str] = (),
) -> tuple[array[int], dict[StepKey, QuotaStep], tuple[QuotaOutcome, ...], dict[int, QuotaTie]]:
    """The final rating (number) per position, from ``final`` holding the ratings by score; the
    quotas that demoted units, by group and the rating they capped; each quota's outcome; and
    the units tied across a cut-off (``same``: equal in all but code and file), who all keep the
    rating. ``group_of`` (by position) counts each quota over each group's units apart."""
    steps: dict[StepKey, QuotaStep] = {}
    tied: dict[int, QuotaTie] = {}
    if not quotas:
        return final, steps, (), tied
    check_quotas(quotas, ratings)
    pools: dict[str, list[int]] = {}
    for unit in order:
        pools.setdefault(group_of[unit] if group_of else "", []).append(unit)
    outcomes = []
    for group, pool in pools.items():
        for position, name in enumerate(ratings[:-1]):
            if name not in quotas:
                continue
            percent = quotas[name]
            cap = quota_cap(percent, len(pool))
            lower = ratings[position + 1]
            number, lower_number = numbers[name], numbers[lower]
            holders = [unit for unit in pool if final[unit] == number]
            kept = cap
            if 0 < cap < len(holders) and same(holders[cap - 1], holders[cap]):
                first = cap - 1
                while first > 0 and same(holders[first - 1], holders[cap - 1]):
                    first -= 1
                while kept < len(holders) and same(holders[cap - 1], holders[kept]):
                    kept += 1
                for unit in holders[first:kept]:
                    tied[unit] = (name, cap, kept - first)
            for unit in holders[kept:]:
                final[unit] = lower_number
            steps[(group, number)] = (name, percent, cap, lower)
            demoted = max(0, len(holders) - kept)
            outcomes.append(QuotaOutcome(name, percent, cap, demoted, kept - cap, group))
    return final, steps, tuple(outcomes), tied
