"""Results of grading a county tree: each level's graded units, how they link, what went wrong."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from lianchuang_cli.errors import Problem
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import FileFailure, UnitFacts, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary


class TreeVillage(UnitFacts, frozen=True):
    """A graded village as a tree keeps it in memory: what ranking, quotas, the linked figures
    one level up and the rankings' rows need. Its full result (every indicator) is in the
    tree's spool as ``record``: ``TreeResult.full`` reads it back."""

    record: int = -1


class ResultStore(Protocol):
    """Where a tree's villages' full results, or their pre-rendered lines, wait
    (``tree.units.SpooledResults``)."""

    holds: str
    """What a village's record is: "results" (its full result), "lines" (its line pre-rendered
    by the report's format, ``TextFormat.render``) or "" (nothing kept)."""

    def result(self, record: int) -> UnitResult:
        """The full result spooled as ``record``."""
        ...

    def line(self, record: int) -> bytes:
        """The pre-rendered line spooled as ``record``."""
        ...

    def close(self) -> None:
        """Delete what is kept."""
        ...


@dataclass(frozen=True, slots=True)
class TownshipNode:
    """A township with its villages, ranked best first, and their ratings counted."""

    code: str
    file: str
    result: UnitResult | None
    villages: tuple[TreeVillage, ...]
    villages_found: int
    distribution: tuple[tuple[str, int], ...]
    """The villages' ratings after quotas, counted."""
    placement: Placement | None = None
    """The township's place among the county's townships (its rating after quotas)."""
    placements: tuple[Placement, ...] = ()
    """Each village's place among the county's villages, beside ``villages``."""


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A graded unit left out of the figures above it, and why."""

    result: UnitResult | TreeVillage
    reason: str


@dataclass(frozen=True, slots=True)
class SeenUnit:
    """A unit as its file names it, graded or not: what last year's units are checked against."""

    file: str
    level: str
    code: str
    name: str
    parent: str
    """The code of the unit above it (``township_code`` / ``county_code``), "" for the county."""
    township: str
    county: str
    """The names of its township and county as its file writes them."""


@dataclass(frozen=True, slots=True)
class TreeResult:
    """Everything ``grade-tree`` found: three levels, files that failed, consistency problems."""

    root: str
    county: UnitResult | None
    county_file: str
    county_code: str
    townships: tuple[TownshipNode, ...]
    unlinked: tuple[Unlinked, ...]
    failures: tuple[FileFailure, ...]
    failed_levels: tuple[str, ...]
    problems: tuple[Problem, ...]
    previous_file: str
    levels: Mapping[str, BatchSummary]
    seen: tuple[SeenUnit, ...] = ()
    """Every file's unit that names a code, in path order (invalid and left-out ones too)."""
    """The villages and the townships each ranked with their quotas applied (``village``,
    ``township``): in the order of ``townships`` and their ``villages``."""
    store: ResultStore | None = None
    """The villages' full results (closed by ``close``)."""

    def full(self, result: UnitResult | TreeVillage) -> UnitResult:
        """A graded unit's full result: a village's is read back from the tree's spool."""
        if isinstance(result, UnitResult):
            return result
        if self.store is None or self.store.holds != "results" or result.record < 0:
            raise RuntimeError("grade_tree(keep_results=False): full results were not kept")
        return self.store.result(result.record)

    def line(self, result: UnitResult | TreeVillage) -> bytes | None:
        """A village's line pre-rendered where it was graded (``grade_tree(render=…)``), if any."""
        if isinstance(result, UnitResult) or self.store is None or self.store.holds != "lines":
            return None
        return self.store.line(result.record)

    def village_results(self) -> Iterator[UnitResult]:
        """The linked villages' full results, township by township, each ranked best first."""
        for node in self.townships:
            for village in node.villages:
                yield self.full(village)

    def close(self) -> None:
        """Delete the spooled results (``full`` can then read only townships and the county)."""
        if self.store is not None:
            self.store.close()

    def __enter__(self) -> TreeResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Consistency problems that are errors (warnings excluded)."""
        return tuple(p for p in self.problems if p.severity == "error")
