"""Rows shared by the tabular formats (csv, markdown, xlsx): the ranking row and the invalid rows."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.wording import ranking_note
from lianchuang_cli.scoring.ranking import RankedRow
from lianchuang_cli.scoring.summary import STATUS_NAMES, BatchSummary

Cell = str | int | Decimal


def ranking_header(summary: BatchSummary) -> list[str]:
    """Chinese column names of the ranking (one column per criterion)."""
    criteria = [name for _, name in summary.rubric.criteria] if summary.rubric else []
    return [
        "名次", "单位", "单位代码", "乡镇", "县", "总分", "等级", "状态", *criteria,
        "差距项数", "按得分等级", "备注", "文件",
    ]  # fmt: skip


def ranking_row(ranked: RankedRow) -> list[Cell]:
    """One unit's ranking row; scores stay exact decimals for the writer to format."""
    row, placement = ranked.row, ranked.placement
    return [
        placement.rank,
        row.unit_name,
        row.unit_code,
        row.township,
        row.county,
        row.score,
        placement.rating,
        STATUS_NAMES[placement.status],
        *row.criterion_scores,
        row.gap_count,
        row.rating_by_score,
        ranking_note(ranked),
        row.file,
    ]


INVALID_HEADER = ["文件", "位置", "严重程度", "错误"]


def invalid_rows(report: Report) -> Iterator[list[str]]:
    """One row per problem of every file that could not be graded."""
    for failure in report.invalid:
        for problem in failure.problems:
            where = problem.place
            severity = "错误" if problem.severity == "error" else "警告"
            yield [failure.file, where, severity, problem.message]
