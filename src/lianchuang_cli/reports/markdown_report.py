"""The markdown format: the batch summary as a document (for reports, wikis and merge requests)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO

from lianchuang_cli.decimals import fmt
from lianchuang_cli.report import Report
from lianchuang_cli.reports.rows import (
    INVALID_HEADER,
    Cell,
    invalid_rows,
    ranking_header,
    ranking_row,
)
from lianchuang_cli.reports.summary_view import counts_line


def _cell(value: Cell) -> str:
    text = fmt(value) if isinstance(value, Decimal) else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(stream: IO[str], header: list[str], rows: Iterable[Sequence[Cell]]) -> None:
    stream.write("| " + " | ".join(header) + " |\n")
    stream.write("|" + "---|" * len(header) + "\n")
    for row in rows:
        stream.write("| " + " | ".join(_cell(c) for c in row) + " |\n")
    stream.write("\n")


def write_markdown(report: Report, stream: IO[str]) -> None:
    """Counts, rating shares, statistics, criteria, 共性问题, ranking, vetoes, quotas, invalid files."""
    summary = report.summary
    rubric = summary.rubric
    stream.write("# 批量评分汇总\n\n")
    if rubric is not None:
        stream.write(f"考评细则：{rubric.title}（{rubric.id} {rubric.version}）\n\n")
    stream.write(counts_line(summary) + "\n\n")
    if summary.graded:
        stream.write("## 等级分布\n\n")
        _table(
            stream,
            ["等级", "单位数", "占比"],
            ([c.rating, c.count, f"{fmt(c.percent)}%"] for c in summary.ratings),
        )
        if summary.stats is not None:
            s = summary.stats
            stream.write("## 总分\n\n")
            _table(
                stream,
                ["平均", "中位数", "最低", "最高"],
                [[s.mean, s.median, s.minimum, s.maximum]],
            )
        stream.write("## 各考评项目平均分\n\n")
        _table(
            stream,
            ["考评项目", "平均分", "满分"],
            ([c.name, c.mean, c.max_score] for c in summary.criteria),
        )
        if summary.common_problems:
            names = dict(rubric.criteria) if rubric else {}
            stream.write("## 共性问题\n\n失分最多的指标（按合计失分从多到少）。\n\n")
            _table(
                stream,
                ["指标", "考评项目", "失分单位数", "合计失分"],
                (
                    [p.name, names.get(p.criterion, p.criterion), p.units, p.lost]
                    for p in summary.common_problems
                ),
            )
        stream.write("## 排名\n\n")
        stream.write(summary.tie_rule + "\n\n")
        _table(stream, ranking_header(summary), (ranking_row(r) for r in summary.ranking))
        if summary.quotas:
            stream.write("## 名额\n\n" + summary.quota_rule + "\n\n")
            _table(
                stream,
                ["等级", "比例", "名额", "顺延单位数"],
                ([q.rating, f"{fmt(q.percent)}%", q.cap, q.demoted] for q in summary.quotas),
            )
    vetoed = summary.vetoed_ranking()
    if vetoed:
        stream.write("## 一票否决\n\n")
        _table(
            stream,
            ["名次", "单位", "否决事项", "文件"],
            ([r.placement.rank, r.row.unit_name, "；".join(r.row.veto_reasons), r.row.file]
             for r in vetoed),
        )  # fmt: skip
    if report.invalid:
        stream.write(f"## 无效文件（{len(report.invalid)}个）\n\n")
        _table(stream, INVALID_HEADER, invalid_rows(report))
