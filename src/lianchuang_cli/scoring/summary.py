"""Pure batch summary: ranking, quotas, rating counts, statistics and 共性问题, from compact rows.

Graded units are added one at a time and only a small ``SummaryRow`` is kept for each, so the
summary of half a million villages fits in memory while their full results stream elsewhere.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from lianchuang_cli.decimals import ZERO, fmt, round_score
from lianchuang_cli.results import UnitResult

UnitStatus = Literal["graded", "vetoed"]
STATUS_NAMES: dict[str, str] = {"graded": "已评分", "vetoed": "一票否决", "invalid": "无效"}

TIE_RULE = (
    "名次规则：未被一票否决的单位排在前面，按总分从高到低；总分相同的，基础分（不含加分、扣分）"
    "高者在前；仍相同的，按单位代码、再按文件路径升序。名次不并列。"
)
QUOTA_RULE = (
    "名额 = 参评单位数 × 比例，向下取整；某等级单位数超过名额时，名次靠后的单位顺延到下一等级"
    "（下一等级也设名额的，继续顺延）。"
)


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """What the summary keeps of one graded unit (``index`` is its place in input order)."""

    index: int
    file: str
    unit_name: str
    unit_code: str
    township: str
    county: str
    score: Decimal
    base_score: Decimal
    rating_by_score: str
    vetoed: bool
    veto_reasons: tuple[str, ...]
    criterion_scores: tuple[Decimal, ...]
    gap_count: int


@dataclass(frozen=True, slots=True)
class Placement:
    """A unit's place in the batch: rank, final rating (after quotas) and why it changed."""

    rank: int
    status: UnitStatus
    rating: str
    quota_note: str


@dataclass(frozen=True, slots=True)
class RankedRow:
    """A summary row with its placement, in ranking order."""

    row: SummaryRow
    placement: Placement


@dataclass(frozen=True, slots=True)
class RatingCount:
    """How many units got a rating, and their share of the units graded (percent)."""

    rating: str
    count: int
    percent: Decimal


@dataclass(frozen=True, slots=True)
class CriterionAverage:
    """A criterion's mean score across the batch."""

    id: str
    name: str
    mean: Decimal
    max_score: Decimal


@dataclass(frozen=True, slots=True)
class CommonProblem:
    """An indicator that lost points across the batch (共性问题)."""

    id: str
    name: str
    criterion: str
    units: int
    lost: Decimal


@dataclass(frozen=True, slots=True)
class QuotaOutcome:
    """A rating capped to a share of the units, and how many units it pushed down."""

    rating: str
    percent: Decimal
    cap: int
    demoted: int


@dataclass(frozen=True, slots=True)
class ScoreStats:
    """Mean, median, lowest and highest total score (two decimals, 四舍五入)."""

    mean: Decimal
    median: Decimal
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True, slots=True)
class RubricInfo:
    """The rubric a batch was graded against."""

    id: str
    title: str
    version: str
    sha256: str
    ratings: tuple[str, ...]
    criteria: tuple[tuple[str, str], ...]  # (id, name)


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Everything the summary sections show; ``ranking`` is in rank order."""

    rubric: RubricInfo | None
    files: int
    graded: int
    vetoed: int
    invalid: int
    skipped: int
    ranking: tuple[RankedRow, ...]
    placements: Mapping[int, Placement]
    ratings: tuple[RatingCount, ...]
    stats: ScoreStats | None
    criteria: tuple[CriterionAverage, ...]
    common_problems: tuple[CommonProblem, ...]
    quotas: tuple[QuotaOutcome, ...]
    tie_rule: str = TIE_RULE
    quota_rule: str = QUOTA_RULE


class QuotaError(ValueError):
    """A quota names a rating the rubric does not have, or the lowest one."""


@dataclass
class _IndicatorTally:
    name: str
    criterion: str
    units: int = 0
    lost: Decimal = ZERO


@dataclass
class SummaryBuilder:
    """Collects compact rows and per-indicator tallies as results stream past."""

    rubric: RubricInfo | None = None
    rows: list[SummaryRow] = field(default_factory=list)
    criterion_totals: list[Decimal] = field(default_factory=list)
    criterion_max: list[Decimal] = field(default_factory=list)
    tallies: dict[str, _IndicatorTally] = field(default_factory=dict)

    def add(self, index: int, result: UnitResult) -> None:
        """Take in one graded unit of the batch's rubric."""
        if self.rubric is None:
            self.rubric = RubricInfo(
                id=result.rubric_id,
                title=result.rubric_title,
                version=result.rubric_version,
                sha256=result.rubric_sha256,
                ratings=result.ratings,
                criteria=tuple((c.id, c.name) for c in result.criteria),
            )
            self.criterion_totals = [ZERO] * len(result.criteria)
            self.criterion_max = [c.points for c in result.criteria]
        scores = tuple(c.score for c in result.criteria)
        for position, value in enumerate(scores):
            self.criterion_totals[position] += value
        for indicator in result.indicators:
            tally = self.tallies.get(indicator.id)
            if tally is None:
                tally = self.tallies[indicator.id] = _IndicatorTally(
                    indicator.name, indicator.criterion
                )
            lost = indicator.lost
            if lost > 0:
                tally.units += 1
                tally.lost += lost
        self.rows.append(
            SummaryRow(
                index=index,
                file=result.file,
                unit_name=result.unit_name,
                unit_code=result.unit_code,
                # Thousands of units share a township and a county: keep one copy of each name.
                township=sys.intern(result.township),
                county=sys.intern(result.county),
                score=result.score,
                base_score=result.base_score,
                rating_by_score=result.rating,
                vetoed=result.vetoed,
                veto_reasons=result.veto_reasons,
                criterion_scores=scores,
                gap_count=len(result.gaps),
            )
        )

    def finish(
        self, *, files: int, invalid: int, skipped: int, quotas: Mapping[str, Decimal]
    ) -> BatchSummary:
        """Rank, apply quotas (percent per rating name) and compute the statistics."""
        ranked = sorted(self.rows, key=_rank_key)
        ratings = self.rubric.ratings if self.rubric else ()
        final, notes, outcomes = _apply_quotas(ranked, ratings, quotas)
        placements: dict[int, Placement] = {}
        ranking = []
        for rank, row in enumerate(ranked, start=1):
            placement = Placement(
                rank=rank,
                status="vetoed" if row.vetoed else "graded",
                rating=final[row.index],
                quota_note=notes.get(row.index, ""),
            )
            placements[row.index] = placement
            ranking.append(RankedRow(row, placement))
        graded = len(ranked)
        counts = dict.fromkeys(ratings, 0)
        for placement in placements.values():
            counts[placement.rating] += 1
        rating_counts = tuple(
            RatingCount(name, count, _percent(count, graded)) for name, count in counts.items()
        )
        criteria: tuple[CriterionAverage, ...] = ()
        if self.rubric and graded:
            criteria = tuple(
                CriterionAverage(cid, name, round_score(total / graded), maximum)
                for (cid, name), total, maximum in zip(
                    self.rubric.criteria, self.criterion_totals, self.criterion_max, strict=True
                )
            )
        common = sorted(
            (
                CommonProblem(iid, t.name, t.criterion, t.units, t.lost)
                for iid, t in self.tallies.items()
                if t.units
            ),
            key=lambda p: (-p.lost, -p.units, p.id),
        )
        return BatchSummary(
            rubric=self.rubric,
            files=files,
            graded=graded,
            vetoed=sum(1 for row in ranked if row.vetoed),
            invalid=invalid,
            skipped=skipped,
            ranking=tuple(ranking),
            placements=placements,
            ratings=rating_counts,
            stats=_stats([row.score for row in ranked]),
            criteria=criteria,
            common_problems=tuple(common),
            quotas=outcomes,
        )


def _rank_key(row: SummaryRow) -> tuple[bool, Decimal, Decimal, str, str]:
    return (row.vetoed, -row.score, -row.base_score, row.unit_code, row.file)


def _percent(part: int, whole: int) -> Decimal:
    return round_score(Decimal(part) * 100 / whole) if whole else ZERO


def _stats(scores: list[Decimal]) -> ScoreStats | None:
    if not scores:
        return None
    ordered = sorted(scores)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return ScoreStats(
        mean=round_score(sum(ordered, ZERO) / len(ordered)),
        median=round_score(median),
        minimum=ordered[0],
        maximum=ordered[-1],
    )


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


def _apply_quotas(
    ranked: list[SummaryRow], ratings: tuple[str, ...], quotas: Mapping[str, Decimal]
) -> tuple[dict[int, str], dict[int, str], tuple[QuotaOutcome, ...]]:
    """Final rating per row index, the reason where a quota changed it, and each quota's outcome."""
    final = {row.index: row.rating_by_score for row in ranked}
    notes: dict[int, str] = {}
    if not quotas:
        return final, notes, ()
    check_quotas(quotas, ratings)
    outcomes = []
    for position, name in enumerate(ratings[:-1]):
        if name not in quotas:
            continue
        percent = quotas[name]
        cap = quota_cap(percent, len(ranked))
        lower = ratings[position + 1]
        holders = [row for row in ranked if final[row.index] == name]
        for row in holders[cap:]:
            final[row.index] = lower
            first = notes.get(row.index, f"按得分为“{row.rating_by_score}”")
            notes[row.index] = (
                f"{first}；“{name}”名额为参评单位的{fmt(percent)}%（{cap}个）已满，"
                f"按名次顺延为“{lower}”"
            )
        outcomes.append(QuotaOutcome(name, percent, cap, max(0, len(holders) - cap)))
    return final, notes, tuple(outcomes)
