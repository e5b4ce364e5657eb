"""What every reporter receives: the summary, a re-readable stream of ranked results, the failures.

Full per-file results are not kept in memory: ``results()`` reads them back from wherever the
engine spooled them, in input order, each time it is called (a workbook reads them twice).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from datetime import datetime

from msgspec import Struct

from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary


class RankedResult(Struct, frozen=True):
    """One graded unit with its place in the batch (rank, status, rating after quotas)."""

    result: UnitResult
    placement: Placement


class ReportOptions(Struct, frozen=True):
    """How reporters lay out: console width, colour, each unit's panel, the recorded creation time."""

    width: int = 120
    color: bool = False
    unit_panels: bool = False
    created: datetime | None = None
    """The creation time formats that record one write (xlsx document properties); None: now.
    A publication pack fixes it, so that its workbook re-derives byte for byte."""


class Report(Struct, frozen=True):
    """A graded batch (or the files given to ``score``) ready to be written in any format."""

    summary: BatchSummary
    results: Callable[[], Iterator[RankedResult]]
    invalid: Collection[FileFailure]  # re-iterable; spooled to disk by the engine
    options: ReportOptions = ReportOptions()
    # Each graded unit's line as the format's ``render`` function made it while grading (in the
    # worker processes), with its placement, in input order; None when nothing was pre-rendered.
    rendered: Callable[[], Iterator[tuple[bytes, Placement]]] | None = None
