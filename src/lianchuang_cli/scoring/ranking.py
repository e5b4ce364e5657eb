"""Ranking: the rule that orders a batch's units, and each unit's place (rank, rating after
quotas and why) kept in a few arrays and made into rows when a report asks."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Literal, overload

from msgspec import Struct

from lianchuang_cli.decimals import fmt
from lianchuang_cli.scoring.quotas import QuotaStep, QuotaTie, StepKey
from lianchuang_cli.scoring.results import UnitFacts, UnitResult
from lianchuang_cli.scoring.row_store import RowStore, SummaryRow

UnitStatus = Literal["graded", "vetoed"]

TIE_RULE = (
    "名次规则：未被一票否决的单位排在前面，按总分从高到低；总分相同的，基础分（不含加分、扣分）"
    "高者在前；仍相同的，按单位代码、再按文件路径升序。名次不并列。"
)


class Placement(Struct, frozen=True):
    """A unit's place in the batch: rank, final rating (after quotas) and why it changed."""

    rank: int
    status: UnitStatus
    rating: str
    quota_note: str
    tied: bool = False
    """Tied with another unit across a quota's cut-off (并列): ``quota_note`` says how it was left."""
    tied_at: str = ""
    """The rating whose quota cut-off the unit is tied across ("" when not tied)."""


class RankedRow(Struct, frozen=True):
    """A summary row with its placement, in ranking order."""

    row: SummaryRow
    placement: Placement


UnitKey = tuple[bool, Decimal, Decimal, str, str, str]
"""What ranking needs of a unit: vetoed, score, base score, unit code, file, rating by score."""


def rank_order(
    vetoed: Sequence[int],
    scores: Sequence[Decimal],
    base_scores: Sequence[Decimal],
    codes: Sequence[str],
    files: Sequence[str],
) -> array[int]:
    """Positions (graded units in input order) in rank order, by ``rank_key``."""
    # Stable: units equal in every key keep their input order.
    return array(
        "q",
        sorted(
            range(len(vetoed)),
            key=lambda p: rank_key(bool(vetoed[p]), scores[p], base_scores[p], codes[p], files[p]),
        ),
    )


def unit_key(result: UnitResult | UnitFacts) -> UnitKey:
    """A graded unit's ranking key (see ``TIE_RULE``) and its rating by score."""
    return (
        result.vetoed,
        result.score,
        result.base_score,
        result.unit_code,
        result.file,
        result.rating,
    )


RankKey = tuple[bool, Decimal, Decimal, str, str]


def rank_key(vetoed: bool, score: Decimal, base_score: Decimal, code: str, file: str) -> RankKey:
    """``TIE_RULE`` as a sort key (smallest first): not vetoed before vetoed, then the higher
    score, the higher base score, then unit code and file path ascending. The one ranking rule:
    a batch's summary and a tree's villages within their township both sort by it."""
    return (vetoed, -score, -base_score, code, file)


def ranked_first(result: UnitResult | UnitFacts) -> RankKey:
    """``rank_key`` of a graded unit."""
    return rank_key(result.vetoed, result.score, result.base_score, result.unit_code, result.file)


class Places(Struct, frozen=True):
    """Each graded unit's place, by position (graded units in input order), in a few arrays."""

    names: list[str]  # rating number -> name
    numbers: dict[str, int]  # rating name -> number
    indexes: array[int]  # position -> input index
    order: array[int]  # rank - 1 -> position
    ranks: array[int]  # position -> rank
    final: array[int]  # position -> rating number after quotas
    by_score: array[int]  # position -> rating number by score
    vetoed: bytearray  # position -> 1 when vetoed
    steps: dict[StepKey, QuotaStep]  # (group, rating number) -> the quota that demoted units
    tied: dict[int, QuotaTie]  # position -> the quota cut-off it is tied across
    tie_rule: str  # what the rubric says becomes of tied units
    group_of: list[str]  # position -> its quota group; empty when quotas count all units

    def placement(self, position: int) -> Placement:
        final, by_score = self.final[position], self.by_score[position]
        group = self.group_of[position] if self.group_of else ""
        note = "" if final == by_score else self._note(by_score, final, group)
        tie = self.tied.get(position)
        if tie is not None:
            name, cap, count = tie
            tied = (
                f"并列：{count}个单位总分、基础分相同，跨“{name}”名额线（名额{cap}个），"
                f"不按单位代码取舍；{self.tie_rule}"
            )
            note = f"{note}；{tied}" if note else tied
        return Placement(
            rank=self.ranks[position],
            status="vetoed" if self.vetoed[position] else "graded",
            rating=self.names[final],
            quota_note=note,
            tied=tie is not None,
            tied_at=tie[0] if tie is not None else "",
        )

    def _note(self, by_score: int, final: int, group: str) -> str:
        # A unit moves down one rating for each full quota it meets on the way: say each step.
        parts = [f"按得分为“{self.names[by_score]}”"]
        number = by_score
        while number != final:
            name, percent, cap, lower = self.steps[(group, number)]
            parts.append(
                f"；“{name}”名额为{group}参评单位的{fmt(percent)}%（{cap}个）已满，"
                f"按名次顺延为“{lower}”"
            )
            number = self.numbers[lower]
        return "".join(parts)


class Ranking(Sequence[RankedRow]):
    """The graded units in rank order; each row is read back from the row store when asked for."""

    def __init__(self, places: Places, rows: RowStore) -> None:
        self._places = places
        self._rows = rows

    def __len__(self) -> int:
        return len(self._places.order)

    @overload
    def __getitem__(self, item: int) -> RankedRow: ...

    @overload
    def __getitem__(self, item: slice) -> list[RankedRow]: ...

    def __getitem__(self, item: int | slice) -> RankedRow | list[RankedRow]:
        if isinstance(item, slice):
            return [self[rank] for rank in range(*item.indices(len(self)))]
        return self._at(self._places.order[item])

    def __iter__(self) -> Iterator[RankedRow]:
        for position in self._places.order:
            yield self._at(position)

    def _at(self, position: int) -> RankedRow:
        places = self._places
        row = self._rows.row(position, places.indexes[position])
        return RankedRow(row, places.placement(position))

    def in_input_order(self) -> Iterator[RankedRow]:
        """The same rows in the batch's input order (one sequential read)."""
        places = self._places
        for position, row in enumerate(self._rows.rows(places.indexes)):
            yield RankedRow(row, places.placement(position))


class Placements(Mapping[int, Placement]):
    """Each graded unit's placement by its input index, made when asked for."""

    def __init__(self, places: Places) -> None:
        self._places = places

    def __getitem__(self, index: int) -> Placement:
        indexes = self._places.indexes
        position = bisect_left(indexes, index)
        if position == len(indexes) or indexes[position] != index:
            raise KeyError(index)
        return self._places.placement(position)

    def __iter__(self) -> Iterator[int]:
        return iter(self._places.indexes)

    def __len__(self) -> int:
        return len(self._places.indexes)

    def in_input_order(self) -> Iterator[Placement]:
        """Every placement in input order (of graded units)."""
        placement = self._places.placement
        for position in range(len(self._places.indexes)):
            yield placement(position)
