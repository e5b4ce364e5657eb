"""Rating-band conditions on figures over the units below (三级联创 ties the levels together).

A township is not 五个好 while none of its villages is, nor while one of them is vetoed; a county
is not 先进县 without a 五个好 township. The rubric declares such conditions on its bands
(``RatingBand.requires``); ``grade-tree`` computes their figures from the graded units below and
the unit's rating is the best band whose score, shares *and* conditions all hold. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.model.rubric import BandCondition, Rubric
from lianchuang_cli.scoring.linked import LowerUnit, compute_figure, describe_counted
from lianchuang_cli.scoring.results import BandConditionResult

NOT_CHECKED = "单独评分时无法核算（由 grade-tree 据下级结果核算），本次未据此评定等级"


def condition_text(condition: BandCondition) -> str:
    """The condition in words: "村评为最高等级（“五个好”）的比例不低于20%"."""
    spec = condition.linked
    unit = spec.unit
    if condition.at_least is not None:
        return f"{spec.describe()}不低于{fmt(condition.at_least)}{unit}"
    assert condition.at_most is not None
    if condition.at_most == 0 and spec.kind == "count":
        return f"{spec.describe()}为0"
    return f"{spec.describe()}不超过{fmt(condition.at_most)}{unit}"


def check_conditions(
    rubric: Rubric, below: Mapping[str, Sequence[LowerUnit]] | None
) -> tuple[BandConditionResult, ...]:
    """Every band condition of ``rubric`` checked over ``below`` (units by level), or marked
    not checked when ``below`` is None (the unit graded on its own)."""
    checked: list[BandConditionResult] = []
    for band in rubric.ratings:
        for condition in band.requires:
            text = condition_text(condition)
            spec = condition.linked
            if below is None:
                checked.append(BandConditionResult(band.name, text, None, None, NOT_CHECKED))
                continue
            units = below.get(spec.of, ())
            figure = compute_figure(spec, units)
            if figure.value is None:
                description = f"下级{len(units)}个单位中没有可核算的结果，无法核算"
                checked.append(BandConditionResult(band.name, text, None, None, description))
                continue
            value = round_score(figure.value)
            description = describe_counted(spec, figure, len(units))
            met = condition.holds(value)
            checked.append(BandConditionResult(band.name, text, value, met, description))
    return tuple(checked)


def blocked_ratings(conditions: Sequence[BandConditionResult]) -> dict[str, str]:
    """The ratings a unit cannot be given, each with its unmet conditions in words."""
    blocked: dict[str, list[str]] = {}
    for c in conditions:
        if c.met is False:
            blocked.setdefault(c.rating, []).append(c.condition)
    return {rating: "；".join(texts) for rating, texts in blocked.items()}
