"""Figures over the villages' support facts (保障和组织情况 in ``profile:``): which villages meet
a share figure, the mean of 运转经费, and each village's facts in words for provenance and errors.

Pure; ``scoring.linked`` calls it for the figures in ``model.linked_spec.FACT_FIGURES`` once every
village counted has reported the facts the figure needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.model.linked_spec import FACT_FIGURES, LinkedSpec
from lianchuang_cli.model.profile import SUPPORT_FACTS, VillageProfile

Village = tuple[str, VillageProfile]
"""A village counted: its unit name and its profile."""


def unreported(spec: LinkedSpec, profile: VillageProfile) -> str:
    """Which facts ``spec`` needs that this village left out, in words ("" when none)."""
    missing = profile.missing(FACT_FIGURES[spec.figure])
    if not missing:
        return ""
    return "未填写 " + "、".join(f"profile.{f}（{SUPPORT_FACTS[f].name}）" for f in missing)


def _pay_line(spec: LinkedSpec, profile: VillageProfile) -> tuple[Decimal, Decimal]:
    """(the secretary's basic pay, the pay line: ``multiple`` × last year's income), in 元."""
    pay, income, multiple = (
        profile.secretary_basic_pay,
        profile.rural_income_last_year,
        spec.multiple,
    )
    if pay is None or income is None or multiple is None:
        raise ValueError("secretary_pay_share needs both facts reported and multiple declared")
    return pay, multiple * income


def fact_met(spec: LinkedSpec, profile: VillageProfile) -> bool:
    """Whether one village's reported facts meet ``spec``'s share figure."""
    figure = spec.figure
    if figure == "organization_share":
        return bool(profile.organization_set_up and profile.election_on_time)
    if figure == "secretary_trained_share":
        return bool(profile.secretary_trained)
    if figure == "secretary_pay_share":
        pay, line = _pay_line(spec, profile)
        return pay >= line
    area, threshold = profile.premises_area, spec.threshold
    if figure != "premises_share" or area is None or threshold is None:
        raise ValueError(f"{figure} is not a share of reported facts")
    return area >= threshold and bool(profile.premises_functional)


def fact_shown(spec: LinkedSpec, profile: VillageProfile) -> str:
    """One village's facts behind ``spec``, in words: "党群服务中心40平方米、功能不全"."""
    figure = spec.figure
    if figure == "organization_share":
        set_up = "按规定设置" if profile.organization_set_up else "未按规定设置"
        return f"{set_up}、{'按期换届' if profile.election_on_time else '未按期换届'}"
    if figure == "secretary_trained_share":
        return "书记参加了县级集中轮训" if profile.secretary_trained else "书记未参加县级集中轮训"
    if figure == "secretary_pay_share":
        pay, line = _pay_line(spec, profile)
        income = fmt(profile.rural_income_last_year or Decimal(0))
        multiple = fmt(spec.multiple or Decimal(0))
        return (
            f"书记基本报酬{fmt(pay)}元，上年度人均可支配收入{income}元的{multiple}倍为{fmt(line)}元"
        )
    if figure == "operating_funds_mean":
        return f"运转经费{fmt(profile.operating_funds or Decimal(0))}万元"
    return f"党群服务中心{_premises(profile)}"


def _premises(profile: VillageProfile) -> str:
    area = fmt(profile.premises_area or Decimal(0))
    return f"{area}平方米{'、功能齐全' if profile.premises_functional else '、功能不全'}"


def _why_short(spec: LinkedSpec, profile: VillageProfile) -> str:
    """What keeps one village short, briefly: "（40平方米、功能不全）"; nothing for a plain no."""
    figure = spec.figure
    if figure == "secretary_pay_share":
        pay, line = _pay_line(spec, profile)
        return f"（{fmt(pay)}元，低于{fmt(line)}元）"
    if figure == "premises_share":
        return f"（{_premises(profile)}）"
    if figure == "organization_share":
        return f"（{fact_shown(spec, profile)}）"
    return ""


def fact_share(spec: LinkedSpec, villages: Sequence[Village]) -> tuple[int, int, str]:
    """(part, whole, note): villages whose facts meet the figure; the note names the others."""
    short = [name + _why_short(spec, p) for name, p in villages if not fact_met(spec, p)]
    note = f"未达到：{'、'.join(short)}" if short else ""
    return len(villages) - len(short), len(villages), note


def fact_mean(villages: Sequence[Village]) -> Decimal:
    """The mean 运转经费 (万元) over the villages, exact and rounded once."""
    amounts = [Fraction(p.operating_funds or 0) for _, p in villages]
    return round_score(sum(amounts, Fraction(0)) / len(amounts))
