"""The printable report (``--format html``): one self-contained page laid out for A4.

Each unit gets a 评分表 like the paper forms (考评项目 · 分值 · 评分标准 · 自评分 · 得分 · 说明) with
its gaps and next-rating advice; a batch gets the ranking, the rating distribution and the
criterion averages as inline SVG charts, and the 共性问题. The page is rendered by Jinja2 from the
templates shipped in ``reports/templates`` with autoescaping on; every sentence comes from the
result objects or ``reports.wording``, the same places the table report takes them from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from itertools import chain
from typing import IO, TYPE_CHECKING, Any, NamedTuple

import msgspec
from markupsafe import Markup
from msgspec import Struct

from lianchuang_cli import __version__
from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports import html_charts, tree_view, wording
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.rows import INVALID_HEADER, invalid_rows, ranking_header, ranking_row
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import IndicatorResult, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary

if TYPE_CHECKING:
    import jinja2

    from lianchuang_cli.tree.tree_result import TownshipNode, TreeResult, TreeVillage

COMMON_PROBLEMS_SHOWN = 15
LEVEL_TITLES = {"village": "村", "township": "乡镇", "county": "县"}


class SheetRow(Struct, frozen=True):
    """One indicator's row of the score sheet."""

    points: str
    name: str
    requirement: str
    self_score: str
    score: str
    remark: str
    lost: bool


class SheetGroup(Struct, frozen=True):
    """A criterion and its indicators' rows (the criterion cell spans them)."""

    title: str
    rows: tuple[SheetRow, ...]


class AdjustmentRow(Struct, frozen=True):
    """A bonus or penalty as the sheet lists it under its items."""

    label: str
    points: str
    remark: str


class UnitSheet(Struct, frozen=True):
    """Everything one unit's printed score sheet shows."""

    result: UnitResult
    level: str
    heading: str
    rubric_line: str
    score: str
    max_score: str
    over_maximum: str
    rating_class: str
    notes: tuple[str, ...]
    vetoes: tuple[str, ...]
    groups: tuple[SheetGroup, ...]
    adjustments: tuple[AdjustmentRow, ...]
    rating_reason: str
    next_rating: str
    not_proposed: tuple[str, ...]
    no_gaps: str


def _row(indicator: IndicatorResult) -> SheetRow:
    # The advice is not repeated here: the 差距与补齐建议 table under the form gives it once.
    return SheetRow(
        points=fmt(indicator.max_score),
        name=indicator.name,
        requirement=indicator.requirement,
        self_score="" if indicator.self_score is None else fmt(indicator.self_score),
        score=wording.self_score_shown(indicator.score),
        remark=indicator.explanation,
        lost=indicator.lost > 0,
    )


def unit_sheet(result: UnitResult) -> UnitSheet:
    """The view of one graded unit that the template lays out (``sheet_html``)."""
    groups = []
    for criterion in result.criteria:
        rows = tuple(_row(r) for r in result.indicators if r.criterion == criterion.id)
        title = (
            f"{criterion.name}（{fmt(criterion.points)}分，"
            f"得{fmt(criterion.score)}分，{wording.criterion_share(criterion)}）"
        )
        groups.append(SheetGroup(title, rows))
    return UnitSheet(
        result=result,
        level=LEVEL_TITLES.get(result.level, ""),
        heading=wording.unit_heading(result),
        rubric_line=wording.rubric_line(result),
        score=fmt(result.score),
        max_score=fmt(result.max_score),
        over_maximum=wording.over_maximum_note(result),
        rating_class=html_charts.rating_class(result.rating, result.ratings, result.vetoed),
        notes=tuple(wording.score_notes(result)),
        vetoes=(*wording.veto_notes(result), *wording.condition_notes(result)),
        groups=tuple(groups),
        adjustments=tuple(
            AdjustmentRow(
                wording.adjustment_label(a),
                wording.adjustment_points(a),
                "；".join(x for x in (f"{a.count}次", a.note) if x),
            )
            for a in result.adjustments
        ),
        rating_reason=wording.rating_reason_text(result),
        next_rating=wording.next_rating_text(result),
        not_proposed=tuple(wording.not_proposed_texts(result)),
        no_gaps=wording.NO_GAPS,
    )


@dataclass(frozen=True, slots=True)
class RankingRow:
    """A unit's printed ranking row; its veto or quota note goes on a full-width line below."""

    cells: list[str]
    numeric: list[bool]
    note: str


@dataclass(frozen=True, slots=True)
class InvalidFile:
    """A file that could not be graded: its name heads the rows of its problems."""

    file: str
    problems: list[list[str]]


@dataclass(frozen=True, slots=True)
class BatchView:
    """The batch summary as the template shows it."""

    summary: BatchSummary
    counts: str
    charts: tuple[html_charts.BarChart, ...]
    ranking_header: list[str]
    ranking: list[RankingRow]
    criterion_names: dict[str, str]
    common_problems: Sequence[Any]
    invalid_header: list[str]
    invalid: list[InvalidFile]
    rubric_name: str = ""


def _cell(value: Any) -> str:
    return fmt(value) if isinstance(value, Decimal) else str(value)


PRINT_LEFT_OUT = frozenset({"文件", "状态", "备注"})
"""Ranking columns the printed table leaves out: the path only widens it, 状态 repeats what the
rating and its note say, and the note gets a full-width line (a narrow column made rows tall)."""
PRINT_WHEN_DIFFERENT = frozenset({"乡镇", "县"})
"""Columns printed only when the units differ in them."""


def _printed_ranking(summary: BatchSummary) -> tuple[list[str], list[RankingRow]]:
    header = ranking_header(summary)
    raw = [ranking_row(r) for r in summary.ranking]
    rows = [[_cell(c) for c in row] for row in raw]
    column = {name: index for index, name in enumerate(header)}
    kept = []
    for index, name in enumerate(header):
        values = {row[index] for row in rows}
        if name in PRINT_LEFT_OUT or (name in PRINT_WHEN_DIFFERENT and len(values) <= 1):
            continue
        if name == "按得分等级" and all(row[index] == row[column["等级"]] for row in rows):
            continue  # no quota moved anyone: the column would repeat 等级
        kept.append(index)
    numeric = [any(isinstance(row[i], int | Decimal) for row in raw) for i in kept]
    note = column.get("备注")
    return (
        [header[i] for i in kept],
        [
            RankingRow([row[i] for i in kept], numeric, "" if note is None else row[note])
            for row in rows
        ],
    )


def _invalid_files(report: Report) -> list[InvalidFile]:
    files: dict[str, list[list[str]]] = {}
    for file, *rest in invalid_rows(report):
        files.setdefault(file, []).append(rest)
    return [InvalidFile(file, problems) for file, problems in files.items()]


def batch_view(report: Report) -> BatchView:
    """The view of a batch summary that the template lays out."""
    from lianchuang_cli.reports.wording import counts_line

    summary = report.summary
    charts: tuple[html_charts.BarChart, ...] = ()
    if summary.graded:
        charts = (
            html_charts.ranking_chart(summary),
            html_charts.rating_distribution(summary),
            html_charts.criterion_averages(summary),
        )
    header, ranking = _printed_ranking(summary)
    return BatchView(
        summary=summary,
        counts=counts_line(summary),
        charts=charts,
        ranking_header=header,
        ranking=ranking,
        criterion_names=dict(summary.rubric.criteria) if summary.rubric else {},
        common_problems=summary.common_problems[:COMMON_PROBLEMS_SHOWN],
        invalid_header=INVALID_HEADER[1:],
        invalid=_invalid_files(report),
        rubric_name=""
        if summary.rubric is None
        else wording.rubric_name(summary.rubric.id, summary.rubric.version, summary.rubric.sha256),
    )


@cache  # built once: the templates are part of the installed package
def _environment() -> jinja2.Environment:
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("lianchuang_cli.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["num"] = lambda value: "" if value is None else fmt(value)
    environment.filters["verified"] = wording.self_score_shown
    return environment


@cache  # as ``_environment``: the template is part of the installed package
def _sheet_macros() -> Any:
    """The macros of ``sheet.html.j2`` (a template module: its macros are its attributes)."""
    return _environment().get_template("sheet.html.j2").module


class SheetParts(NamedTuple):
    """A unit's score sheet laid out, but for the notes of its place after a tree's quotas,
    which go between ``head`` and ``tail`` (``sheet_html``)."""

    head: str
    tail: str


def sheet_parts(sheet: UnitSheet) -> SheetParts:
    """``sheet`` laid out by the template's ``sheet_head`` and ``sheet_tail`` macros."""
    macros = _sheet_macros()
    return SheetParts(str(macros.sheet_head(sheet)), str(macros.sheet_tail(sheet)))


def sheet_html(parts: SheetParts, placement: Placement | None = None) -> Markup:
    """A laid-out sheet, with the quota note of its ``placement`` in a tree's level, if any."""
    notes = wording.placement_notes(placement)
    if not notes:
        return Markup(parts.head + parts.tail)
    return Markup(parts.head + _sheet_macros().lines(notes) + parts.tail)


def prerender_sheet(result: UnitResult) -> bytes:
    """A village's sheet laid out where the village is graded (``grade_tree(part=…)``): its
    ``SheetParts`` as a spool record; the writer adds its place (``sheet_html``)."""
    return msgspec.msgpack.encode(sheet_parts(unit_sheet(result)))


def render_page(
    *,
    title: str,
    sheets: Iterable[UnitSheet] = (),
    batch: BatchView | None = None,
) -> str:
    """The whole HTML page: the batch summary (if any), then one sheet per unit."""
    laid_out = (sheet_html(sheet_parts(sheet)) for sheet in sheets)
    return "".join(page_pieces(title=title, sheets=laid_out, batch=batch))


def page_pieces(
    *,
    title: str,
    sheets: Iterable[str] = (),
    batch: BatchView | None = None,
    overview: TreeOverview | None = None,
    sections: Sequence[Any] = (),
) -> Iterator[str]:
    """``render_page`` in pieces as the template yields them (``sheets``: each laid out,
    ``sheet_html``, taken one at a time)."""
    template = _environment().get_template("report.html.j2")
    return template.generate(
        title=title,
        batch=batch,
        overview=overview,
        sheets=sheets,
        sections=sections,
        tool_version=__version__,
    )


def write_html(report: Report, stream: IO[str]) -> None:
    """``score``: each unit's sheet (and, for several, the summary first); ``batch``: the summary."""
    summary = report.summary
    several = summary.graded + summary.invalid > 1
    batch = batch_view(report) if several or not report.options.unit_panels else None
    sheets = (
        (unit_sheet(ranked.result) for ranked in report.results())
        if report.options.unit_panels
        else ()
    )
    rubric = summary.rubric
    title = f"{rubric.title}评分结果" if rubric is not None else "评分结果"
    if report.options.unit_panels and summary.graded == 1 and not several:
        only = next(iter(report.results())).result
        title = f"{only.unit_name} · {only.rubric_title}评分表"
    stream.write(render_page(title=title, sheets=sheets, batch=batch))


@dataclass(frozen=True, slots=True)
class TreeSection:
    """A township in the county report: its villages' rating counts and ranking, its linked figures."""

    title: str
    line: str
    chart: html_charts.BarChart | None
    villages: list[tree_view.VillageRow]
    left_out: str
    linked: list[tree_view.LinkedRow]


@dataclass(frozen=True, slots=True)
class TreeOverview:
    """The county at a glance: its total and rating, its linked figures, one row per township."""

    title: str
    line: str
    ratings: tuple[str, ...]
    townships: list[tree_view.TownshipRow]
    linked: list[tree_view.LinkedRow]
    quota_lines: list[str]
    previous_lines: list[str]


def _section(node: TownshipNode) -> TreeSection:
    name = tree_view.township_name(node)
    ratings = node.result.ratings if node.result else ()
    most = max((count for _, count in node.distribution), default=0)
    items = [
        (rating, Decimal(count), f"{count}个", html_charts.rating_class(rating, ratings))
        for rating, count in node.distribution
    ]
    chart = (
        html_charts.bar_chart(f"{name}：村等级分布", items, maximum=Decimal(most))
        if items
        else None
    )
    line = f"村{node.villages_found}个"
    if node.result is not None:
        rating = node.result.rating
        if node.placement is not None:
            rating = wording.quota_marked(node.placement, rating)
        line = f"乡镇总分{fmt(node.result.score)}，等级{rating}；" + line
    return TreeSection(
        title=name,
        line=line,
        chart=chart,
        villages=tree_view.village_rows(node),
        left_out=tree_view.villages_left_out(node),
        linked=tree_view.linked_rows(node.result) if node.result is not None else [],
    )


def render_tree_html(tree: TreeResult) -> str:
    """``grade-tree``: the county's overview, each township with its villages, then every sheet."""
    return "".join(tree_html_pieces(tree))


def tree_html_pieces(tree: TreeResult) -> Iterator[str]:
    """``render_tree_html`` in pieces, each village's sheet laid out as it is read back."""
    county = tree.county
    overview = TreeOverview(
        title=f"{county.unit_name}“三级联创”评分结果" if county else "“三级联创”评分结果",
        line=(
            f"县总分{fmt(county.score)}，等级{county.rating}；"
            f"乡镇{len(tree.townships)}个，村{sum(len(n.villages) for n in tree.townships)}个"
            if county
            else "文件夹中没有县级材料"
        ),
        ratings=tree_view.village_ratings(tree),
        townships=tree_view.township_rows(tree),
        linked=tree_view.linked_rows(county) if county is not None else [],
        quota_lines=tree_view.quota_lines(tree),
        previous_lines=tree_view.previous_lines(tree),
    )
    # Villages are read back one at a time, while the page is laid out (never all at once).
    own = chain(
        [(tree.county, None)] if tree.county is not None else [],
        ((n.result, n.placement) for n in tree.townships if n.result is not None),
    )
    villages = chain(
        (
            (village, placement)
            for n in tree.townships
            for village, placement in zip(n.villages, n.placements, strict=True)
        ),
        ((u.result, None) for u in tree.unlinked),
    )
    sheets = chain(
        (sheet_html(sheet_parts(unit_sheet(result)), placement) for result, placement in own),
        (sheet_html(_village_parts(tree, village), placement) for village, placement in villages),
    )
    return page_pieces(
        title=overview.title,
        sheets=sheets,
        overview=overview,
        sections=[_section(node) for node in tree.townships],
    )


def _village_parts(tree: TreeResult, village: UnitResult | TreeVillage) -> SheetParts:
    """A village's sheet: laid out where it was graded (``prerender_sheet``), or from its full
    result."""
    record = tree.line(village)
    if record is None:
        return sheet_parts(unit_sheet(tree.full(village)))
    return SheetParts(*msgspec.msgpack.decode(record, type=tuple[str, str]))
