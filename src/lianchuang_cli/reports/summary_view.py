"""The batch summary as text: counts, rating shares, statistics, 共性问题, ranking, vetoes, invalid files.

The ranking can hold hundreds of thousands of rows, so it is laid out by hand (fixed column widths
measured in terminal cells) and written line by line instead of through a rich table.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain

from rich import box
from rich.cells import cell_len
from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.escaping import plain
from lianchuang_cli.reports.text_layout import break_lines
from lianchuang_cli.reports.wording import (
    counts_line,
    rated_because,
    rubric_name,
    short_ranking_note,
)
from lianchuang_cli.scoring.ranking import RankedRow
from lianchuang_cli.scoring.summary import BatchSummary

COMMON_PROBLEMS_SHOWN = 10


def summary_sections(summary: BatchSummary) -> Iterator[RenderableType]:
    """The summary sections that come before the ranking."""
    rubric = summary.rubric
    heading = Text("批量评分汇总", style="bold")
    if rubric is not None:
        name = rubric_name(rubric.id, rubric.version, rubric.sha256)
        heading.append(f"　考评细则：{rubric.title}（{name}）", style="")
    yield heading
    yield Text(counts_line(summary))
    if not summary.graded:
        return
    ratings = Table(title="等级分布", box=box.SIMPLE_HEAVY, title_justify="left")
    ratings.add_column("等级")
    ratings.add_column("单位数", justify="right")
    ratings.add_column("占比", justify="right")
    for count in summary.ratings:
        ratings.add_row(count.rating, str(count.count), f"{fmt(count.percent)}%")
    yield ratings
    if summary.stats is not None:
        stats = summary.stats
        yield Text(
            f"总分：平均{fmt(stats.mean)}，中位数{fmt(stats.median)}，"
            f"最低{fmt(stats.minimum)}，最高{fmt(stats.maximum)}"
        )
    criteria = Table(title="各考评项目平均分", box=box.SIMPLE_HEAVY, title_justify="left")
    criteria.add_column("考评项目")
    criteria.add_column("平均分", justify="right")
    criteria.add_column("满分", justify="right")
    for average in summary.criteria:
        criteria.add_row(average.name, fmt(average.mean), fmt(average.max_score))
    yield criteria
    if summary.common_problems:
        names = dict(rubric.criteria) if rubric else {}
        shown = summary.common_problems[:COMMON_PROBLEMS_SHOWN]
        title = f"共性问题（失分最多的{len(shown)}项指标）"
        common = Table(title=title, box=box.SIMPLE_HEAVY, title_justify="left")
        common.add_column("指标", overflow="fold")
        common.add_column("考评项目", overflow="fold")
        common.add_column("失分单位数", justify="right")
        common.add_column("合计失分", justify="right")
        for problem in shown:
            common.add_row(
                problem.name,
                names.get(problem.criterion, problem.criterion),
                str(problem.units),
                fmt(problem.lost),
            )
        yield common


def ranking_lines(summary: BatchSummary, *, width: int) -> Iterator[str]:
    """The ranking table, one line at a time; criterion columns are dropped when too narrow."""
    rubric = summary.rubric
    if rubric is None or not summary.ranking:
        return
    # Headers are the criteria's first four characters (“领导班子”) to keep the line short.
    criteria = [name[:4] for _, name in rubric.criteria]
    headers = ["名次", "单位", "乡镇", "总分", "等级", *criteria, "差距项数", "备注"]
    # Two passes over the ranking (widths, then lines): a province's rows are never all held.
    widths = [cell_len(h) for h in headers]
    for ranked in summary.ranking:
        for position, cell in enumerate(_ranking_cells(ranked)):
            widths[position] = max(widths[position], cell_len(cell))
    keep = list(range(len(headers)))
    # Without the criterion columns when they do not fit; the notes column may run over.
    if sum(widths[:-1]) + 2 * (len(headers) - 1) > width:
        keep = [0, 1, 2, 3, 4, len(headers) - 2, len(headers) - 1]
    right = {0, 3, *range(5, len(headers) - 1)}
    used = sum(widths[p] + 2 for p in keep[:-1])
    room = max(4, width - used)  # a clipped note ("一票…") rather than a line too wide
    yield "排名"
    rows = (_ranking_cells(ranked) for ranked in summary.ranking)
    for cells in chain([headers], rows):
        parts = []
        for position in keep[:-1]:
            cell = cells[position]
            pad = " " * (widths[position] - cell_len(cell))
            parts.append(pad + cell if position in right else cell + pad)
        parts.append(_clip(cells[-1], room))
        yield "  ".join(parts).rstrip()
    if len(keep) < len(headers):
        note = "（版面宽度不足，未列各考评项目得分；可用 --format csv 或 xlsx 查看）"
        yield from break_lines(note, width)


def _clip(text: str, room: int) -> str:
    """Cut ``text`` to ``room`` terminal cells, marking the cut with an ellipsis."""
    if cell_len(text) <= room:
        return text
    while cell_len(text) > room - 1:
        text = text[:-1]
    return text + "…"


def reason_lines(summary: BatchSummary) -> Iterator[str]:
    """Units rated below what their total alone gives (a criterion under the better band's
    share), each with the reason in full."""
    reasons = [r.row for r in summary.ranking if not r.row.vetoed and r.row.rating_reason]
    if not reasons:
        return
    yield f"等级说明（{len(reasons)}个）"
    for row in reasons:
        yield "  " + rated_because(row.unit_name, row.rating_by_score, row.rating_reason)


def veto_lines(summary: BatchSummary) -> Iterator[str]:
    """Units that hit a veto, with every reason in full."""
    vetoed = summary.vetoed_ranking()
    if not vetoed:
        return
    yield f"一票否决（{len(vetoed)}个）"
    for ranked in vetoed:
        reasons = "；".join(ranked.row.veto_reasons)
        yield f"  {ranked.row.unit_name}（{ranked.row.file}）：{reasons}"


def _ranking_cells(ranked: RankedRow) -> list[str]:
    row, placement = ranked.row, ranked.placement
    note = short_ranking_note(ranked)
    return [
        str(placement.rank),
        row.unit_name,
        row.township,
        fmt(row.score),
        placement.rating,
        *(fmt(score) for score in row.criterion_scores),
        str(row.gap_count),
        note,
    ]


def quota_lines(summary: BatchSummary) -> Iterator[str]:
    """The quotas and each unit they moved down, with the reason."""
    for quota in summary.quotas:
        group = f"（{quota.group}）" if quota.group else ""
        yield (
            f"名额{group}：“{quota.rating}”不超过{fmt(quota.percent)}%，即{quota.cap}个；"
            f"按名次顺延{quota.demoted}个"
            + (f"；名额线上并列而超出名额的{quota.tied}个（见备注）。" if quota.tied else "。")
        )
    if summary.quotas:
        yield summary.quota_rule
    for ranked in summary.ranking:
        if ranked.placement.quota_note:
            yield f"  第{ranked.placement.rank}名 {ranked.row.unit_name}：{ranked.placement.quota_note}"


def invalid_lines(report: Report) -> Iterator[str]:
    """The files that could not be graded, each problem as ``path:line:column: 错误: …``."""
    if not report.invalid:
        return
    yield f"无效文件（{len(report.invalid)}个，未参加排名）"
    for failure in report.invalid:
        for problem in failure.problems:
            yield plain(str(problem))
