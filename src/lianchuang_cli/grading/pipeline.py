"""Grade evidence files: read, find the rubric, validate, score. Failures are recorded, not raised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from msgspec import Struct

from lianchuang_cli.errors import InputError
from lianchuang_cli.forms.xlsx_layout import is_workbook
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.evidence import check_evidence, did_you_mean, requested_rubric
from lianchuang_cli.model.evidence_data import Evidence
from lianchuang_cli.model.rubric import (
    Indicator,
    LoadedRubric,
    shipped_rubric_ids,
    shipped_rubrics_dir,
)
from lianchuang_cli.reading.document import Document
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.scoring.results import FileFailure, FileOutcome, Provenance, UnitResult
from lianchuang_cli.scoring.unit import score_unit

if TYPE_CHECKING:
    from lianchuang_cli.scoring.linked import LowerUnit


class EvidenceCache(Protocol):
    """What grading asks of a cache of evidence files (``caching.grading_cache.EvidenceCache``,
    which grades through this module: hence a protocol here, not an import of it)."""

    def read(self, path: str | Path) -> Document:
        """The file's document, as ``read_yaml`` would give it."""
        ...

    def grade(self, path: str | Path, *, rubric_path: Path | None = None) -> FileOutcome:
        """The file's outcome, as ``grade_file`` would give it (with the cache's loader)."""
        ...


class GradingPlan(Struct, frozen=True):
    """A rubric prepared for grading: loaded and checked once, with what grading asks of it."""

    loaded: LoadedRubric
    linked: tuple[Indicator, ...]
    """The indicators ``grade-tree`` computes from the level below (a file in a tree may leave
    them out; graded alone, it must declare them)."""

    def check(self, doc: Document, *, tree: bool = False) -> Evidence:
        """``doc`` validated against the rubric (``InputError`` when it is not)."""
        if not tree:
            return check_evidence(doc, self.loaded)
        return check_evidence(doc, self.loaded, supplied=[i.id for i in self.linked])


def plan_for(loaded: LoadedRubric) -> GradingPlan:
    """The grading plan of a loaded rubric."""
    linked = tuple(i for _, i in loaded.rubric.indicators() if i.linked is not None)
    return GradingPlan(loaded, linked)


def grade(
    doc: Document,
    plan: GradingPlan,
    *,
    evidence: Evidence | None = None,
    linked: Mapping[str, tuple[Any, Provenance]] | None = None,
    below: Mapping[str, Sequence[LowerUnit]] | None = None,
) -> UnitResult:
    """Validate ``doc`` (unless ``evidence`` is its validation already) and score it: the one
    grading step of ``score``, ``batch`` (``grade_file``) and ``grade-tree``. ``linked``: the
    linked indicators' figures from the level below, ``below``: the units there (grade-tree)."""
    if evidence is None:
        evidence = plan.check(doc, tree=linked is not None)
    return score_unit(plan.loaded, evidence, linked=linked, below=below)


def read_evidence(path: str | Path, *, cache: EvidenceCache | None = None) -> Document:
    """Read an evidence file in either form: a workbook (.xlsx) or YAML text (cached if given)."""
    if is_workbook(path):
        from lianchuang_cli.reading.xlsx_reader import read_workbook

        return read_workbook(path)
    return read_yaml(path) if cache is None else cache.read(path)


def load_evidence(
    path: str | Path,
    *,
    rubric_path: Path | None = None,
    cache: EvidenceCache | None = None,
    loader: RubricLoader = PLAIN,
) -> tuple[LoadedRubric, Evidence]:
    """Read an evidence file and its rubric and validate one against the other."""
    doc = read_evidence(path, cache=cache)
    loaded = rubric_for(doc, rubric_path=rubric_path, loader=loader)
    return loaded, check_evidence(doc, loaded)


def rubric_for(
    doc: Document, *, rubric_path: Path | None = None, loader: RubricLoader = PLAIN
) -> LoadedRubric:
    """The rubric an evidence document asks for (or the one given), checked against its request."""
    name, version = requested_rubric(doc)
    return rubric_named(doc, name, version, rubric_path=rubric_path, loader=loader)


def rubric_named(
    doc: Document,
    name: str,
    version: str | None,
    *,
    rubric_path: Path | None = None,
    loader: RubricLoader = PLAIN,
) -> LoadedRubric:
    """The rubric ``doc`` asks for by ``name`` and ``version`` (its ``requested_rubric``), or the
    one given, loaded by ``loader`` and checked against that request; problems are located in
    ``doc``."""
    if rubric_path is not None:
        loaded = loader.load(rubric_path)
        if loaded.rubric.id != name:
            message = (
                f"本文件要求考评细则“{name}”，但 --rubric 指定的细则 id 为“{loaded.rubric.id}”；"
                "请核对 rubric，或换用对应的细则文件"
            )
            raise InputError([doc.problem(["rubric"], message)])
    else:
        candidate = shipped_rubrics_dir() / f"{name}.yaml"
        if not name.isidentifier() or not candidate.is_file():
            shipped = shipped_rubric_ids()
            message = (
                f"找不到考评细则“{name}”{did_you_mean(name, shipped)}；"
                f"内置细则：{'、'.join(shipped) or '无'}，也可用 --rubric 指定细则文件"
            )
            raise InputError([doc.problem(["rubric"], message)])
        loaded = loader.load(candidate)
    if version is not None and version != loaded.rubric.version:
        message = (
            f"本文件要求细则版本“{version}”，但“{loaded.rubric.id}”细则的版本是"
            f"“{loaded.rubric.version}”；请用 --rubric 指定“{version}”版细则文件，"
            f"或把 rubric_version 改为“{loaded.rubric.version}”并按新版细则核对各项"
        )
        raise InputError([doc.problem(["rubric_version"], message)])
    return loaded


def grade_file(
    path: str | Path,
    *,
    rubric_path: Path | None = None,
    cache: EvidenceCache | None = None,
    loader: RubricLoader = PLAIN,
) -> FileOutcome:
    """Grade one file; any input problem becomes a ``FileFailure`` instead of an exception.
    Rubrics are loaded by ``loader`` (by the cache's own, with a ``cache``)."""
    if cache is not None:
        return cache.grade(path, rubric_path=rubric_path)
    try:
        doc = read_evidence(path)
        plan = plan_for(rubric_for(doc, rubric_path=rubric_path, loader=loader))
    except InputError as exc:
        return FileFailure(str(path), tuple(exc.problems))
    try:
        evidence = plan.check(doc)
    except InputError as exc:
        return checked_against(plan.loaded, FileFailure(str(path), tuple(exc.problems)))
    return grade(doc, plan, evidence=evidence)


def checked_against(loaded: LoadedRubric, failure: FileFailure) -> FileFailure:
    """``failure`` marked with the rubric the file failed (see ``FileFailure.rubric``)."""
    return FileFailure(failure.file, failure.problems, (loaded.rubric.id, loaded.rubric.level))
