"""Pure batch summary: ranking, quotas, rating counts, statistics and 共性问题, from compact rows.

Graded units are added one at a time, and only what ranking, quotas and statistics need of each
stays in memory: a sort key while the batch is collected, then a few small integers per unit. The
rest of a unit's ranking row is kept encoded (a few hundred bytes) in a ``RowStore`` — a list, or
a temporary file for a province-sized batch — and read back in rank order when a report asks.
Criterion totals and indicator losses are summed in a ``Tally``, which a worker process can fill
for its share of the files and the parent then merges.
"""

from __future__ import annotations

import pickle
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from itertools import pairwise
from typing import IO, Any, Literal, overload

from lianchuang_cli.decimals import ZERO, fmt, round_score
from lianchuang_cli.scoring.results import SkippedEntry, UnitFacts, UnitResult

UnitStatus = Literal["graded", "vetoed"]
STATUS_NAMES: dict[str, str] = {"graded": "已评分", "vetoed": "一票否决", "invalid": "无效"}

TIE_RULE = (
    "名次规则：未被一票否决的单位排在前面，按总分从高到低；总分相同的，基础分（不含加分、扣分）"
    "高者在前；仍相同的，按单位代码、再按文件路径升序。名次不并列。"
)
QUOTA_RULE = (
    "名额 = 参评单位数 × 比例，向下取整；某等级单位数超过名额时，名次靠后的单位顺延到下一等级"
    "（下一等级也设名额的，继续顺延）。总分、基础分都相同的单位跨名额线时为并列，不按单位代码取舍，"
)
QUOTA_TIE_RULES: dict[str, str] = {
    "committee": "由考评领导小组研究确定（细则 quota_ties: committee），确定前暂按得分等级列出",
    "keep_all": "并列者均保留该等级（细则 quota_ties: keep_all），名额相应增加",
}
"""What a rubric says becomes of units tied across a quota's cut-off (``quota_ties``)."""


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
    rating_reason: str
    """Why ``rating_by_score`` is not the next better band although the total reaches it
    (``UnitResult.rating_reason``), or ""."""
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
    tied: bool = False
    """Tied with another unit across a quota's cut-off (并列): ``quota_note`` says how it was left."""
    tied_at: str = ""
    """The rating whose quota cut-off the unit is tied across ("" when not tied)."""


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
    tied: int = 0
    """Units tied across the cut-off kept beyond ``cap`` (并列), never settled by code order."""
    group: str = ""
    """The units this quota was counted over when a level's quotas apply per group (a township's
    villages in ``grade-tree`` with ``quota_scope: township``); "" when over all the units."""


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
    ranking: Ranking  # rank order; rows are read back from the row store when asked for
    placements: Placements  # by input index
    ratings: tuple[RatingCount, ...]
    stats: ScoreStats | None
    criteria: tuple[CriterionAverage, ...]
    common_problems: tuple[CommonProblem, ...]
    quotas: tuple[QuotaOutcome, ...]
    tie_rule: str = TIE_RULE
    quota_rule: str = QUOTA_RULE + QUOTA_TIE_RULES["committee"] + "。"
    quota_ties: str = "committee"
    skipped_entries: tuple[SkippedEntry, ...] = ()
    """The entries counted in ``skipped``, each with why (a FIFO, a lock file, a note...)."""

    def vetoed_ranking(self) -> list[RankedRow]:
        """The vetoed units, in rank order (they always hold the last ranks)."""
        return self.ranking[self.graded - self.vetoed :]


class QuotaError(ValueError):
    """A quota names a rating the rubric does not have, or the lowest one."""


UnitKey = tuple[bool, Decimal, Decimal, str, str, str]
"""What ranking needs of a unit: vetoed, score, base score, unit code, file, rating by score."""


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


def encode_row(result: UnitResult | UnitFacts) -> bytes:
    """A graded unit's ``SummaryRow`` fields (all but the index), as a ``RowStore`` keeps them."""
    return pickle.dumps(
        (
            result.file,
            result.unit_name,
            result.unit_code,
            result.township,
            result.county,
            result.score,
            result.base_score,
            result.rating,
            result.rating_reason,
            result.vetoed,
            result.veto_reasons,
            tuple(c.score for c in result.criteria),
            result.gap_count if isinstance(result, UnitFacts) else len(result.gaps),
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


class RowStore:
    """Encoded summary rows by position (graded units in input order): in memory or in a file."""

    def __init__(self, file: IO[bytes] | None = None) -> None:
        self._file = file
        self._blobs: list[bytes] = []
        self._offsets = array("q")
        self._end = 0

    def append(self, row: bytes) -> None:
        """Keep one more row (from ``encode_row``)."""
        if self._file is None:
            self._blobs.append(row)
            return
        self._offsets.append(self._end)
        self._file.write(row)
        self._end += len(row)

    def row(self, position: int, index: int) -> SummaryRow:
        """The row at ``position``, whose unit had ``index`` in the batch's input."""
        return SummaryRow(index, *pickle.loads(self._blob(position)))

    def rows(self, indexes: Sequence[int]) -> Iterator[SummaryRow]:
        """Every row in position order; ``indexes`` gives each position's input index."""
        for position in range(len(self)):
            yield SummaryRow(indexes[position], *pickle.loads(self._blob(position)))

    def __len__(self) -> int:
        return len(self._blobs) if self._file is None else len(self._offsets)

    def _blob(self, position: int) -> bytes:
        if self._file is None:
            return self._blobs[position]
        offsets = self._offsets
        start = offsets[position]
        end = offsets[position + 1] if position + 1 < len(offsets) else self._end
        self._file.seek(start)
        return self._file.read(end - start)  # one read: pickle.load on a file reads piecemeal


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


SHARED_DECIMALS = 100_000
"""At most this many distinct scores are kept as shared objects (more would cost, not save)."""


class SummaryBuilder:
    """Collects what the summary needs of each graded unit as results stream past.

    ``add`` takes a whole result; a batch whose results are summarised in worker processes uses
    ``add_unit`` (ranking key and encoded row) and ``merge`` (the workers' tallies) instead.
    """

    def __init__(self, rows: RowStore | None = None) -> None:
        self.rows = RowStore() if rows is None else rows
        self.tally: Tally | None = None
        # By position (graded units in input order): what ranking needs, kept small. Scores are
        # shared objects (a batch has few distinct ones); the ranking's sort keys exist only
        # while ``finish`` sorts, after the worker processes are gone.
        self._indexes = array("q")  # input index
        self._vetoed = bytearray()
        self._scores: list[Decimal] = []
        self._base_scores: list[Decimal] = []
        self._codes: list[str] = []
        self._files: list[str] = []
        self._by_score = array("H")  # rating (number) by score
        self._numbers: dict[str, int] = {}  # rating name -> number
        self._decimals: dict[str, Decimal] = {}

    @property
    def rubric(self) -> RubricInfo | None:
        """The rubric of the units taken in so far (None before the first)."""
        return None if self.tally is None else self.tally.rubric

    def add(self, index: int, result: UnitResult | UnitFacts) -> None:
        """Take in one graded unit of the batch's rubric."""
        if self.tally is None:
            self.tally = Tally.of(result)
        self.tally.add(result)
        self.add_unit(index, unit_key(result), encode_row(result))

    def add_unit(self, index: int, key: UnitKey, row: bytes, *, file: str | None = None) -> None:
        """Take in a unit summarised elsewhere, by its ``unit_key`` and ``encode_row``; its
        sums come in through ``merge``. ``file``: the key's file as an object the caller keeps
        anyway (a batch's list of paths), to keep no copy."""
        vetoed, score, base_score, unit_code, key_file, rating = key
        self._indexes.append(index)
        self._vetoed.append(vetoed)
        self._scores.append(self._shared(score))
        self._base_scores.append(self._shared(base_score))
        self._codes.append(unit_code)
        self._files.append(file if file is not None and file == key_file else key_file)
        self._by_score.append(self._number(rating))
        self.rows.append(row)

    def _shared(self, value: Decimal) -> Decimal:
        # Keyed by text, not value: 90 and 90.00 are equal but print differently.
        text = str(value)
        kept = self._decimals.get(text)
        if kept is None:
            if len(self._decimals) >= SHARED_DECIMALS:
                return value
            kept = self._decimals[text] = value
        return kept

    def merge(self, tally: Tally) -> None:
        """Add the sums of units taken in through ``add_unit`` (same rubric)."""
        if self.tally is None:
            self.tally = tally
        else:
            self.tally.merge(tally)

    def _number(self, rating: str) -> int:
        number = self._numbers.get(rating)
        if number is None:
            number = self._numbers[rating] = len(self._numbers)
        return number

    def duplicate_codes(self) -> dict[int, str]:
        """Input index → unit code, for every unit whose (non-empty) code another file's unit
        has (one file given twice is one unit); call before ``finish``."""
        codes, files, indexes = self._codes, self._files, self._indexes
        by_code = sorted(range(len(codes)), key=lambda p: (codes[p], files[p]))
        found: dict[int, str] = {}
        for a, b in pairwise(by_code):
            if codes[a] and codes[a] == codes[b] and files[a] != files[b]:
                found[indexes[a]] = found[indexes[b]] = codes[a]
        # Copies of one file that clash with another file are all named.
        for a, b in pairwise(by_code):
            if codes[a] == codes[b] and (indexes[a] in found or indexes[b] in found):
                found[indexes[a]] = found[indexes[b]] = codes[a]
        return found

    def finish(
        self,
        *,
        files: int,
        invalid: int,
        skipped: int,
        quotas: Mapping[str, Decimal],
        skipped_entries: Sequence[SkippedEntry] = (),
        quota_ties: str = "committee",
        groups: Sequence[str] = (),
        quota_pool: str = "",
    ) -> BatchSummary:
        """Rank, apply quotas (percent per rating name) and compute the statistics.

        Units equal in everything but code and file (vetoed, score, base score) that a quota's
        cut-off would separate are 并列: all keep the rating, and ``quota_ties`` (the rubric's
        rule) says what happens to them, never the code order. ``groups`` (by input order of the
        units added, one name each) counts each quota over each group's units apart;
        ``quota_pool`` says over which units quotas are counted, first in the quota rule.
        """
        vetoed, scores, base_scores = self._vetoed, self._scores, self._base_scores
        codes, unit_files = self._codes, self._files
        graded = len(vetoed)
        # Stable: units equal in every key keep their input order.
        order = array(
            "q",
            sorted(
                range(graded),
                key=lambda p: rank_key(
                    bool(vetoed[p]), scores[p], base_scores[p], codes[p], unit_files[p]
                ),
            ),
        )
        ranked_scores = [scores[position] for position in order]
        self._scores, self._base_scores, self._codes, self._files = [], [], [], []
        ranks = array("q", bytes(8 * graded))
        for rank, position in enumerate(order, start=1):
            ranks[position] = rank
        rubric = self.rubric
        ratings = rubric.ratings if rubric else ()
        for name in ratings:
            self._number(name)

        def same(a: int, b: int) -> bool:
            return (
                vetoed[a] == vetoed[b]
                and scores[a] == scores[b]
                and base_scores[a] == base_scores[b]
            )

        group_of = [groups[index] for index in self._indexes] if groups else []
        final, steps, outcomes, tied = _apply_quotas(
            order, array("H", self._by_score), self._numbers, ratings, quotas, same, group_of
        )
        places = _Places(
            names=sorted(self._numbers, key=self._numbers.__getitem__),
            numbers=dict(self._numbers),
            indexes=self._indexes,
            order=order,
            ranks=ranks,
            final=final,
            by_score=self._by_score,
            vetoed=vetoed,
            steps=steps,
            tied=tied,
            tie_rule=QUOTA_TIE_RULES[quota_ties],
            group_of=group_of,
        )
        rating_counts = tuple(
            RatingCount(name, count, _percent(count, graded))
            for name in ratings
            for count in (final.count(self._numbers[name]),)
        )
        criteria: tuple[CriterionAverage, ...] = ()
        common: list[CommonProblem] = []
        if self.tally is not None and graded:
            tally = self.tally
            criteria = tuple(
                CriterionAverage(cid, name, round_score(total / graded), maximum)
                for (cid, name), total, maximum in zip(
                    tally.rubric.criteria,
                    tally.criterion_totals,
                    tally.criterion_max,
                    strict=True,
                )
            )
            common = sorted(
                (
                    CommonProblem(iid, name, criterion, units, lost)
                    for iid, (name, criterion, units, lost) in tally.indicators.items()
                ),
                key=lambda p: (-p.lost, -p.units, p.id),
            )
        return BatchSummary(
            rubric=rubric,
            files=files,
            graded=graded,
            vetoed=vetoed.count(1),
            invalid=invalid,
            skipped=skipped,
            skipped_entries=tuple(skipped_entries),
            ranking=Ranking(places, self.rows),
            placements=Placements(places),
            ratings=rating_counts,
            stats=_stats(ranked_scores),
            criteria=criteria,
            common_problems=tuple(common),
            quotas=outcomes,
            quota_rule=quota_pool + QUOTA_RULE + QUOTA_TIE_RULES[quota_ties] + "。",
            quota_ties=quota_ties,
        )


QuotaStep = tuple[str, Decimal, int, str]
"""A quota that demoted units: the rating, its percent and cap, the rating they went down to."""
StepKey = tuple[str, int]
"""Whose quota: the group ("" for all units) and the rating number it capped."""
QuotaTie = tuple[str, int, int]
"""Units tied across a quota's cut-off: the rating, its cap, how many units are tied."""


@dataclass(frozen=True, slots=True)
class _Places:
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

    def __init__(self, places: _Places, rows: RowStore) -> None:
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

    def __init__(self, places: _Places) -> None:
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
