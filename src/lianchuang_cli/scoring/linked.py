"""The provider of linked values: figures over the graded units one level down (三级联创).

Pure: graded results and village profiles in, a figure and its provenance out. The rule that
scores the figure sees only a value of the shape it always scores (a share as counts, a number,
this year against last year); it never learns that the value was computed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from msgspec import Struct

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.model.linked_spec import (
    FACT_FIGURES,
    PROFILE_FIGURES,
    LinkedSpec,
    Unavailable,
    percent,
)
from lianchuang_cli.model.profile import VillageProfile
from lianchuang_cli.model.rubric import Indicator
from lianchuang_cli.model.rules import Change, Ratio
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import Provenance, UnitFacts, UnitResult
from lianchuang_cli.scoring.village_facts import fact_mean, fact_share, unreported


class LowerUnit(Struct, frozen=True):
    """A graded unit one level down, with its village profile when it has one and its place
    among its level's units (the rating after quotas, which rating shares count)."""

    result: UnitResult | UnitFacts  # a village's facts in a tree (``tree.results.TreeVillage``)
    profile: VillageProfile | None = None
    placement: Placement | None = None

    @property
    def rating(self) -> str:
        """The rating that is 公示ed: after quotas when the unit was placed, else by score."""
        return self.result.rating if self.placement is None else self.placement.rating


class Figure(Struct, frozen=True):
    """A computed figure: ``value`` (None when no unit could be counted), and what it counted.

    ``unreported`` is set when a figure over profile facts could not be computed because some
    village did not report them (``excluded`` says which): the figure is not guessed from the rest.
    """

    value: Decimal | None
    part: int | None
    whole: int | None
    files: tuple[str, ...]
    excluded: tuple[str, ...]
    note: str = ""
    unreported: bool = False


RATED_AFTER_QUOTAS = "按名额后的等级计"
"""Rating shares count the ratings that are 公示ed: after the level's quotas (none set: by score)."""


def compute_figure(spec: LinkedSpec, units: Sequence[LowerUnit]) -> Figure:
    """Compute ``spec``'s figure over ``units`` (the graded units below, in a stable order)."""
    counted: list[LowerUnit] = []
    excluded: list[str] = []
    for unit in units:
        reason = _why_not_counted(spec, unit)
        if reason:
            excluded.append(f"{unit.result.file}：{reason}")
        else:
            counted.append(unit)
    files = tuple(u.result.file for u in counted)
    if spec.figure in FACT_FIGURES and excluded:
        return Figure(None, None, None, files, tuple(excluded), unreported=True)
    if not counted:
        return Figure(None, None, None, files, tuple(excluded))
    kind = spec.kind
    if kind == "points":
        mean, note = _criterion_mean(spec, counted)
        return Figure(mean, None, len(counted), files, tuple(excluded), note)
    if spec.figure in FACT_FIGURES:
        villages = [(u.result.unit_name, u.profile) for u in counted if u.profile is not None]
        if kind == "mean":
            return Figure(fact_mean(villages), None, len(counted), files, tuple(excluded))
        part, whole, note = fact_share(spec, villages)
        return Figure(percent(part, whole), part, whole, files, tuple(excluded), note)
    part, whole, note = _count(spec, counted)
    if kind == "count":
        return Figure(Decimal(part), part, whole, files, tuple(excluded), note)
    if whole == 0:
        # Only 软弱涣散 rectification can have nothing to count: none identified, and no unit
        # rated lowest that should have been (see _weak_rectified).
        note = "未排查出软弱涣散村，也没有评为最低等级的村，按100%计"
        return Figure(Decimal(100), 0, 0, files, tuple(excluded), note)
    return Figure(percent(part, whole), part, whole, files, tuple(excluded), note)


def _why_not_counted(spec: LinkedSpec, unit: LowerUnit) -> str:
    result = unit.result
    if spec.figure == "share_rated" and spec.rating and spec.rating not in result.ratings:
        return f"细则“{result.rubric_id}”没有等级“{spec.rating}”"
    if spec.figure == "criterion_mean":
        criterion = next((c for c in result.criteria if c.id == spec.criterion), None)
        if criterion is None:
            return f"细则“{result.rubric_id}”没有考评项目“{spec.criterion}”"
        if criterion.max_score == 0:
            return f"考评项目“{criterion.name}”的指标全部缺项，无得分可计"
    if spec.figure in PROFILE_FIGURES and unit.profile is None:
        return "缺少 profile（村情基本信息），未计入"
    if spec.figure in FACT_FIGURES and unit.profile is not None:
        return unreported(spec, unit.profile)
    return ""


def _criterion_mean(spec: LinkedSpec, units: Sequence[LowerUnit]) -> tuple[Decimal, str]:
    """The mean of each unit's criterion score on the criterion's full points (缺项 rescaled).

    A unit whose criterion has 缺项 is scored over its applicable points only (18 of an applicable
    18 is full marks, not 18 of 20), so its share is carried up, not its raw sum. Exact, rounded once.
    """
    criteria = [c for u in units for c in u.result.criteria if c.id == spec.criterion]
    shares = [Fraction(c.score) * Fraction(c.points) / Fraction(c.max_score) for c in criteria]
    mean = round_score(sum(shares, Fraction(0)) / len(shares))
    rescaled = [
        f"{u.result.unit_name}{fmt(c.score)}/{fmt(c.max_score)}分折合{fmt(share)}分"
        for u, c, share in zip(units, criteria, shares, strict=True)
        if c.max_score != c.points
    ]
    note = (
        f"有缺项的按适用分值折算到满分{fmt(criteria[0].points)}分：{'、'.join(rescaled)}"
        if rescaled
        else ""
    )
    return mean, note


def _count(spec: LinkedSpec, units: Sequence[LowerUnit]) -> tuple[Any, int, str]:
    """(part, whole, note): units that fit the figure out of the units counted."""
    profiles = [u.profile for u in units if u.profile is not None]
    figure = spec.figure
    if figure == "share_rated":
        hits = tied = 0
        for unit in units:
            ratings = unit.result.ratings
            target = ratings.index(spec.rating) if spec.rating else 0
            hits += ratings.index(unit.rating) <= target
            # A tie at this rating's cut-off, left to the committee, may still move the share.
            tied += unit.placement is not None and unit.placement.tied_at == ratings[target]
        note = f"其中{tied}个为名额线上并列（见名额说明）" if tied else ""
        return hits, len(units), note
    if figure == "vetoed_count":
        return sum(u.result.vetoed for u in units), len(units), ""
    if figure == "secretary_college_share":
        return sum(p.secretary_college for p in profiles), len(profiles), ""
    if figure == "wealth_leader_share":
        leaders = sum(p.wealth_leaders for p in profiles)
        return leaders, sum(p.committee_size for p in profiles), ""
    if figure in ("collective_income_below", "collective_income_at_least"):
        limit = spec.threshold or Decimal(0)
        below = figure == "collective_income_below"
        hits = sum((p.income < limit) == below for p in profiles)
        return hits, len(profiles), ""
    if figure == "weak_identified":
        return sum(p.weak_and_lax.identified for p in profiles), len(profiles), ""
    return _weak_rectified(units)


def _weak_rectified(units: Sequence[LowerUnit]) -> tuple[int, int, str]:
    """Rectified 软弱涣散 villages of those that should be under rectification.

    "None identified" is credible only when no village meets a direct criterion: a village whose
    score puts it in the lowest band (年度考核排名末位) and that was not identified counts as one
    that should have been and was not rectified, so not identifying weak villages never pays. A
    vetoed village is left out: its veto already counts once, in the share rated 合格.
    """
    rectified = whole = 0
    missed: list[str] = []
    for unit in units:
        weak = unit.profile.weak_and_lax if unit.profile is not None else None
        if weak is not None and weak.identified:
            whole += 1
            rectified += weak.rectified
        elif not unit.result.vetoed and unit.rating == unit.result.ratings[-1]:
            whole += 1
            missed.append(unit.result.unit_name)
    note = ""
    if missed:
        note = (
            f"其中{len(missed)}个村评为“{units[0].result.ratings[-1]}”却未被排查确定为软弱涣散"
            f"（{'、'.join(missed)}），按未整顿转化计"
        )
    return rectified, whole, note


def describe_counted(spec: LinkedSpec, figure: Figure, found: int) -> str:
    """How the figure was reached, in words: "12个村中9个，占75%（另有1个未计入）"."""
    units = "村" if spec.of == "village" else "乡镇"
    left_out = (
        f"；另有{found - len(figure.files)}个{units}未计入" if found > len(figure.files) else ""
    )
    counted = f"据{len(figure.files)}个{units}的结果核算{left_out}"
    if spec.figure == "share_rated":
        counted += f"（{RATED_AFTER_QUOTAS}）"
    if figure.value is None:
        return counted
    if spec.kind == "points":
        rescaled = f"（{figure.note}）" if figure.note else ""
        return f"{counted}，平均{fmt(figure.value)}分{rescaled}"
    if spec.kind == "count":
        return f"{counted}，共{figure.part}个"
    if spec.kind == "mean":
        return f"{counted}，村均{fmt(figure.value)}{spec.unit}"
    if figure.note and not figure.whole:
        return f"{counted}，{figure.note}"
    if figure.note:
        return (
            f"{counted}，{figure.whole}个中{figure.part}个，占{fmt(figure.value)}%；{figure.note}"
        )
    word = "人" if spec.figure == "wealth_leader_share" else "个"
    return f"{counted}，{figure.whole}{word}中{figure.part}{word}，占{fmt(figure.value)}%"


def rule_value(indicator: Indicator, figure: Figure, previous: Decimal | None) -> Any:
    """Turn a figure into the value ``indicator``'s rule scores."""
    value = figure.value
    assert value is not None  # an uncomputable figure never reaches a rule
    return indicator.rule.figure_value(value, figure.part, figure.whole, previous)


def linked_values(
    indicators: Sequence[Indicator],
    units: Sequence[LowerUnit],
    *,
    found: int,
    declared: Mapping[str, Any],
    previous: Mapping[str, tuple[Decimal | None, str]],
) -> dict[str, tuple[Any, Provenance]]:
    """Values and provenance for each linked indicator of one unit.

    ``units`` are the graded units below that may be counted and ``found`` how many files were
    found below in all (bad files included); ``declared`` holds the values the unit typed in
    itself; ``previous`` last year's figure per indicator id, with the file it came from.
    When nothing below can be counted, a declared value is used and marked as such.
    """
    values: dict[str, tuple[Any, Provenance]] = {}
    for indicator in indicators:
        spec = indicator.linked
        if spec is None:
            continue
        figure = compute_figure(spec, units)
        description = spec.describe()
        if spec.criterion is not None:
            names = [c.name for u in units for c in u.result.criteria if c.id == spec.criterion]
            if names:
                description = description.replace(f"“{spec.criterion}”", f"“{names[0]}”")
        last, last_source = previous.get(indicator.id, (None, ""))
        if figure.unreported:
            missing = len(figure.excluded)
            reason = (
                f"{missing}个村未填报{spec.describe()}所需的村情基本信息（{'；'.join(figure.excluded)}），"
                "不按已填报的村推算"
            )
            provenance = Provenance(
                "unavailable", spec.figure, spec.describe(), None, units_found=found,
                files=figure.files, excluded=figure.excluded,
                declared=shown(declared[indicator.id]) if indicator.id in declared else "",
            )  # fmt: skip
            values[indicator.id] = (Unavailable(reason), provenance)
            continue
        if figure.value is None:
            if indicator.id in declared:
                provenance = Provenance(
                    "declared",
                    spec.figure,
                    spec.describe(),
                    numeric(declared[indicator.id]),
                    units_found=found,
                    excluded=figure.excluded,
                    declared=shown(declared[indicator.id]),
                )
                values[indicator.id] = (declared[indicator.id], provenance)
                continue
            reason = f"下级{found}个单位中没有可核算的结果（{spec.describe()}），且未填写申报值"
            provenance = Provenance(
                "unavailable", spec.figure, spec.describe(), None, units_found=found,
                excluded=figure.excluded,
            )  # fmt: skip
            values[indicator.id] = (Unavailable(reason), provenance)
            continue
        compares = indicator.rule.compares_previous
        declared_text = ""
        if indicator.id in declared:
            declared_text = shown(declared[indicator.id])
        provenance = Provenance(
            "computed",
            spec.figure,
            f"{description}：{describe_counted(spec, figure, found)}",
            round_score(figure.value),
            part=figure.part,
            whole=figure.whole,
            units_found=found,
            files=figure.files,
            excluded=figure.excluded,
            previous=last if compares else None,
            previous_source=last_source if compares else "",
            declared=declared_text,
            compares_previous=compares,
        )
        values[indicator.id] = (rule_value(indicator, figure, last), provenance)
    return values


def declared_differs(declared: Any, provenance: Provenance) -> bool:
    """Whether a unit's own declared value says something else than the computed figure.

    A declared count (12/13) must match the count, not just the share; a declared number is
    compared with the figure as it is scored (two decimals).
    """
    if isinstance(declared, Ratio) and provenance.whole is not None:
        return (declared.part, declared.whole) != (provenance.part, provenance.whole)
    number = numeric(declared)
    return number is not None and round_score(number) != provenance.value


def shown(value: Any) -> str:
    """A declared value as the reports show it: 12/13, 8.6."""
    if isinstance(value, Ratio):
        return f"{value.part}/{value.whole}"
    if isinstance(value, Change):
        return fmt(value.current)
    if isinstance(value, Decimal):
        return fmt(value)
    return str(value)


def numeric(value: Any) -> Decimal | None:
    """A declared value as the figure it stands for (a share in percent, a number)."""
    if isinstance(value, Ratio):
        return percent(value.part, value.whole)
    if isinstance(value, Change):
        return value.current
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    return None
