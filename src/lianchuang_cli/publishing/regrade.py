"""Grade an evidence folder the way a pack records it, into the pack's result files.

``publish`` and ``verify`` both come here, so a pack re-derives through exactly the code that
made it. Files are graded by their path relative to the evidence folder (the process works in
that folder meanwhile), so results name ``村/桃源村.yaml`` wherever the folder lives, and every
output is free of time and machine: the workbook's creation time is fixed, nothing else records
one.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path, PurePath
from typing import IO, TYPE_CHECKING, Any, Literal

from lianchuang_cli.batching.discovery import find_evidence
from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.pipeline import read_evidence
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.evidence import requested_rubric
from lianchuang_cli.model.rubric import shipped_rubrics_dir
from lianchuang_cli.reports.batch_report import RankedResult, Report, ReportOptions
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from lianchuang_cli.tree.grade import tree_files
from lianchuang_cli.tree.previous import (
    PreviousFigures,
    check_against,
    load_previous,
    top_township_rating,
)

if TYPE_CHECKING:
    from lianchuang_cli.scoring.summary import BatchSummary
    from lianchuang_cli.tree.tree_result import TreeResult

Mode = Literal["tree", "batch"]
RESULTS_JSON = "results/results.json"
REPORT_HTML = "results/report.html"
BATCH_XLSX = "results/summary.xlsx"
LEVEL_XLSX = {
    "township": "results/summary-township.xlsx",
    "village": "results/summary-village.xlsx",
}
WORKBOOK_CREATED = datetime(2000, 1, 1, tzinfo=UTC)
"""The creation time recorded in a pack's workbooks: fixed, so that they re-derive byte for byte."""


@dataclass(frozen=True, slots=True)
class Request:
    """What to grade and with which result-changing options."""

    folder: Path
    mode: Mode
    quotas: Mapping[str, Decimal] = field(default_factory=dict)
    rubric: Path | None = None
    """``--rubric`` (a batch): the one rubric every file is graded with."""
    rubrics: Mapping[str, Path] = field(default_factory=dict)
    """Rubric id → file, in place of the shipped rubrics (a pack's copies, when verifying)."""
    previous: Path | None = None
    previous_name: str = ""
    """How results cite the previous-year file (its place in the pack)."""
    jobs: int = 1
    cache_dir: Path | None = None
    """``--cache`` (publish): parsed evidence and graded results kept between runs; the results
    are byte-identical to a fresh grading (``grading_cache``)."""
    loader: RubricLoader = PLAIN
    """How rubrics are loaded (the command line's, with its rubric cache)."""


@dataclass(frozen=True, slots=True)
class UsedRubric:
    """A rubric the results were graded with, and the file it was read from."""

    id: str
    version: str
    sha256: str
    path: Path


@dataclass(frozen=True, slots=True)
class Regraded:
    """The pack's result files (name → bytes), each graded unit, the rubrics used."""

    outputs: dict[str, bytes]
    units: tuple[RankedResult, ...]
    invalid: tuple[FileFailure, ...]
    rubrics: tuple[UsedRubric, ...]


def evidence_files(folder: Path, mode: Mode | None = None) -> list[str]:
    """Every evidence file under ``folder`` (sub-folders included), relative, with ``/``: the
    files ``grade-tree`` reads for a tree, ``batch --recursive`` finds otherwise."""
    if mode == "tree":
        paths: Sequence[str | Path] = tree_files(folder)
    else:
        paths = find_evidence([folder], recursive=True).files
    return sorted((PurePath(p).relative_to(folder).as_posix() for p in paths), key=_path_order)


def _path_order(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def detect_mode(
    folder: Path, files: Sequence[str], rubric: Path | None = None, loader: RubricLoader = PLAIN
) -> Mode:
    """``tree`` when a file asks for a county-level rubric (shipped, or ``rubric``), else ``batch``.

    Files nearest the top are looked at first (a county file usually sits there), and a YAML
    file is parsed only when its text might ask for a county rubric (``_may_ask_for``).
    """
    levels = _shipped_levels(loader)
    if rubric is not None:  # given with --rubric: its id names the rubric of its level
        loaded = loader.load(rubric).rubric
        levels[loaded.id] = loaded.level
    county = {name for name, level in levels.items() if level == "county"}
    for name in sorted(files, key=lambda f: (f.count("/"), _path_order(f))):
        path = folder / name
        if not _may_ask_for(path, county, levels):
            continue
        try:
            requested, _ = requested_rubric(read_evidence(path))
        except InputError:
            continue
        if requested in county:
            return "tree"
    return "batch"


_REQUEST = re.compile(rb"""(?m)^[ \t]*["']?rubric["']?[ \t]*:[ \t]*([^\s#,}]*)""")
_QUOTES = b"\"'"


def _may_ask_for(path: Path, county: set[str], levels: dict[str, str]) -> bool:
    """False only when the file's text plainly asks for other rubrics than ``county``: it has
    ``rubric:`` lines and each names a shipped rubric of another level. Workbooks, UTF-16, flow
    mappings, anchors, block scalars and anything else unusual are read in full."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return True
    try:
        raw = path.read_bytes()
    except OSError:
        return False  # unreadable: it asks for nothing
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    tokens = [m.group(1).strip(_QUOTES).decode("utf-8", "replace") for m in _REQUEST.finditer(raw)]
    return not tokens or any(token in county or token not in levels for token in tokens)


def _shipped_levels(loader: RubricLoader) -> dict[str, str]:
    """Shipped rubric id → its level (a rubric that does not load has none)."""
    levels: dict[str, str] = {}
    for path in sorted(shipped_rubrics_dir().glob("*.yaml")):
        try:
            levels[path.stem] = loader.load(path).rubric.level
        except InputError:
            continue
    return levels


RenderAll = Callable[[bytes], bool]
"""Given the results JSON, whether to render the other result files too (HTML, workbooks)."""


def regrade(
    request: Request, files: Sequence[str], *, render_all: RenderAll | None = None
) -> Regraded:
    """Grade ``files`` (relative to the folder) as ``request.mode`` says, into the result files:
    all of them, or the JSON alone when ``render_all`` says the others are not needed."""
    previous: PreviousFigures = {}
    previous_year = None
    if request.previous is not None:
        top = top_township_rating(request.rubrics.get("township"), loader=request.loader)
        previous, previous_year = load_previous(
            request.previous, name=request.previous_name, top_rating=top
        )
    # Paths relative to the folder: results are the same wherever the folder is.
    with contextlib.chdir(request.folder):
        if request.mode == "tree":
            return _tree(request, previous, previous_year, render_all)
        return _batch(request, files, render_all)


def _batch(request: Request, files: Sequence[str], render_all: RenderAll | None) -> Regraded:
    from lianchuang_cli.batching.engine import grade_batch
    from lianchuang_cli.reports.json_report import prerender, write_json

    rubric_path = request.rubric
    if rubric_path is None and len(request.rubrics) == 1:
        rubric_path = next(iter(request.rubrics.values()))
    with grade_batch(
        list(files),
        rubric_path=rubric_path,
        jobs=request.jobs,
        quotas=request.quotas,
        rubric_quotas=True,
        render=prerender,
        keep_results=True,
        cache_dir=request.cache_dir,
        loader=request.loader,
    ) as graded:
        report = graded.report(ReportOptions(created=WORKBOOK_CREATED))
        outputs = {RESULTS_JSON: _text(write_json, report)}
        if render_all is None or render_all(outputs[RESULTS_JSON]):
            outputs[REPORT_HTML] = _text(_html, report)
            outputs[BATCH_XLSX] = _workbook(report)
        units = tuple(graded.results())
        invalid = tuple(graded.invalid)
        rubric = graded.summary.rubric
    used: tuple[UsedRubric, ...] = ()
    if rubric is not None:
        path = rubric_path or shipped_rubrics_dir() / f"{rubric.id}.yaml"
        used = (UsedRubric(rubric.id, rubric.version, rubric.sha256, path.absolute()),)
    return Regraded(outputs, units, invalid, used)


def _tree(
    request: Request,
    previous: PreviousFigures,
    previous_year: int | None,
    render_all: RenderAll | None,
) -> Regraded:
    from lianchuang_cli.tree.grade import grade_tree

    rubrics = dict(request.rubrics)
    if request.rubric is not None:  # --rubric: the rubric of its id, the shipped ones for the rest
        rubrics[request.loader.load(request.rubric).rubric.id] = request.rubric
    with grade_tree(
        Path("."),
        previous=previous,
        previous_file=request.previous_name,
        previous_year=previous_year,
        rubrics=rubrics,
        quotas=request.quotas,
        jobs=request.jobs,
        cache_dir=request.cache_dir,
        loader=request.loader,
    ) as tree:
        if request.previous is not None:
            top = top_township_rating(rubrics.get("township"), loader=request.loader)
            tree = check_against(tree, request.previous, name=request.previous_name, top_rating=top)
        return _tree_outputs(tree, rubrics, render_all)


def _tree_outputs(
    tree: TreeResult, rubrics: Mapping[str, Path], render_all: RenderAll | None
) -> Regraded:
    from lianchuang_cli.reports.html_report import render_tree_html
    from lianchuang_cli.reports.tree_json import render_tree_json

    outputs = {RESULTS_JSON: render_tree_json(tree).encode("utf-8")}
    everything = render_all is None or render_all(outputs[RESULTS_JSON])
    if everything:
        outputs[REPORT_HTML] = render_tree_html(tree).encode("utf-8")
    county = [tree.county] if tree.county is not None else []
    levels = {
        "township": [n.result for n in tree.townships if n.result is not None],
        "village": list(tree.village_results()),
    }
    units: list[RankedResult] = []
    for level, results in {"county": county, **levels}.items():
        failed = [f for f, lv in zip(tree.failures, tree.failed_levels, strict=True) if lv == level]
        report = _level_report(results, failed, tree.levels.get(level))
        if level in LEVEL_XLSX and everything:
            outputs[LEVEL_XLSX[level]] = _workbook(report)
        units.extend(report.results())
    for item in tree.unlinked:
        units.extend(_level_report([tree.full(item.result)], []).results())
    used: dict[tuple[str, str], UsedRubric] = {}
    for ranked in units:
        result = ranked.result
        path = rubrics.get(result.rubric_id) or (shipped_rubrics_dir() / f"{result.rubric_id}.yaml")
        used.setdefault(
            (result.rubric_id, result.rubric_sha256),
            UsedRubric(
                result.rubric_id, result.rubric_version, result.rubric_sha256, path.absolute()
            ),
        )
    return Regraded(outputs, tuple(units), tree.failures, tuple(sorted(used.values(), key=_by_id)))


def _by_id(rubric: UsedRubric) -> tuple[str, str]:
    return rubric.id, rubric.sha256


def _level_report(
    results: Sequence[UnitResult], failed: Sequence[FileFailure], placed: BatchSummary | None = None
) -> Report:
    """One level of a tree as a batch report for its workbook: ``placed`` (the tree's ranking of
    the level, quotas applied), or ranked alone as ``batch`` ranks (the county, a unit left out)."""
    from lianchuang_cli.scoring.summary import SummaryBuilder

    summary = placed
    if summary is None:
        builder = SummaryBuilder()
        for index, result in enumerate(results):
            builder.add(index, result)
        summary = builder.finish(
            files=len(results) + len(failed), invalid=len(failed), skipped=0, quotas={}
        )

    def ranked() -> Iterator[RankedResult]:
        for index, result in enumerate(results):
            yield RankedResult(result, summary.placements[index])

    return Report(summary, ranked, list(failed), ReportOptions(created=WORKBOOK_CREATED))


def _html(report: Report, stream: IO[str]) -> None:
    from lianchuang_cli.reports.html_report import write_html

    write_html(report, stream)


def _text(writer: Callable[[Report, IO[Any]], None], report: Report) -> bytes:
    stream = io.StringIO(newline="")
    writer(report, stream)
    return stream.getvalue().encode("utf-8", "surrogateescape")


def _workbook(report: Report) -> bytes:
    from lianchuang_cli.reports.xlsx_report import write_xlsx

    stream = io.BytesIO()
    write_xlsx(report, stream)
    return stream.getvalue()
