"""Sums over a batch's graded units: criterion averages and the indicators that lost points
(共性问题), in a ``Tally`` that a worker process fills for its share and the parent merges."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from msgspec import Struct

from lianchuang_cli.decimals import ZERO, round_score
from lianchuang_cli.scoring.results import UnitFacts, UnitResult


class CriterionAverage(Struct, frozen=True):
    """A criterion's mean score across the batch."""

    id: str
    name: str
    mean: Decimal
    max_score: Decimal


class CommonProblem(Struct, frozen=True):
    """An indicator that lost points across the batch (共性问题)."""

    id: str
    name: str
    criterion: str
    units: int
    lost: Decimal


class RubricInfo(Struct, frozen=True):
    """The rubric a batch was graded against."""

    id: str
    title: str
    version: str
    sha256: str
    ratings: tuple[str, ...]
    criteria: tuple[tuple[str, str], ...]  # (id, name)


def losses(result: UnitResult) -> Iterator[tuple[str, str, str, Decimal]]:
    """The indicators that lost points, in rubric order: id, name, criterion, points lost."""
    for indicator in result.indicators:
        score = indicator.score
        if score is not None:
            lost = indicator.max_score - score
            if lost > 0:
                yield indicator.id, indicator.name, indicator.criterion, lost


class Tally:
    """Criterion totals and per-indicator losses of units graded against one rubric; mergeable.

    A worker process fills one for its share of a batch and the parent merges them, so the
    parent never needs the units' full results.
    """

    __slots__ = ("criterion_max", "criterion_totals", "indicators", "rubric")

    def __init__(self, rubric: RubricInfo, criterion_max: tuple[Decimal, ...]) -> None:
        self.rubric = rubric
        self.criterion_max = criterion_max
        self.criterion_totals = [ZERO] * len(criterion_max)
        # indicator id -> [name, criterion, units that lost points, points lost in all]
        self.indicators: dict[str, list[Any]] = {}

    @classmethod
    def of(cls, result: UnitResult | UnitFacts) -> Tally:
        """An empty tally for the rubric ``result`` was graded against."""
        rubric = RubricInfo(
            id=result.rubric_id,
            title=result.rubric_title,
            version=result.rubric_version,
            sha256=result.rubric_sha256,
            ratings=result.ratings,
            criteria=tuple((c.id, c.name) for c in result.criteria),
        )
        return cls(rubric, tuple(c.points for c in result.criteria))

    def add(self, result: UnitResult | UnitFacts) -> None:
        """Count one graded unit of this rubric."""
        totals = self.criterion_totals
        for position, criterion in enumerate(result.criteria):
            totals[position] += criterion.score
        indicators = self.indicators
        for iid, name, criterion_id, lost in (
            result.losses if isinstance(result, UnitFacts) else losses(result)
        ):
            tally = indicators.get(iid)
            if tally is None:
                indicators[iid] = [name, criterion_id, 1, lost]
            else:
                tally[2] += 1
                tally[3] += lost

    def merge(self, other: Tally) -> None:
        """Add another tally of the same rubric."""
        totals = self.criterion_totals
        for position, value in enumerate(other.criterion_totals):
            totals[position] += value
        indicators = self.indicators
        for iid, (name, criterion, units, lost) in other.indicators.items():
            tally = indicators.get(iid)
            if tally is None:
                indicators[iid] = [name, criterion, units, lost]
            else:
                tally[2] += units
                tally[3] += lost


def criterion_averages(tally: Tally, graded: int) -> tuple[CriterionAverage, ...]:
    """Each criterion's mean score over ``graded`` units (two decimals, 四舍五入)."""
    return tuple(
        CriterionAverage(cid, name, round_score(total / graded), maximum)
        for (cid, name), total, maximum in zip(
            tally.rubric.criteria,
            tally.criterion_totals,
            tally.criterion_max,
            strict=True,
        )
    )


def common_problems(tally: Tally) -> tuple[CommonProblem, ...]:
    """The indicators that lost points, most points lost first (共性问题)."""
    return tuple(
        sorted(
            (
                CommonProblem(iid, name, criterion, units, lost)
                for iid, (name, criterion, units, lost) in tally.indicators.items()
            ),
            key=lambda p: (-p.lost, -p.units, p.id),
        )
    )
