"""Result objects produced by scoring: plain frozen data that every reporter reads."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from msgspec import Struct

from lianchuang_cli.errors import Problem

Status = Literal["full", "partial", "zero", "not_applicable"]
Source = Literal["computed", "declared", "unavailable"]
SOURCE_LABELS: dict[str, str] = {
    "computed": "核算值",
    "declared": "申报值（未核算）",
    "unavailable": "无法核算",
}


class Provenance(Struct, frozen=True):
    """Where a linked indicator's figure came from: computed from the units below, or declared.

    ``files`` are the lower-level files counted; ``excluded`` says which were not, and why.
    ``previous`` is last year's figure when the rule compares with it (``compares_previous``;
    a comparing rule without ``previous`` had no figure for last year).
    """

    source: Source
    figure: str
    description: str
    value: Decimal | None
    part: int | None = None
    whole: int | None = None
    units_found: int = 0
    files: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    previous: Decimal | None = None
    previous_source: str = ""
    declared: str = ""
    compares_previous: bool = False

    @property
    def label(self) -> str:
        """核算值 / 申报值（未核算） / 无法核算."""
        return SOURCE_LABELS[self.source]


class IndicatorResult(Struct, frozen=True):
    """One indicator's score; ``score`` is None when 缺项 is rescaled (full marks when not)."""

    id: str
    criterion: str
    name: str
    requirement: str
    score: Decimal | None
    max_score: Decimal
    status: Status
    found: str
    explanation: str
    action: str
    self_score: Decimal | None
    line: int
    provenance: Provenance | None = None
    cell: str | None = None
    """``line`` is the line in the evidence file (the row in a workbook), ``cell`` the workbook cell."""

    @property
    def lost(self) -> Decimal:
        """Points lost on this indicator (zero when full or not applicable)."""
        return Decimal(0) if self.score is None else self.max_score - self.score


class CriterionResult(Struct, frozen=True):
    """One criterion: score over the points of its applicable indicators."""

    id: str
    name: str
    score: Decimal
    max_score: Decimal
    points: Decimal


GapCategory = Literal["own", "lower_level", "assessor", "long_term"]
"""Who can close a gap (see ``Gap``)."""

NOT_PROPOSED: tuple[GapCategory, ...] = ("lower_level", "assessor", "long_term")
"""The categories the next rating never proposes, in the order the reports list them."""


class Gap(Struct, frozen=True):
    """An indicator that lost points: what was required, what was found, how to regain them.

    ``lost`` is on the indicator's own points; ``gain`` is what recovering it adds to the total
    (the same figure unless 缺项 rescaling applies), and ``advice`` quotes ``gain``.
    ``category`` says who can close the gap, as the rubric declares it: ``own`` the unit itself
    (the only gaps the next rating proposes), ``lower_level`` a linked figure computed from the
    level below (取决于下级), ``assessor`` a grade awarded by an assessor or a higher body
    (由考评人员评定), ``long_term`` an indicator that cannot change within a year (长期工作).
    """

    indicator: str
    name: str
    criterion: str
    lost: Decimal
    gain: Decimal
    requirement: str
    found: str
    explanation: str
    advice: str
    line: int
    category: GapCategory = "own"
    cell: str | None = None

    @property
    def long_term(self) -> bool:
        """Whether the gap is long-term work (an indicator the rubric marks ``long_term``)."""
        return self.category == "long_term"


class NotApplicableItem(Struct, frozen=True):
    """An indicator assessed as 缺项: the rubric's situation the unit named, and its remark."""

    indicator: str
    name: str
    criterion: str
    points: Decimal
    situation: str
    remark: str
    line: int
    cell: str | None = None


class Adjustment(Struct, frozen=True):
    """A penalty or bonus as applied: ``points`` is after the item's cap and limits.

    ``limited`` says in Chinese why fewer occurrences counted than were reported (most times per
    year, or a higher level of the same honour), empty when all of them counted.
    """

    id: str
    name: str
    kind: Literal["penalty", "bonus"]
    count: int
    points: Decimal
    capped: bool
    note: str
    limited: str = ""


class NextRating(Struct, frozen=True):
    """The fewest gap items whose recovery lifts the unit to the next better rating."""

    rating: str
    points_needed: Decimal
    indicators: tuple[str, ...]
    score_after: Decimal


class SelfScoreDifference(Struct, frozen=True):
    """An indicator whose self-assessed score (自评分) differs from the computed one."""

    indicator: str
    name: str
    self_score: Decimal
    score: Decimal | None


class BandConditionResult(Struct, frozen=True):
    """A rating band's condition on a figure over the units below, as checked for this unit.

    ``met`` is None when the figure could not be computed (the unit graded alone, not in
    ``grade-tree``): the condition then decides nothing and the report says it was not checked.
    ``decided`` is true when the unit's score (and shares) reach the band and only this unmet
    condition keeps the unit from it: the reports explain the rating with it.
    """

    rating: str
    condition: str
    value: Decimal | None
    met: bool | None
    description: str
    decided: bool = False


class UnitResult(Struct, frozen=True):
    """Everything known about one graded evidence file."""

    file: str
    unit_name: str
    unit_code: str
    township: str
    county: str
    level: str
    year: int
    rubric_id: str
    rubric_title: str
    rubric_version: str
    rubric_sha256: str
    criteria: tuple[CriterionResult, ...]
    indicators: tuple[IndicatorResult, ...]
    raw_score: Decimal
    applicable_points: Decimal
    base_score: Decimal
    scaled: bool
    not_applicable_policy: str
    not_applicable: tuple[NotApplicableItem, ...]
    penalty: Decimal
    bonus: Decimal
    score_floor: Decimal
    floor_applied: bool
    unfloored_score: Decimal
    bonus_capped: bool
    adjustments: tuple[Adjustment, ...]
    score: Decimal
    max_score: Decimal
    rating: str
    rating_reason: str
    ratings: tuple[str, ...]
    vetoed: bool
    veto_reasons: tuple[str, ...]
    gaps: tuple[Gap, ...]
    next_rating: NextRating | None
    next_rating_note: str
    self_score_differences: tuple[SelfScoreDifference, ...]
    band_conditions: tuple[BandConditionResult, ...] = ()


class UnitFacts(Struct, frozen=True):
    """What a batch's summary and an already rendered output line need of a graded unit, without
    its indicators and gaps: a result kept by ``grading_cache`` and re-rated without decoding it.

    ``losses`` are the indicators that lost points, in rubric order: id, name, criterion and
    points lost (as ``scoring.tally.losses`` gives them for the full result).
    """

    file: str
    unit_name: str
    unit_code: str
    township: str
    county: str
    rubric_id: str
    rubric_title: str
    rubric_version: str
    rubric_sha256: str
    criteria: tuple[CriterionResult, ...]
    score: Decimal
    base_score: Decimal
    rating: str
    rating_reason: str
    ratings: tuple[str, ...]
    vetoed: bool
    veto_reasons: tuple[str, ...]
    gap_count: int
    losses: tuple[tuple[str, str, str, Decimal], ...]


class FileFailure(Struct, frozen=True):
    """A file that could not be graded, with every problem found in it."""

    file: str
    problems: tuple[Problem, ...]
    rubric: tuple[str, str] | None = None
    """(id, level) of the rubric the file was checked against, when that rubric was loaded and
    the file failed it: a batch can then say "this is a township's file" instead of listing
    the township indicators a village batch cannot fill in."""


FileOutcome = UnitResult | FileFailure


class SkippedEntry(Struct, frozen=True):
    """An entry of a folder that was not graded (a FIFO, a lock file, a note...) and why."""

    path: str
    reason: str
