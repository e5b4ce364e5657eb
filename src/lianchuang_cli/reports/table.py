"""The table report (rich): unit, total and rating, criteria, gaps, next rating, self-score."""

from __future__ import annotations

import io
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.report import Report
from lianchuang_cli.reports.console_layout import Column, Wrapped, section
from lianchuang_cli.reports.summary_view import (
    invalid_lines,
    quota_lines,
    ranking_lines,
    summary_sections,
    veto_lines,
)
from lianchuang_cli.reports.wording import place
from lianchuang_cli.results import FileFailure, FileOutcome, UnitResult

NOT_APPLICABLE_POLICY_NAMES: dict[str, str] = {
    "rescale": "缺项不计入应得分，其余指标得分按比例折算为总分",
    "full_marks": "缺项按该项满分计",
}


def render_text(renderables: Iterable[RenderableType], *, width: int, color: bool) -> str:
    """Render rich objects to a string (ANSI colours only when ``color``)."""
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
        console.print(renderable)
    return console.export_text(styles=color)


def render_table(outcomes: list[FileOutcome], *, width: int = 100, color: bool = False) -> str:
    """The table report for every graded file; failures are reported by ``render_problems``."""
    return render_text(
        (unit_panel(o) for o in outcomes if not isinstance(o, FileFailure)),
        width=width,
        color=color,
    )


def render_problems(problems: Iterable[Problem]) -> str:
    """One ``file:line:column: 错误: message`` line per problem."""
    return "".join(f"{p}\n" for p in problems)


def _rating_style(result: UnitResult) -> str:
    if result.vetoed or result.rating == result.ratings[-1]:
        return "bold red"
    if result.rating == result.ratings[0]:
        return "bold green"
    return "bold yellow"


def unit_panel(result: UnitResult) -> Panel:
    """Everything about one unit, in one panel."""
    where = " · ".join(x for x in (result.township, result.county) if x)
    title = f"{result.unit_name}（{result.unit_code}）" + (f" · {where}" if where else "")
    parts: list[RenderableType] = [
        Wrapped(
            f"考评细则：{result.rubric_title}（{result.rubric_id} {result.rubric_version}）"
            f"　{result.year}年度"
        ),
        Wrapped(_summary(result)),
    ]
    if result.not_applicable:
        parts.append(_not_applicable_table(result))
    parts.append(_criteria_table(result))
    if result.adjustments:
        parts.append(_adjustments_table(result))
    if result.gaps:
        parts.append(_gaps_table(result))
    else:
        parts.append(Wrapped("差距：无，各项指标均得满分。", style="green"))
    parts.append(Wrapped(_next_rating_text(result)))
    long_term = [g for g in result.gaps if g.long_term]
    if long_term:
        names = "、".join(f"{g.name}（失{fmt(g.lost)}分）" for g in long_term)
        parts.append(Wrapped(f"长期工作（考评结束前无法改变，不列入升级建议）：{names}"))
    if result.self_score_differences:
        parts.append(_self_score_table(result))
    return Panel(Group(*parts), title=title, title_align="left", box=box.ROUNDED)


def _summary(result: UnitResult) -> Text:
    text = Text()
    text.append("总分 ")
    text.append(f"{fmt(result.score)} / {fmt(result.max_score)}", style="bold")
    if result.score > result.max_score:
        text.append("（含加分，可超过满分）")
    text.append("　等级 ")
    text.append(result.rating, style=_rating_style(result))
    formula = [f"基础分{fmt(result.base_score)}"]
    if result.bonus:
        formula.append(f"+ 加分{fmt(result.bonus)}")
    if result.penalty:
        formula.append(f"- 扣分{fmt(result.penalty)}")
    if len(formula) > 1:
        text.append(f"\n总分 = {' '.join(formula)} = {fmt(result.unfloored_score)}")
    if result.floor_applied:
        text.append(
            f"\n总分{fmt(result.unfloored_score)}低于细则规定的最低分，"
            f"按最低分{fmt(result.score_floor)}分计",
            style="bold",
        )
    text.append(
        f"\n缺项处理（细则规定）：{NOT_APPLICABLE_POLICY_NAMES[result.not_applicable_policy]}"
    )
    if result.scaled:
        skipped = [r.name for r in result.indicators if r.status == "not_applicable"]
        text.append(
            f"\n缺项按比例折算：{'、'.join(skipped)}不适用；适用指标满分 "
            f"{fmt(result.applicable_points)}，得{fmt(result.raw_score)}，"
            f"折算为{fmt(result.raw_score)} ÷ {fmt(result.applicable_points)} × "
            f"{fmt(result.max_score)} = {fmt(result.base_score)}"
        )
    if result.bonus_capped:
        text.append("\n加分已达上限，超出部分不计。")
    for reason in result.veto_reasons:
        text.append(f"\n一票否决：{reason}", style="bold red")
    return text


def _section(title: str, first: str, *numbers: str) -> Table:
    """A titled table whose first column is text and the others are right-aligned figures."""
    table = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column(first)
    for name in numbers:
        table.add_column(name, justify="right", no_wrap=True)
    return table


def _not_applicable_table(result: UnitResult) -> RenderableType:
    rows = []
    for item in result.not_applicable:
        name = Text(item.name)
        name.append(f"\n{place(item.line, item.cell)}", style="dim")
        rows.append((name, fmt(item.points), item.situation, item.remark))
    columns = (Column("指标", 2), Column("分值"), Column("情形", 3), Column("说明", 3))
    return section("缺项（请逐项复核）", columns, rows)


def _criteria_table(result: UnitResult) -> Table:
    table = _section("各项得分", "考评项目", "得分", "满分", "得分率")
    for c in result.criteria:
        share = "—" if not c.max_score else f"{fmt(c.score * 100 / c.max_score)}%"
        table.add_row(Wrapped(c.name), fmt(c.score), fmt(c.max_score), share)
    return table


def _adjustments_table(result: UnitResult) -> Table:
    table = _section("加分与扣分", "事项", "次数", "分值")
    for a in result.adjustments:
        sign = "+" if a.kind == "bonus" else "-"
        note = "（已达该项上限）" if a.capped else ""
        limited = f"\n{a.limited}" if a.limited else ""
        table.add_row(Wrapped(f"{a.name}{note}{limited}"), str(a.count), f"{sign}{fmt(a.points)}")
    return table


def _gaps_table(result: UnitResult) -> RenderableType:
    rows = []
    for gap in result.gaps:
        name = Text(gap.name)
        name.append(f"\n{place(gap.line, gap.cell)}", style="dim")
        rows.append((name, fmt(gap.lost), gap.requirement, gap.explanation, gap.advice))
    columns = (
        Column("指标", 3),
        Column("失分"),
        Column("评分标准", 5),
        Column("实际情况", 4),
        Column("如何补齐", 3),
    )
    return section("差距（按失分从多到少）", columns, rows)


def _next_rating_text(result: UnitResult) -> Text:
    step = result.next_rating
    if step is None:
        return Text(f"升级：{result.next_rating_note}")
    names = {r.id: r.name for r in result.indicators}
    lost = {g.indicator: g.lost for g in result.gaps}
    items = "、".join(names[i] for i in step.indicators)
    recover = sum((lost[i] for i in step.indicators), Decimal(0))
    needed = f"还差{fmt(step.points_needed)}分；" if step.points_needed else ""
    return Text(
        f"升级：要达到“{step.rating}”，{needed}至少补齐{len(step.indicators)}项（{items}，"
        f"共补回{fmt(recover)}分），补齐后总分{fmt(step.score_after)}。"
    )


def _self_score_table(result: UnitResult) -> Table:
    table = _section("自评分与核定分不一致", "指标", "自评分", "核定分")
    for d in result.self_score_differences:
        score = "缺项" if d.score is None else fmt(d.score)
        table.add_row(Wrapped(d.name), fmt(d.self_score), score)
    return table


def write_table(report: Report, stream: IO[str]) -> None:
    """The table format: each unit's panel (``score``), then the batch summary and ranking.

    For ``score`` (``unit_panels``) a single file shows only its panel and problems are left to
    the command (stderr); a batch shows the summary, the ranking and the invalid files.
    """
    options = report.options
    console = Console(
        file=stream,
        width=options.width,
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        highlight=False,
        emoji=False,
    )
    if options.unit_panels:
        for ranked in report.results():
            console.print(unit_panel(ranked.result))
        if report.summary.graded < 2:
            return
    for renderable in summary_sections(report.summary):
        console.print(renderable)
    for line in ranking_lines(report.summary, width=options.width):
        stream.write(line + "\n")
    if report.summary.ranking:
        console.print(Text(report.summary.tie_rule, style="dim"))
    for line in veto_lines(report.summary):
        console.print(Text(line))
    for line in quota_lines(report.summary):
        console.print(Text(line))
    if not options.unit_panels:
        for line in invalid_lines(report):
            stream.write(line + "\n")
