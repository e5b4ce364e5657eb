"""The csv format: the ranking, one row per unit, then the invalid files; UTF-8 with a BOM.

The BOM makes Excel on Windows read the Chinese text as UTF-8 instead of the ANSI code page. A
text cell that a spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR first)
gets a leading apostrophe (``escaping.spreadsheet_text``); numbers are written as numbers.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from typing import IO

from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.escaping import spreadsheet_text
from lianchuang_cli.reports.rows import Cell, ranking_header, ranking_row
from lianchuang_cli.scoring.summary import STATUS_NAMES


def _text(cell: Cell) -> str:
    if isinstance(cell, Decimal):
        return fmt(cell)
    return str(cell) if isinstance(cell, int) else spreadsheet_text(cell)


def write_csv(report: Report, stream: IO[str]) -> None:
    """Write the ranking and the invalid files as comma-separated values."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    header = ranking_header(report.summary)
    writer.writerow([spreadsheet_text(name) for name in header])
    for ranked in report.summary.ranking:
        writer.writerow([_text(cell) for cell in ranking_row(ranked)])
    for failure in report.invalid:
        row = [""] * len(header)
        row[header.index("状态")] = STATUS_NAMES["invalid"]
        row[header.index("备注")] = spreadsheet_text(
            "；".join(f"{p.place} {p.message}".strip() for p in failure.problems)
        )
        row[header.index("文件")] = spreadsheet_text(failure.file)
        writer.writerow(row)
