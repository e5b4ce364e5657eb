"""The table report (rich): unit, total and rating, criteria, gaps, next rating, self-score."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO, TYPE_CHECKING

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.escaping import plain, plain_lines
from lianchuang_cli.reports.plain_layout import (
    Column,
    Section,
    Styled,
    Wrapped,
    panel_lines,
    section,
)
from lianchuang_cli.reports.wording import (
    NO_GAPS,
    adjustment_label,
    adjustment_points,
    condition_notes,
    criterion_share,
    next_rating_text,
    not_proposed_texts,
    over_maximum_note,
    place,
    rating_reason_text,
    rubric_line,
    score_notes,
    self_score_shown,
    unit_heading,
    veto_notes,
)
from lianchuang_cli.scoring.results import FileFailure, FileOutcome, UnitResult

if TYPE_CHECKING:  # rich's console, panel and text are imported where rich lays a panel out
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.panel import Panel
    from rich.segment import Segment

    from lianchuang_cli.reports.batch_report import ReportOptions


def render_text(renderables: Iterable[RenderableType], *, width: int, color: bool) -> str:
    """Render rich objects to a string (ANSI colours only when ``color``)."""
    from rich.console import Console

    console = Console(
        file=io.StringIO(),
        width=width,
        record=True,
        force_terminal=color,
        color_system="standard" if color else None,
        no_color=not color,
        highlight=False,
        emoji=False,
    )
    for renderable in renderables:
        console.print(_Inert(renderable))
    return console.export_text(styles=color)


class _Inert:
    """A renderable whose user text cannot drive the terminal: control characters (ANSI escapes,
    carriage returns), bidirectional overrides and undecodable file-name bytes are shown
    escaped (``escaping.plain_lines``); the layout's own line breaks and colours are kept."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        for segment in console.render(self.inner, options):
            if segment.control:
                yield segment
            else:
                text = plain_lines(segment.text)
                yield segment if text is segment.text else Segment(text, segment.style)


def render_table(outcomes: list[FileOutcome], *, width: int = 100, color: bool = False) -> str:
    """The table report for every graded file; failures are reported by ``render_problems``."""
    return render_text(
        (unit_panel(o) for o in outcomes if not isinstance(o, FileFailure)),
        width=width,
        color=color,
    )


def render_problems(problems: Iterable[Problem]) -> str:
    """One ``file:line:column: 错误: message`` line per problem."""
    return "".join(f"{plain(str(p))}\n" for p in problems)


def _rating_style(result: UnitResult) -> str:
    if result.vetoed or result.rating == result.ratings[-1]:
        return "bold red"
    if result.rating == result.ratings[0]:
        return "bold green"
    return "bold yellow"


def unit_panel(result: UnitResult) -> Panel:
    """Everything about one unit, in one panel."""
    from rich import box
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    # A Text title: a string would be read as rich markup (a unit name with "[…]" or ":…:" mangled).
    return Panel(
        Group(*_panel_parts(result)),
        title=Text(unit_heading(result)),
        title_align="left",
        box=box.ROUNDED,
    )


def _direct_panel(result: UnitResult, options: ReportOptions, stream: IO[str]) -> str | None:
    """The panel's text as rich would write it to ``stream``, drawn without rich's console where
    ``console_layout.panel_lines`` can (no colour, a UTF-8 stream, not Windows, where rich
    substitutes box characters in a legacy console); else None."""
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
    if options.color or sys.platform == "win32" or not encoding.startswith("utf"):
        return None
    lines = panel_lines(unit_heading(result), _panel_parts(result), options.width)
    if lines is None:
        return None
    return "".join(f"{plain_lines(line)}\n" for line in lines)  # as ``_Inert`` makes them


def _panel_parts(result: UnitResult) -> list[Wrapped | Section]:
    parts: list[Wrapped | Section] = [Wrapped(rubric_line(result)), Wrapped(_summary(result))]
    if result.not_applicable:
        parts.append(_not_applicable_table(result))
    parts.append(_criteria_table(result))
    if result.adjustments:
        parts.append(_adjustments_table(result))
    if result.gaps:
        parts.append(_gaps_table(result))
    else:
        parts.append(Wrapped(NO_GAPS, style="green"))
    parts.append(Wrapped(next_rating_text(result)))
    for line in not_proposed_texts(result):
        parts.append(Wrapped(line))
    if result.self_score_differences:
        parts.append(_self_score_table(result))
    return parts


def _summary(result: UnitResult) -> Styled:
    runs = [
        ("总分 ", ""),
        (f"{fmt(result.score)} / {fmt(result.max_score)}", "bold"),
        (over_maximum_note(result), ""),
        ("　等级 ", ""),
        (result.rating, _rating_style(result)),
    ]
    if result.rating_reason:
        # On its own line, right under the rating: wrapped after the total, a share like 75.9%
        # would start a line under "100" and read as one number split in two.
        runs.append((f"\n{rating_reason_text(result)}", ""))
    runs.extend((f"\n{note}", "") for note in score_notes(result))
    runs.extend((f"\n{note}", "bold red") for note in veto_notes(result))
    runs.extend((f"\n{note}", "bold yellow") for note in condition_notes(result))
    return Styled(tuple(runs))


def _figures(title: str, first: str, *numbers: str) -> tuple[str, tuple[Column, ...]]:
    """A table's title and columns: the first is text (its natural width), the others figures."""
    return title, (Column(first, 1), *(Column(name) for name in numbers))


def _not_applicable_table(result: UnitResult) -> Section:
    rows = []
    for item in result.not_applicable:
        name = Styled(((item.name, ""), (f"\n{place(item.line, item.cell)}", "dim")))
        rows.append((name, fmt(item.points), item.situation, item.remark))
    columns = (Column("指标", 2), Column("分值"), Column("情形", 3), Column("说明", 3))
    return section("缺项（请逐项复核）", columns, rows)


def _criteria_table(result: UnitResult) -> Section:
    rows = [(c.name, fmt(c.score), fmt(c.max_score), criterion_share(c)) for c in result.criteria]
    return section(*_figures("各项得分", "考评项目", "得分", "满分", "得分率"), rows)


def _adjustments_table(result: UnitResult) -> Section:
    rows = [(adjustment_label(a), str(a.count), adjustment_points(a)) for a in result.adjustments]
    return section(*_figures("加分与扣分", "事项", "次数", "分值"), rows)


GAP_COLUMNS = (
    Column("指标", 3),
    Column("失分"),
    Column("评分标准", 5),
    Column("实际情况", 4),
    Column("如何改进", 3),
)
"""The gap table's fields: the indicator, the points lost, then three texts sharing the room."""


def _gaps_table(result: UnitResult) -> Section:
    rows = []
    for gap in result.gaps:
        name = Styled(((gap.name, ""), (f"\n{place(gap.line, gap.cell)}", "dim")))
        rows.append((name, fmt(gap.lost), gap.requirement, gap.explanation, gap.advice))
    return section("差距（按失分从多到少）", GAP_COLUMNS, rows)


def _self_score_table(result: UnitResult) -> Section:
    rows = [
        (d.name, fmt(d.self_score), self_score_shown(d.score))
        for d in result.self_score_differences
    ]
    return section(*_figures("自评分与核定分不一致", "指标", "自评分", "核定分"), rows)


def _console(options: ReportOptions, stream: IO[str]) -> Console:
    from rich.console import Console

    return Console(
        file=stream,
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        highlight=False,
        emoji=False,
    )


def write_table(report: Report, stream: IO[str]) -> None:
    """The table format: each unit's panel (``score``), then the batch summary and ranking.

    For ``score`` (``unit_panels``) a single file shows only its panel and problems are left to
    the command (stderr); a batch shows the summary, the ranking and the invalid files.
    """
    options = report.options
    console: Console | None = None
    if options.unit_panels:
        for ranked in report.results():
            text = _direct_panel(ranked.result, options, stream)
            if text is not None:
                stream.write(text)
                continue
            if console is None:
                console = _console(options, stream)
            console.print(_Inert(unit_panel(ranked.result)))
        if report.summary.graded < 2:
            return
    if console is None:
        console = _console(options, stream)
    # Imported here: ``score ONE_FILE`` prints no summary and need not load it.
    from rich.text import Text

    from lianchuang_cli.reports.summary_view import (
        invalid_lines,
        quota_lines,
        ranking_lines,
        reason_lines,
        summary_sections,
        veto_lines,
    )

    for renderable in summary_sections(report.summary):
        console.print(_Inert(Wrapped(renderable) if isinstance(renderable, Text) else renderable))
    # Lines that hold user text (unit names, file names, messages) are made plain before they
    # are laid out: a newline in a unit name must not start a line of its own.
    for line in ranking_lines(report.summary, width=options.width):
        stream.write(plain(line) + "\n")
    if report.summary.ranking:
        console.print(Wrapped(report.summary.tie_rule, style="dim"))
    for line in chain(reason_lines(report.summary), veto_lines(report.summary)):
        console.print(Wrapped(plain(line)))
    for line in quota_lines(report.summary):
        console.print(Wrapped(plain(line)))
    if not options.unit_panels:
        for line in invalid_lines(report):
            stream.write(plain(line) + "\n")
