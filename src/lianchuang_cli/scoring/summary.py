"""Pure batch summary: ranking, quotas, rating counts, statistics and 共性问题, from compact rows.

Graded units are added one at a time, and only what ranking, quotas and statistics need of each
stays in memory: a sort key while the batch is collected, then a few small integers per unit. The
rest of a unit's ranking row is kept encoded (a few hundred bytes) in a ``RowStore`` — a list, or
a temporary file for a province-sized batch — and read back in rank order when a report asks.
Criterion totals and indicator losses are summed in a ``Tally``, which a worker process can fill
for its share of the files and the parent then merges. The ranking rule and the places are
``ranking``, quotas ``quotas``.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from decimal import Decimal
from itertools import pairwise

from msgspec import Struct

from lianchuang_cli.decimals import ZERO, round_score
from lianchuang_cli.scoring.quotas import QUOTA_RULE, QUOTA_TIE_RULES, QuotaOutcome, apply_quotas
from lianchuang_cli.scoring.ranking import (
    TIE_RULE,
    Placements,
    Places,
    RankedRow,
    Ranking,
    UnitKey,
    rank_order,
    unit_key,
)
from lianchuang_cli.scoring.results import SkippedEntry, UnitFacts, UnitResult
from lianchuang_cli.scoring.row_store import RowStore, encode_row
from lianchuang_cli.scoring.tally import (
    CommonProblem,
    CriterionAverage,
    RubricInfo,
    Tally,
    common_problems,
    criterion_averages,
)

STATUS_NAMES: dict[str, str] = {"graded": "已评分", "vetoed": "一票否决", "invalid": "无效"}


class RatingCount(Struct, frozen=True):
    """How many units got a rating, and their share of the units graded (percent)."""

    rating: str
    count: int
    percent: Decimal


class ScoreStats(Struct, frozen=True):
    """Mean, median, lowest and highest total score (two decimals, 四舍五入)."""

    mean: Decimal
    median: Decimal
    minimum: Decimal
    maximum: Decimal


class BatchSummary(Struct, frozen=True):
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
        graded = len(vetoed)
        order = rank_order(vetoed, scores, base_scores, self._codes, self._files)
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
        final, steps, outcomes, tied = apply_quotas(
            order, array("H", self._by_score), self._numbers, ratings, quotas, same, group_of
        )
        places = Places(
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
        common: tuple[CommonProblem, ...] = ()
        if self.tally is not None and graded:
            criteria = criterion_averages(self.tally, graded)
            common = common_problems(self.tally)
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
            common_problems=common,
            quotas=outcomes,
            quota_rule=quota_pool + QUOTA_RULE + QUOTA_TIE_RULES[quota_ties] + "。",
            quota_ties=quota_ties,
        )


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
