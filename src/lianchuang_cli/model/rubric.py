"""Rubric model (考评细则): criteria, indicators with rules, penalties, bonuses, vetoes, ratings."""

from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, model_validator

from lianchuang_cli.model.linked_spec import LinkedSpec
from lianchuang_cli.model.rules import Frozen, Number, Points, Rule, Score
from lianchuang_cli.model.rules.base import MAX_COUNT, SignedScore
from lianchuang_cli.reading.yaml_reader import SourceDocument

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Field(min_length=1)]
Level = Literal["village", "township", "county"]

LEVEL_NAMES: dict[str, str] = {"village": "村", "township": "乡镇", "county": "县"}
LEVEL_ORDER = ("village", "township", "county")


NotApplicablePolicy = Literal["rescale", "full_marks"]


class Indicator(Frozen):
    """A measurable sub-indicator (考评内容) with its points and scoring rule (评分标准).

    ``not_applicable_when`` lists the only situations in which the indicator may be 缺项;
    an empty list (the default) means every unit is assessed on it. ``long_term`` marks an
    indicator whose value cannot change before the assessment closes (a degree, last year's
    income): the next-rating advice never proposes it and names it as long-term work instead.
    ``awarded_by`` names who awards a grade the unit cannot change itself (“县委”: a 述职评议
    等次); like a ``judgement``, such an item is listed as 由考评人员评定, never proposed.
    """

    id: Identifier
    name: Text
    points: Points
    requirement: Text
    clause: Text | None = None
    not_applicable_when: list[Text] = []
    long_term: Annotated[bool, Field(strict=True)] = False
    awarded_by: Text | None = None
    rule: Rule
    linked: LinkedSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _old_not_applicable_switch(cls, data: Any) -> Any:
        if isinstance(data, dict) and "allow_not_applicable" in data:
            raise ValueError(
                "allow_not_applicable 已停用：请改用 not_applicable_when 列出可按缺项处理的情形"
                "（如 not_applicable_when: [未设村民小组]），材料中只能选填其中之一"
            )
        return data

    @model_validator(mode="after")
    def _linked_rule_scores_figures(self) -> Self:
        if self.linked is not None and not self.rule.scores_figures:
            raise ValueError(
                f"由下级单位核算的指标（linked）不能用“{self.rule.kind_name}”评分：核算出的是比例、"
                "数量或平均值；请改用按数值评分的方式（如 tiers、linear、percentage、count、change）"
            )
        return self

    @property
    def allows_not_applicable(self) -> bool:
        """Whether any situation lets a unit mark this indicator 缺项."""
        return bool(self.not_applicable_when)


class Criterion(Frozen):
    """One of the "五个好" criteria (考评项目), split into indicators."""

    id: Identifier
    name: Text
    points: Points
    clause: Text | None = None
    indicators: Annotated[list[Indicator], Field(min_length=1)]


class EventScope(Frozen):
    """Which kind of event an item covers, and at which levels (``lianchuang check`` compares a
    penalty's levels with a veto's on the same kind: one event, one consequence).

    ``of`` says the event happens in a unit one level down (a township leader disciplined, seen
    from the county): ``check`` then also compares the levels with that level's rubric's vetoes.
    """

    kind: Identifier
    levels: Annotated[list[Text], Field(min_length=1)]
    of: Literal["village", "township"] | None = None


class AdjustmentItem(Frozen):
    """A penalty (扣分项) or bonus (加分项): ``points`` per occurrence, at most ``cap`` in all."""

    id: Identifier
    name: Text
    points: Points
    cap: Points | None = None
    basis: str = ""
    event: EventScope | None = None


class BonusItem(AdjustmentItem):
    """A bonus (加分项); ``group`` joins the levels of one honour ("同一事项按最高级别计"), of
    which only the highest counts, and ``max_times`` is how often the item counts in a year."""

    group: Identifier | None = None
    max_times: Annotated[int, Field(strict=True, ge=1, le=MAX_COUNT)] | None = None


class VetoItem(Frozen):
    """An event that forces the lowest rating whatever the score (一票否决)."""

    id: Identifier
    name: Text
    basis: str = ""
    event: EventScope | None = None


class BandCondition(Frozen):
    """A condition of a rating band on a figure over the units below (三级联创 ties the levels):
    ``{linked: {figure: share_rated, of: village}, at_least: 20}`` — a township is not 五个好
    while under a fifth of its villages are, whatever its score. Checked by ``grade-tree``."""

    linked: LinkedSpec
    at_least: Number | None = None
    at_most: Number | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("等级条件应写 at_least（不低于）或 at_most（不超过）之一")
        return self

    def holds(self, value: Decimal) -> bool:
        """Whether the figure ``value`` meets the condition."""
        if self.at_least is not None:
            return value >= self.at_least
        return self.at_most is None or value <= self.at_most


class RatingBand(Frozen):
    """A rating (等级) reached from ``min_score``, optionally with every criterion at a share.

    ``min_criterion_share_of`` names the criteria the share applies to when not all do (the
    county's derived criteria count in the total but do not decide 先进县 on their own);
    ``requires`` lists conditions on figures over the units below (see ``BandCondition``).
    """

    name: Text
    min_score: Score
    min_criterion_share: Annotated[Decimal, Field(gt=0, le=1)] | None = None
    min_criterion_share_of: Annotated[list[Identifier], Field(min_length=1)] | None = None
    requires: list[BandCondition] = []

    @model_validator(mode="after")
    def _share_named_with_share(self) -> Self:
        if self.min_criterion_share_of is not None and self.min_criterion_share is None:
            raise ValueError("min_criterion_share_of 只能与 min_criterion_share 一起使用")
        return self

    def share_applies(self, criterion_id: str) -> bool:
        """Whether ``min_criterion_share`` binds the criterion ``criterion_id``."""
        named = self.min_criterion_share_of
        return self.min_criterion_share is not None and (named is None or criterion_id in named)


class Quota(Frozen):
    """A rating capped to a share of the units graded together (e.g. 优秀 ≤ 10%), used by batch."""

    rating: Text
    max_percent: Annotated[Decimal, Field(gt=0, le=100, decimal_places=2)]


Place = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$")]
"""Where a unit's file gives a number: ``profile.committee_size``, ``dues_paid.whole`` (a field of
an indicator's value), or ``secretary_drives_households`` (a count indicator's value itself)."""


class SameCount(Frozen):
    """One population several entries of a unit's file count (党员总数, 两委成员数, 农户总户数).

    The ``equal`` places give its number and must agree; the ``within`` places count a part of it
    (参评党员, 有劳动能力的党员) and must not exceed it. A fact typed twice that disagrees is an
    error at both places.
    """

    id: Identifier
    name: Text
    unit: Text
    equal: Annotated[list[Place], Field(min_length=1)]
    within: list[Place] = []


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
    bonuses: list[BonusItem] = []
    bonus_cap: Points | None = None
    vetoes: list[VetoItem] = []
    ratings: Annotated[list[RatingBand], Field(min_length=2)]
    # The lowest total a unit can get (heavy penalties cannot push it below): 0 unless stated.
    score_floor: SignedScore = Decimal(0)
    # What 缺项 does (practice differs between counties) and how much of the total may be 缺项.
    not_applicable_policy: NotApplicablePolicy = "rescale"
    not_applicable_max_share: Annotated[Decimal, Field(gt=0, lt=1)] | None = None
    quotas: list[Quota] = []
    # Units tied (same total and base score) across a quota's cut-off: the rubric names the rule.
    quota_ties: Literal["committee", "keep_all"] = "committee"
    # Over which villages grade-tree counts a village rubric's quotas: the whole county's (the
    # county organisation department 审定 the “五个好” villages), or each township's apart.
    quota_scope: Literal["county", "township"] = "county"
    # Populations counted at several places of one unit's file, which must agree (see SameCount).
    same_counts: list[SameCount] = []

    def indicators(self) -> Iterator[tuple[Criterion, Indicator]]:
        """Yield every indicator with its criterion, in rubric order."""
        for criterion in self.criteria:
            for indicator in criterion.indicators:
                yield criterion, indicator


class LoadedRubric:
    """A validated rubric together with where it came from and an index by indicator id."""

    def __init__(
        self,
        rubric: Rubric,
        path: Path,
        sha256: str,
        *,
        document: SourceDocument | None = None,
        positions: Mapping[int, tuple[str | int, ...]] | None = None,
    ) -> None:
        self.rubric = rubric
        self.path = path
        self.sha256 = sha256
        self.document = document
        self.positions = positions or {}
        self.indicator_index: dict[str, tuple[Criterion, Indicator]] = {
            indicator.id: (criterion, indicator) for criterion, indicator in rubric.indicators()
        }
        self.penalty_index = {item.id: item for item in rubric.penalties}
        self.bonus_index = {item.id: item for item in rubric.bonuses}
        self.veto_index = {item.id: item for item in rubric.vetoes}

    def position(self, part: BaseModel, *path: str | int) -> tuple[int, int]:
        """The 1-based (line, column) in the rubric file of ``part`` or one of its fields."""
        if self.document is None:
            return 1, 1
        return self.document.position((*self.positions.get(id(part), ()), *path))


@cache  # a pure memo: the installation does not move while it runs
def shipped_rubrics_dir() -> Path:
    """Return the folder of shipped rubrics: inside the installed package, or the source tree.

    Remembered: grading asks once per file, and resolving the source tree's path costs a
    system call per path component.
    """
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
