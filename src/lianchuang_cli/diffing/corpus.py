"""Grade a corpus of evidence files under two rubric versions and say what the edit does to them.

Each file is graded under both versions regardless of the version it names (the point is to see
what a new version would do to this year's files). Files for a different rubric are skipped; a
file that cannot be graded under one version is listed with the first reason.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from lianchuang_cli.batching.discovery import YAML_SUFFIXES, evidence_paths
from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.pipeline import grade, plan_for
from lianchuang_cli.model.evidence import requested_rubric
from lianchuang_cli.model.rubric import LoadedRubric
from lianchuang_cli.reading.yaml_reader import SourceDocument, read_yaml
from lianchuang_cli.scoring.results import UnitResult

ZERO = Decimal(0)
ADJUSTMENTS = "加扣分"
SCALING = "缺项折算"
FLOOR = "最低分"
ROUNDING = "四舍五入"
"""What moves a total besides its indicators and adjustments, named by what applied to the unit."""
"""Pseudo-indicators for the parts of a score change that no indicator explains."""


@dataclass(frozen=True, slots=True)
class Driver:
    """How much one indicator's change moved one unit's total."""

    key: str
    name: str
    delta: Decimal


@dataclass(frozen=True, slots=True)
class UnitChange:
    """One unit graded under both versions."""

    file: str
    unit_name: str
    old_score: Decimal
    new_score: Decimal
    old_rating: str
    new_rating: str
    drivers: tuple[Driver, ...]

    @property
    def delta(self) -> Decimal:
        """New score minus old score."""
        return self.new_score - self.old_score


@dataclass(frozen=True, slots=True)
class DriverTotal:
    """One indicator's effect across the corpus."""

    key: str
    name: str
    units: int
    total: Decimal
    rating_changes: int


@dataclass(frozen=True, slots=True)
class Ungradable:
    """A file that one version cannot grade, with the first reason."""

    file: str
    version: str
    reason: str


@dataclass(frozen=True, slots=True)
class CorpusDiff:
    """The effect of the edit on a corpus."""

    ratings: tuple[str, ...]
    transitions: tuple[tuple[str, str, int], ...]
    units: tuple[UnitChange, ...]
    drivers: tuple[DriverTotal, ...]
    ungradable: tuple[Ungradable, ...]
    skipped: int

    @property
    def changed_rating(self) -> int:
        """How many units change rating."""
        return sum(count for old, new, count in self.transitions if old != new)


def corpus_files(folders: Sequence[Path]) -> list[Path]:
    """Every evidence file (``*.yaml``/``*.yml``) under the folders, in a stable order."""
    return evidence_paths(folders, suffixes=YAML_SUFFIXES)


def grade_under(doc: SourceDocument, loaded: LoadedRubric) -> UnitResult:
    """Grade one file under ``loaded``, whatever rubric version and year the file names.

    A new version is usually written for next year while the corpus is this year's files: the
    rubric's year is taken as the file's, so that only what the rubric scores is compared.
    """
    unit = doc.data.get("unit") if isinstance(doc.data, dict) else None
    year = unit.get("year") if isinstance(unit, dict) else None
    if isinstance(year, int) and not isinstance(year, bool) and year != loaded.rubric.year:
        loaded = _for_year(loaded, year)
    return grade(doc, plan_for(loaded))


def _for_year(loaded: LoadedRubric, year: int) -> LoadedRubric:
    rubric = loaded.rubric.model_copy(update={"year": year})
    return LoadedRubric(rubric, loaded.path, loaded.sha256)


def diff_corpus(old: LoadedRubric, new: LoadedRubric, files: Iterable[Path]) -> CorpusDiff:
    """Grade every file under both versions and compare."""
    units: list[UnitChange] = []
    ungradable: list[Ungradable] = []
    skipped = 0
    wanted = {old.rubric.id, new.rubric.id}
    for path in files:
        try:
            doc = read_yaml(path)
            name, _ = requested_rubric(doc)
        except InputError as exc:
            ungradable.append(Ungradable(str(path), "", _reason(exc)))
            continue
        if name not in wanted:
            skipped += 1
            continue
        results: list[UnitResult] = []
        failed: dict[str, str] = {}
        for label, loaded in (("旧版", old), ("新版", new)):
            try:
                results.append(grade_under(doc, loaded))
            except InputError as exc:
                failed[label] = _reason(exc)
        if len(results) == 2:
            units.append(_unit_change(str(path), *results))
        elif len(set(failed.values())) == 1 and len(failed) == 2:
            ungradable.append(Ungradable(str(path), "", failed["旧版"]))
        else:
            ungradable.extend(Ungradable(str(path), k, v) for k, v in failed.items())
    ratings = tuple(
        dict.fromkeys(
            (*(b.name for b in old.rubric.ratings), *(b.name for b in new.rubric.ratings))
        )
    )
    counts = Counter((u.old_rating, u.new_rating) for u in units)
    transitions = tuple((a, b, counts[(a, b)]) for a in ratings for b in ratings if counts[(a, b)])
    units.sort(key=lambda u: (-abs(u.delta), u.file))
    return CorpusDiff(
        ratings, transitions, tuple(units), _driver_totals(units), tuple(ungradable), skipped
    )


def _reason(exc: InputError) -> str:
    first = exc.problems[0]
    more = f"（共{len(exc.problems)}处问题）" if len(exc.problems) > 1 else ""
    return f"第{first.line}行第{first.column}列：{first.message}{more}"


def _unit_change(file: str, old: UnitResult, new: UnitResult) -> UnitChange:
    before = {r.id: r for r in old.indicators}
    after = {r.id: r for r in new.indicators}
    drivers: list[Driver] = []
    explained = ZERO
    for key in dict.fromkeys((*before, *after)):
        was, now = before.get(key), after.get(key)
        delta = ((now.score or ZERO) if now else ZERO) - ((was.score or ZERO) if was else ZERO)
        if delta:
            name = (now or was).name  # type: ignore[union-attr]
            drivers.append(Driver(key, name, delta))
            explained += delta
    adjustments = (new.bonus - new.penalty) - (old.bonus - old.penalty)
    if adjustments:
        drivers.append(Driver(ADJUSTMENTS, ADJUSTMENTS, adjustments))
        explained += adjustments
    rest = (new.score - old.score) - explained
    if rest:
        label = _rest_label(old, new)
        drivers.append(Driver(label, label, rest))
    drivers.sort(key=lambda d: (-abs(d.delta), d.key))
    return UnitChange(
        file, new.unit_name, old.score, new.score, old.rating, new.rating, tuple(drivers)
    )


def _rest_label(old: UnitResult, new: UnitResult) -> str:
    """What the part of a change no indicator or adjustment explains comes from."""
    applied = [
        label
        for label, did in (
            (SCALING, old.scaled or new.scaled),
            (FLOOR, old.floor_applied or new.floor_applied),
        )
        if did
    ]
    # Neither: the total is rounded once from exact fractions, the indicators one by one.
    return "与".join(applied) or ROUNDING


def _driver_totals(units: Sequence[UnitChange]) -> tuple[DriverTotal, ...]:
    totals: dict[str, list[Decimal]] = {}
    names: dict[str, str] = {}
    rating_changes: Counter[str] = Counter()
    for unit in units:
        for driver in unit.drivers:
            totals.setdefault(driver.key, []).append(driver.delta)
            names[driver.key] = driver.name
            if unit.old_rating != unit.new_rating:
                rating_changes[driver.key] += 1
    found = [
        DriverTotal(key, names[key], len(deltas), sum(deltas, ZERO), rating_changes[key])
        for key, deltas in totals.items()
    ]
    found.sort(key=lambda d: (-abs(d.total), d.key))
    return tuple(found)
