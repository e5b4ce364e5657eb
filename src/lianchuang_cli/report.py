"""What every reporter receives: the summary, a re-readable stream of ranked results, the failures.

Full per-file results are not kept in memory: ``results()`` reads them back from wherever the
engine spooled them, in input order, each time it is called (a workbook reads them twice).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from lianchuang_cli.results import FileFailure, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, Placement


@dataclass(frozen=True, slots=True)
class RankedResult:
    """One graded unit with its place in the batch (rank, status, rating after quotas)."""

    result: UnitResult
    placement: Placement


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How text reporters lay out: console width, colour, and whether to show each unit's panel."""

    width: int = 120
    color: bool = False
    unit_panels: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """A graded batch (or the files given to ``score``) ready to be written in any format."""

    summary: BatchSummary
    results: Callable[[], Iterator[RankedResult]]
    invalid: Collection[FileFailure]  # re-iterable; spooled to disk by the engine
    options: ReportOptions = ReportOptions()
    # Each graded unit's line as the format's ``render`` function made it while grading (in the
    # worker processes), with its placement, in input order; None when nothing was pre-rendered.
    rendered: Callable[[], Iterator[tuple[bytes, Placement]]] | None = None
