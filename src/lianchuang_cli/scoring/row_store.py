"""A batch's summary rows, kept encoded (a few hundred bytes a unit) in memory or in a file.

A ``RowStore`` holds what the reports show of each graded unit, in input order, and reads it back
in rank order when a report asks; a province-sized batch keeps it in a temporary file.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO

from msgspec import Struct

from lianchuang_cli.scoring.results import UnitFacts, UnitResult


class SummaryRow(Struct, frozen=True):
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


def encode_row(result: UnitResult | UnitFacts) -> bytes:
    """A graded unit's ``SummaryRow`` fields (all but the index), as a ``RowStore`` keeps them.

    Scores are kept as their text (``Decimal(str(d))`` gives back the same digits): pickling a
    ``Decimal`` itself costs about ten times as much (11.5 against 0.9 µs a row, measured
    2026-12-07), and every graded unit of a batch is encoded once.
    """
    return pickle.dumps(
        (
            result.file,
            result.unit_name,
            result.unit_code,
            result.township,
            result.county,
            str(result.score),
            str(result.base_score),
            result.rating,
            result.rating_reason,
            result.vetoed,
            result.veto_reasons,
            tuple([str(c.score) for c in result.criteria]),
            result.gap_count if isinstance(result, UnitFacts) else len(result.gaps),
        ),
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _decode_row(index: int, blob: bytes) -> SummaryRow:
    (
        file,
        name,
        code,
        township,
        county,
        score,
        base,
        rating,
        reason,
        vetoed,
        vetoes,
        scores,
        gaps,
    ) = pickle.loads(blob)
    return SummaryRow(
        index,
        file,
        name,
        code,
        township,
        county,
        Decimal(score),
        Decimal(base),
        rating,
        reason,
        vetoed,
        vetoes,
        tuple([Decimal(text) for text in scores]),
        gaps,
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
        return _decode_row(index, self._blob(position))

    def rows(self, indexes: Sequence[int]) -> Iterator[SummaryRow]:
        """Every row in position order; ``indexes`` gives each position's input index."""
        for position in range(len(self)):
            yield _decode_row(indexes[position], self._blob(position))

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
