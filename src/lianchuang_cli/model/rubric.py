"""Rubric model (考评细则): criteria, indicators with rules, penalties, bonuses, vetoes, ratings."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.model.linked import LinkedSpec
from lianchuang_cli.model.rules import Frozen, Points, Rule
from lianchuang_cli.model.validation import problems_from
from lianchuang_cli.reading.yaml_reader import SourceDocument, read_yaml

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Field(min_length=1)]
Level = Literal["village", "township", "county"]

LEVEL_NAMES: dict[str, str] = {"village": "村", "township": "乡镇", "county": "县"}
LEVEL_ORDER = ("village", "township", "county")


class Indicator(Frozen):
    """A measurable sub-indicator (考评内容) with its points and scoring rule (评分标准)."""

    id: Identifier
    name: Text
    points: Points
    requirement: Text
    clause: Text
    allow_not_applicable: bool = False
    rule: Rule
    linked: LinkedSpec | None = None


class Criterion(Frozen):
    """One of the "五个好" criteria (考评项目), split into indicators."""

    id: Identifier
    name: Text
    points: Points
    clause: Text
    indicators: Annotated[list[Indicator], Field(min_length=1)]


class AdjustmentItem(Frozen):
    """A penalty (扣分项) or bonus (加分项): ``points`` per occurrence, at most ``cap`` in all."""

    id: Identifier
    name: Text
    points: Points
    cap: Points | None = None
    basis: str = ""


class VetoItem(Frozen):
    """An event that forces the lowest rating whatever the score (一票否决)."""

    id: Identifier
    name: Text
    basis: str = ""


class RatingBand(Frozen):
    """A rating (等级) reached from ``min_score``, optionally with every criterion at a share."""

    name: Text
    min_score: Annotated[Decimal, Field(ge=0, decimal_places=2)]
    min_criterion_share: Annotated[Decimal, Field(gt=0, le=1)] | None = None


class Rubric(Frozen):
    """A whole rubric file as loaded from ``rubrics/*.yaml``."""

    id: Identifier
    level: Level
    title: Text
    version: Text
    year: Annotated[int, Field(strict=True, ge=2000, le=2100)]
    total_points: Points
    source: Text
    criteria: Annotated[list[Criterion], Field(min_length=1)]
    penalties: list[AdjustmentItem] = []
    bonuses: list[AdjustmentItem] = []
    bonus_cap: Points | None = None
    vetoes: list[VetoItem] = []
    ratings: Annotated[list[RatingBand], Field(min_length=2)]
    # The lowest total a unit can get (heavy penalties cannot push it below): 0 unless stated.
    score_floor: Annotated[Decimal, Field(decimal_places=2)] = Decimal(0)

    def indicators(self) -> Iterator[tuple[Criterion, Indicator]]:
        """Yield every indicator with its criterion, in rubric order."""
        for criterion in self.criteria:
            for indicator in criterion.indicators:
                yield criterion, indicator


class LoadedRubric:
    """A validated rubric together with where it came from and an index by indicator id."""

    def __init__(self, rubric: Rubric, path: Path, sha256: str) -> None:
        self.rubric = rubric
        self.path = path
        self.sha256 = sha256
        self.indicator_index: dict[str, tuple[Criterion, Indicator]] = {
            indicator.id: (criterion, indicator) for criterion, indicator in rubric.indicators()
        }
        self.penalty_index = {item.id: item for item in rubric.penalties}
        self.bonus_index = {item.id: item for item in rubric.bonuses}
        self.veto_index = {item.id: item for item in rubric.vetoes}


def shipped_rubrics_dir() -> Path:
    """Return the folder of shipped rubrics: inside the installed package, or the source tree."""
    packaged = Path(__file__).parents[1] / "rubrics"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rubrics"


def shipped_rubric_ids() -> list[str]:
    """List the ids of the shipped rubrics."""
    return sorted(p.stem for p in shipped_rubrics_dir().glob("*.yaml"))


def resolve_rubric(name: str) -> Path:
    """Turn a rubric id (``village``) or a path into a rubric file path."""
    candidate = Path(name)
    if candidate.suffix.lower() in (".yaml", ".yml") or candidate.is_file():
        return candidate
    return shipped_rubrics_dir() / f"{name}.yaml"


@cache
def load_rubric(path: Path) -> LoadedRubric:
    """Load and check a rubric file; raise ``InputError`` listing every problem found."""
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError(
            [Problem(doc.name, 1, 1, "考评细则文件的顶层应为映射（id、level、criteria 等）")]
        )
    try:
        rubric = Rubric.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, doc)) from None
    problems = _consistency_problems(rubric, doc)
    if problems:
        raise InputError(problems)
    return LoadedRubric(rubric, path, doc.sha256)


def _consistency_problems(rubric: Rubric, doc: SourceDocument) -> list[Problem]:
    """Check what the schema cannot: sums of points, rules' best outcomes, ids, rating order."""
    problems: list[Problem] = []
    criteria_sum = sum((c.points for c in rubric.criteria), Decimal(0))
    if criteria_sum != rubric.total_points:
        problems.append(
            doc.problem(
                ["total_points"],
                f"各考评项目分值合计{fmt(criteria_sum)}分，与总分{fmt(rubric.total_points)}分不一致",
            )
        )
    seen: dict[str, str] = {}
    for ci, criterion in enumerate(rubric.criteria):
        where: list[str | int] = ["criteria", ci]
        if criterion.id in seen:
            problems.append(
                doc.problem([*where, "id"], f"id“{criterion.id}”重复（{seen[criterion.id]}）")
            )
        seen[criterion.id] = f"考评项目“{criterion.name}”"
        indicator_sum = sum((i.points for i in criterion.indicators), Decimal(0))
        if indicator_sum != criterion.points:
            message = (
                f"“{criterion.name}”下各指标分值合计{fmt(indicator_sum)}分，"
                f"与该项分值{fmt(criterion.points)}分不一致"
            )
            problems.append(doc.problem([*where, "points"], message))
        for ii, indicator in enumerate(criterion.indicators):
            at: list[str | int] = [*where, "indicators", ii]
            if indicator.id in seen:
                problems.append(
                    doc.problem([*at, "id"], f"id“{indicator.id}”重复（{seen[indicator.id]}）")
                )
            seen[indicator.id] = f"指标“{indicator.name}”"
            linked = indicator.linked
            if linked is not None and LEVEL_ORDER.index(linked.of) >= LEVEL_ORDER.index(
                rubric.level
            ):
                message = (
                    f"指标“{indicator.name}”只能由下级单位核算："
                    f"{LEVEL_NAMES[rubric.level]}级细则的 of 应为更低一级"
                )
                problems.append(doc.problem([*at, "linked", "of"], message))
            best = indicator.rule.best(indicator.points)
            if best != indicator.points:
                message = (
                    f"指标“{indicator.name}”的评分规则最高可得{fmt(best)}分，"
                    f"与指标分值{fmt(indicator.points)}分不一致"
                )
                problems.append(doc.problem([*at, "rule"], message))
    sections: tuple[tuple[str, Sequence[AdjustmentItem | VetoItem]], ...] = (
        ("penalties", rubric.penalties),
        ("bonuses", rubric.bonuses),
        ("vetoes", rubric.vetoes),
    )
    for section, items in sections:
        for index, item in enumerate(items):
            if item.id in seen:
                problems.append(
                    doc.problem([section, index, "id"], f"id“{item.id}”重复（{seen[item.id]}）")
                )
            seen[item.id] = f"“{item.name}”"
    problems.extend(_rating_problems(rubric, doc))
    return problems


def _rating_problems(rubric: Rubric, doc: SourceDocument) -> list[Problem]:
    problems: list[Problem] = []
    bands = rubric.ratings
    for index, (better, worse) in enumerate(pairwise(bands), start=1):
        if worse.min_score > better.min_score or (
            worse.min_score == better.min_score
            and (worse.min_criterion_share or 0) >= (better.min_criterion_share or 0)
        ):
            message = f"等级应从高到低排列：“{worse.name}”的门槛不能高于或等于“{better.name}”"
            problems.append(doc.problem(["ratings", index, "min_score"], message))
    names = [band.name for band in bands]
    for index, name in enumerate(names):
        if names.index(name) != index:
            problems.append(doc.problem(["ratings", index, "name"], f"等级名称“{name}”重复"))
    last = bands[-1]
    if last.min_score != 0 or last.min_criterion_share is not None:
        message = f"最低等级“{last.name}”应兜底：min_score 为0，且不设 min_criterion_share"
        problems.append(doc.problem(["ratings", len(bands) - 1], message))
    if bands[0].min_score > rubric.total_points:
        message = f"等级“{bands[0].name}”的门槛高于总分{fmt(rubric.total_points)}"
        problems.append(doc.problem(["ratings", 0, "min_score"], message))
    return problems
