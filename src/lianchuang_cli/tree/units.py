"""The files of a county tree read where the batch engine grades them (this process, or a worker
of ``--jobs N``): each file's unit header, and each village graded there and then.

A village is the bulk of a tree and needs nothing from the other files to be graded, so it is
graded as it is read; what the tree keeps of it in memory is a ``TreeVillage`` (ranking, the
linked figures one level up and the rankings' rows need no more) and its village profile, while
its full result goes to the tree's spool for the reports that show every indicator. Townships and
the county need their villages' figures: they are read again, and graded, once the villages are.
"""

from __future__ import annotations

import pickle
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from msgspec import Struct, field
from msgspec.structs import asdict, replace

from lianchuang_cli.batching.engine import open_cache
from lianchuang_cli.batching.spool import Record, Shared, Spool, spooled
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.forms.xlsx_layout import is_workbook
from lianchuang_cli.grading.pipeline import GradingPlan, grade, plan_for, read_evidence, rubric_for
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.evidence import requested_rubric, village_profile
from lianchuang_cli.model.evidence_data import Evidence
from lianchuang_cli.model.profile import VillageProfile
from lianchuang_cli.model.rubric import LoadedRubric
from lianchuang_cli.reading.document import Document
from lianchuang_cli.reports.json_line import Render
from lianchuang_cli.scoring.linked import LowerUnit
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import FileFailure, Provenance, UnitResult
from lianchuang_cli.scoring.tally import losses
from lianchuang_cli.tree.tree_result import TreeVillage

if TYPE_CHECKING:
    from lianchuang_cli.caching.grading_cache import EvidenceCache

PARENT_KEY = {"village": "township_code", "township": "county_code"}


class TreeUnit(Struct):
    """One file of the tree: what could be read of its unit, and its grading so far (a
    msgspec Struct: a worker of ``--jobs N`` sends each one to the parent, pickled natively).

    ``doc``, ``plan`` and ``evidence`` are kept only for a township or county file read in this
    process; a village graded where it was read comes with ``result`` (its ``TreeVillage``
    facts), its ``profile`` and its full result as a spool ``record``.
    """

    name: str
    level: str | None = None
    readable: bool = False  # a document could be read (else its failure says why)
    code: str = ""
    label: str = ""  # the unit's name as its file gives it (its code when none)
    township: str = ""  # its township's and county's names as its file gives them
    county: str = ""
    parent: str = ""
    year: int | None = None
    rubric_id: str = ""  # the rubric it passed validation against
    failure: FileFailure | None = None
    result: UnitResult | TreeVillage | None = None
    profile: VillageProfile | None = None
    record: Record = None
    doc: Document | None = None
    plan: GradingPlan | None = None
    evidence: Evidence | None = None
    linked_to: TreeUnit | None = None
    left_out: str = ""
    placement: Placement | None = None  # its place among its level's units, after quotas
    children: list[TreeUnit] = field(default_factory=list)

    def at(self, key: str, message: str, code: str) -> Problem:
        """A consistency problem (``code``) located at ``unit.<key>`` in this file (read again
        when it was read in a worker process: only files with a problem are)."""
        if not self.readable:
            return Problem(self.name, 1, 1, message, code=code)
        doc = self.doc
        if doc is None:
            try:
                doc = read_evidence(self.name)
            except InputError:  # changed since: say where the file is, at least
                return Problem(self.name, 1, 1, message, code=code)
        data = doc.data
        header = data.get("unit") if isinstance(data, dict) else None
        where = ["unit", key] if isinstance(header, dict) and key in header else ["unit"]
        return replace(doc.problem(where, message), code=code)


def read_file(
    path: str | Path,
    rubrics: Mapping[str, Path],
    cache: EvidenceCache | None = None,
    loader: RubricLoader = PLAIN,
) -> TreeUnit:
    """Read one file and what it says about its unit, even when it is invalid; validate it
    against its rubric (a linked indicator may be left to the figures from below)."""
    unit, loaded = _read_header(path, rubrics, cache, loader)
    if loaded is not None:
        _validate(unit, loaded)
    return unit


def _read_header(
    path: str | Path, rubrics: Mapping[str, Path], cache: EvidenceCache | None, loader: RubricLoader
) -> tuple[TreeUnit, LoadedRubric | None]:
    """The file read, what it says about its unit, and the rubric it asks for (None when that
    cannot be loaded: the unit's failure says why)."""
    unit = TreeUnit(str(path))
    doc: Document | None = None
    try:
        doc = read_evidence(path, cache=cache)
        unit.readable = True
        rubric_path = rubrics.get(requested_rubric(doc)[0])
        loaded = rubric_for(doc, rubric_path=rubric_path, loader=loader)
    except InputError as exc:
        unit.failure = FileFailure(str(path), tuple(exc.problems))
        if doc is None:
            return unit, None
        loaded = None
    unit.doc = doc
    data = doc.data
    header = data.get("unit") if isinstance(data, dict) else None
    if loaded is not None:
        unit.level = loaded.rubric.level
    elif isinstance(data, dict) and data.get("rubric") in PARENT_KEY.keys() | {"county"}:
        unit.level = data["rubric"]
    if isinstance(header, dict):
        unit.code = _text(header.get("code"))
        unit.label = _text(header.get("name")) or unit.code
        unit.township, unit.county = _text(header.get("township")), _text(header.get("county"))
        unit.parent = _text(header.get(PARENT_KEY.get(unit.level or "", ""), ""))
        year = header.get("year")
        unit.year = year if isinstance(year, int) and not isinstance(year, bool) else None
    return unit, loaded


def _validate(unit: TreeUnit, loaded: LoadedRubric) -> None:
    """Validate the unit's document against ``loaded``: its evidence, or its failure."""
    assert unit.doc is not None
    plan = plan_for(loaded)
    try:
        unit.evidence = plan.check(unit.doc, tree=True)
        unit.plan = plan
        unit.rubric_id = loaded.rubric.id
        unit.profile = unit.evidence.profile
    except InputError as exc:
        unit.failure = FileFailure(unit.name, tuple(exc.problems))


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip()


def village_facts(result: UnitResult) -> TreeVillage:
    """What the tree keeps in memory of a graded village (``record``: set where it is spooled)."""
    return TreeVillage(
        file=result.file,
        unit_name=result.unit_name,
        unit_code=result.unit_code,
        township=result.township,
        county=result.county,
        rubric_id=result.rubric_id,
        rubric_title=result.rubric_title,
        rubric_version=result.rubric_version,
        rubric_sha256=result.rubric_sha256,
        criteria=result.criteria,
        score=result.score,
        base_score=result.base_score,
        rating=result.rating,
        ratings=result.ratings,
        vetoed=result.vetoed,
        veto_reasons=result.veto_reasons,
        rating_reason=result.rating_reason,
        gap_count=len(result.gaps),
        losses=tuple(losses(result)),
    )


def grade_unit(
    unit: TreeUnit,
    linked: Mapping[str, tuple[Any, Provenance]],
    below: Mapping[str, Sequence[LowerUnit]] | None = None,
) -> UnitResult | None:
    """Grade a validated unit with its linked figures (``grading.grade``); a linked indicator
    neither computed nor declared is the unit's failure."""
    if unit.plan is None or unit.evidence is None or unit.doc is None:
        return None
    missing = [
        i
        for _, i in unit.plan.loaded.rubric.indicators()
        if i.id not in unit.evidence.values and i.id not in linked
    ]
    if missing:
        names = "、".join(f"{i.name}（{i.id}）" for i in missing)
        message = f"以下联创指标无法核算，也未填写申报值：{names}"
        unit.failure = FileFailure(unit.name, (unit.at("code", message, "tree-linked-missing"),))
        return None
    result: UnitResult = grade(
        unit.doc, unit.plan, evidence=unit.evidence, linked=linked, below=below
    )
    unit.result = result
    return result


@dataclass(frozen=True, slots=True)
class _ReadAgain:
    """What ``tree.facts`` asks of a village graded in a worker: its profile, and its document
    (read again, only to locate a problem found there)."""

    name: str
    profile: VillageProfile | None

    @property
    def doc(self) -> Document:
        return read_evidence(self.name)


def village_evidence(unit: TreeUnit) -> Evidence:
    """A graded village's validated evidence as ``tree.facts`` reads it: its own, or for a
    village graded in a worker its profile and a document read again where a fact is located."""
    if unit.evidence is not None:
        return unit.evidence
    # Duck-typed on purpose: keeping every village's evidence would hold the whole tree in memory.
    return cast(Evidence, _ReadAgain(unit.name, unit.profile))


def read_village(
    path: str,
    rubrics: Mapping[str, Path],
    cache: EvidenceCache | None,
    keep: bool,
    loader: RubricLoader,
    render: Render | None = None,
    part: Callable[[UnitResult], bytes] | None = None,
) -> TreeUnit:
    """``read_file``, and a village graded at once: its facts, profile and pickled result
    (``keep``), or else its ``part`` of the report or its ``render`` line, in place of its
    document. Other levels are left for ``read_file`` later. With a ``cache``, a village is
    graded as ``batch --cache`` grades it (``EvidenceCache.grade_rendered``: a stored result
    verified and re-rated, else graded and stored)."""
    unit, loaded = _read_header(path, rubrics, cache, loader)
    if loaded is not None and not _from_cache(unit, loaded, rubrics, cache, keep, render, part):
        _validate(unit, loaded)
    if unit.level == "village" and unit.result is None:
        result = grade_unit(unit, {})
        if result is not None:
            unit.result = village_facts(result)
            unit.record = _kept(result, keep, part)
            if unit.record is None and render is not None:
                unit.record = render(result).text
    unit.doc = unit.plan = unit.evidence = None
    return unit


def _kept(result: UnitResult, keep: bool, part: Callable[[UnitResult], bytes] | None) -> Record:
    """What the tree keeps of a village's full result: all of it pickled (``keep``), or its
    ``part`` of the report; None for neither."""
    if keep:
        return pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return None if part is None else part(result)


def _from_cache(
    unit: TreeUnit,
    loaded: LoadedRubric,
    rubrics: Mapping[str, Path],
    cache: EvidenceCache | None,
    keep: bool,
    render: Render | None,
    part: Callable[[UnitResult], bytes] | None,
) -> bool:
    """A YAML village graded through the evidence cache: its facts, profile and record set; False
    (nothing set) for anything else, and for a file that fails, which is then validated as the
    tree validates (its failure is the tree's, and failures are never stored)."""
    if cache is None or loaded.rubric.level != "village" or unit.doc is None:
        return False
    if plan_for(loaded).linked or is_workbook(unit.name):
        return False
    rubric_path = rubrics.get(loaded.rubric.id)
    whole = keep or part is not None  # the record is made from the full result
    outcome, line = cache.grade_rendered(
        unit.name, rubric_path=rubric_path, render=None if whole else render, facts=not whole
    )
    if isinstance(outcome, FileFailure):
        return False
    unit.rubric_id = loaded.rubric.id
    unit.profile = village_profile(unit.doc)
    if isinstance(outcome, UnitResult):
        unit.result = village_facts(outcome)
        unit.record = _kept(outcome, keep, part)
    else:  # facts, served with their line without decoding the result
        unit.result = TreeVillage(**asdict(outcome))
    if not whole and render is not None:
        unit.record = line
    return True


@dataclass(frozen=True, slots=True)
class TreeWork:
    """The engine's work for a tree: ``read_village`` each file (``engine.graded_chunks``)."""

    rubrics: tuple[tuple[str, Path], ...]
    cache_dir: Path | None
    keep_results: bool
    loader: RubricLoader
    render: Render | None = None
    part: Callable[[UnitResult], bytes] | None = None

    def grader(self, shared: Shared) -> Callable[[list[str]], list[TreeUnit]]:
        """Reads one chunk of files; full results go into the shared spool when there is one."""
        rubrics = dict(self.rubrics)
        loader = self.loader
        cache = open_cache(self.cache_dir, loader)

        def grade_chunk(paths: list[str]) -> list[TreeUnit]:
            keep, render, part = self.keep_results, self.render, self.part
            if cache is not None:  # as a batch: the chunk's stored results in one statement
                cache.read_ahead(paths)
            units = [
                read_village(path, rubrics, cache, keep, loader, render, part) for path in paths
            ]
            graded = [unit for unit in units if isinstance(unit.record, bytes)]
            blobs = [unit.record for unit in graded if isinstance(unit.record, bytes)]
            places = spooled(shared, "results", blobs)
            for unit, place in zip(graded, places, strict=True):
                unit.record = place
            return units

        return grade_chunk


def numbered(village: TreeVillage, record: int) -> TreeVillage:
    """``village`` with its place in the tree's spool."""
    return replace(village, record=record)


class SpooledResults:
    """The full results (or pre-rendered lines) of a tree's villages, in a temporary file until
    closed (``ResultStore``)."""

    def __init__(self, holds: str = "results") -> None:
        self.holds = holds
        self.spool = Spool("lianchuang-tree-")
        # Closed with the tree, or when it is dropped unclosed (a test, a caller's early return).
        self._close = weakref.finalize(self, self.spool.close)

    def result(self, record: int) -> UnitResult:
        """The full result spooled as ``record``."""
        loaded = pickle.loads(self.spool[record])
        assert isinstance(loaded, UnitResult)
        return loaded

    def line(self, record: int) -> bytes:
        """The pre-rendered line spooled as ``record``."""
        return self.spool[record]

    def close(self) -> None:
        """Delete the spool."""
        self._close()
