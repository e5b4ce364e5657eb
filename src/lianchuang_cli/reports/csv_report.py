"""The csv format: the ranking, one row per unit, then the invalid files; UTF-8 with a BOM.

The BOM makes Excel on Windows read the Chinese text as UTF-8 instead of the ANSI code page.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import IO

from lianchuang_cli.decimals import fmt
from lianchuang_cli.report import Report
from lianchuang_cli.reports.rows import Cell, ranking_header, ranking_row
from lianchuang_cli.scoring.summary import STATUS_NAMES


def _text(cell: Cell) -> str:
    return fmt(cell) if isinstance(cell, Decimal) else str(cell)


def write_csv(report: Report, stream: IO[str]) -> None:
    """Write the ranking and the invalid files as comma-separated values."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    header = ranking_header(report.summary)
    writer.writerow(header)
    for ranked in report.summary.ranking:
        writer.writerow([_text(cell) for cell in ranking_row(ranked)])
    for failure in report.invalid:
        row = [""] * len(header)
        row[header.index("状态")] = STATUS_NAMES["invalid"]
        row[header.index("备注")] = "；".join(
            f"{p.place} {p.message}".strip() for p in failure.problems
        )
        row[header.index("文件")] = failure.file
        writer.writerow(row)
