"""Results of grading a county tree: each level's graded units, how they link, what went wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from lianchuang_cli.errors import Problem
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, Placement


@dataclass(frozen=True, slots=True)
class TownshipNode:
    """A township with its villages, ranked best first, and their ratings counted."""

    code: str
    file: str
    result: UnitResult | None
    villages: tuple[UnitResult, ...]
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

    result: UnitResult
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

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Consistency problems that are errors (warnings excluded)."""
        return tuple(p for p in self.problems if p.severity == "error")
