"""The table report of ``grade-tree``: the county with its linkage figures, each township with its
villages' ratings, and the villages ranked within their township. Pure: a tree in, text out."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports import tree_view, wording
from lianchuang_cli.reports.console_layout import Wrapped, WrappedTable
from lianchuang_cli.reports.escaping import plain, plain_lines
from lianchuang_cli.reports.table import render_text
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.tree.tree_result import TownshipNode, TreeResult


def render_tree_table(tree: TreeResult, *, width: int = 120, color: bool = False) -> str:
    """The whole county, top-down."""
    parts: list[RenderableType] = []
    if tree.county is not None:
        parts.append(_unit_panel(tree.county, "县"))
    else:
        parts.append(Wrapped("县：未能评分（见下方问题列表）", style="bold red"))
    if tree.townships:
        parts.append(_townships_table(tree))
    for lines in (tree_view.previous_lines(tree), tree_view.quota_lines(tree)):
        if lines:
            parts.append(Wrapped(Text(plain_lines("\n".join(lines)))))
    for node in tree.townships:
        if node.result is not None and any(r.provenance for r in node.result.indicators):
            parts.append(_unit_panel(node.result, "乡镇", node.placement))
        parts.append(_villages_table(node))
        notes = "\n".join(
            n for n in (tree_view.villages_left_out(node), tree_view.rating_reasons(node)) if n
        )
        if notes:  # below the table, broken the Chinese way (a caption splits "80%" as rich does)
            parts.append(Wrapped(Text(plain_lines(notes), style="table.caption")))
    if tree.unlinked:
        table = _table("未计入汇总的单位", "文件", "单位", "总分", "等级", "原因")
        for item in tree.unlinked:
            r = item.result
            table.add_row(r.file, r.unit_name, fmt(r.score), r.rating, item.reason)
        parts.append(table)
    if tree.failures:
        table = _table("无法评分的文件（问题见标准错误）", "文件", "问题数")
        for failure in tree.failures:
            table.add_row(failure.file, str(len(failure.problems)))
        parts.append(table)
    return render_text(parts, width=width, color=color)


def _table(title: str, *columns: str) -> Table:
    table = WrappedTable(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
    for name in columns:
        table.add_column(name)
    return table


def _unit_panel(result: UnitResult, level: str, placement: Placement | None = None) -> Panel:
    summary = Text()
    summary.append("总分 ")
    summary.append(f"{fmt(result.score)} / {fmt(result.max_score)}", style="bold")
    summary.append("　等级 ")
    summary.append(result.rating, style="bold")
    if result.rating_reason:
        summary.append(f"\n{wording.rating_reason_text(result)}")
    for note in wording.placement_notes(placement):
        summary.append(f"\n{note}", style="bold")
    for reason in result.veto_reasons:
        summary.append(f"\n一票否决：{reason}", style="bold red")
    for note in wording.condition_notes(result):
        summary.append(f"\n{note}", style="bold yellow")
    criteria = _table("各项得分", "考评项目", "得分", "满分")
    for c in result.criteria:
        criteria.add_row(c.name, fmt(c.score), fmt(c.max_score))
    linked = _table("联创指标（由下级核算）", "指标", "数值", "得分", "来源")
    for row in tree_view.linked_rows(result):
        linked.add_row(row.name, row.value, row.score, row.source)
    title = f"{level}：{result.unit_name}（{result.unit_code}）　{result.file}"
    # A Text title: a string would be read as rich markup (a path with "[…]" mangled).
    advice = [Wrapped(wording.next_rating_text(result))]
    advice += [Wrapped(line) for line in wording.not_proposed_texts(result)]
    return Panel(
        Group(Wrapped(summary), criteria, linked, *advice), title=Text(title), title_align="left"
    )


def _townships_table(tree: TreeResult) -> Table:
    table = _table("各乡镇", "乡镇", "总分", "等级", "村（评分/找到）", "村的等级分布")
    for row in tree_view.township_rows(tree):
        table.add_row(plain(row.name), row.score, row.rating, row.villages, row.distribution)
    return table


def _villages_table(node: TownshipNode) -> Table:
    table = _table(
        f"{tree_view.township_name(node)}：各村排名", "名次", "村", "总分", "等级", "文件"
    )
    for row in tree_view.village_rows(node):
        table.add_row(row.rank, plain(row.name), row.score, row.rating, plain(row.file))
    return table
