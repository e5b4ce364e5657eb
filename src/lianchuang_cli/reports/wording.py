"""Wording shared by every human-readable report (table, HTML), so no format rewrites it."""

from __future__ import annotations


def place(line: int, cell: str | None) -> str:
    """Where an indicator was filled in: "第12行" in a YAML file, "指标!A12" in a workbook."""
    return cell if cell is not None else f"第{line}行"
