"""Fill an evidence workbook the way a person would in Excel: by column titles, cell by cell."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.reading.yaml_reader import read_yaml

CellValue = str | int | float | bool | None


def columns(sheet: Worksheet) -> dict[str, int]:
    """Column number of each title in the header row."""
    return {str(c.value): c.column for c in sheet[1] if c.value is not None}


def rows_by_id(sheet: Worksheet) -> dict[str, int]:
    """Row number of each id in column A."""
    return {str(sheet.cell(row=r, column=1).value): r for r in range(2, sheet.max_row + 1)}


def excel(value: Any) -> CellValue:
    """A YAML value as Excel stores it: floats for decimals, 是/否 for booleans."""
    if isinstance(value, bool):
        return layout.YES if value else layout.NO
    if isinstance(value, Decimal):
        return float(value)
    assert value is None or isinstance(value, str | int | float), value
    return value


def fill_from_yaml(
    template: bytes, yaml_path: str, *, skip: frozenset[str] | set[str] = frozenset()
) -> bytes:
    """Enter a YAML evidence file's values into an empty template, cell by cell (but ``skip``)."""
    data = read_yaml(yaml_path).data
    book = openpyxl.load_workbook(io.BytesIO(template))
    unit_sheet = book[layout.SHEET_UNIT]
    labels = {str(c.value): c.row for c in unit_sheet["A"] if c.value is not None}
    for key, label in layout.UNIT_FIELDS:
        if key not in layout.UNIT_TOP_LEVEL and label in labels:
            unit_sheet.cell(row=labels[label], column=2, value=excel(data["unit"].get(key)))
    profile = data.get("profile") or {}
    for path, label in layout.PROFILE_FIELDS:
        value = profile
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        unit_sheet.cell(row=labels[label], column=2, value=excel(value))
    sheet = book[layout.SHEET_INDICATORS]
    cols, rows = columns(sheet), rows_by_id(sheet)
    for indicator_id, entry in data["indicators"].items():
        if indicator_id in skip:
            continue
        row = rows[indicator_id]

        def put(title: str, value: Any, row: int = row) -> None:
            sheet.cell(row=row, column=cols[title], value=excel(value))

        value = entry.get("value")
        if isinstance(value, dict) and "part" in value:
            put(layout.COL_PART, value["part"])
            put(layout.COL_WHOLE, value["whole"])
        elif isinstance(value, dict) and "breaches" in value:
            put(layout.COL_WHOLE, value["total"])
            put(layout.COL_BREACHES, value["breaches"])
        elif isinstance(value, dict):
            put(layout.COL_VALUE, value["score"])
            put(layout.COL_REASON, value.get("reason") or None)
        else:
            put(layout.COL_VALUE, value)
        put(layout.COL_NOT_APPLICABLE, entry.get("not_applicable"))
        put(layout.COL_NOTE, entry.get("note") or None)
        put(layout.COL_ATTACHMENTS, "\n".join(entry.get("attachments", [])) or None)
        put(layout.COL_SELF_SCORE, entry.get("self_score"))
    for key, title in layout.EVENT_SHEETS:
        events = book[title]
        cols, rows = columns(events), rows_by_id(events)
        trigger = layout.COL_EVENT_HAPPENED if key == "vetoes" else layout.COL_EVENT_COUNT
        for event in data.get(key) or []:
            row = rows[event["id"]]
            happened = layout.YES if key == "vetoes" else event.get("count", 1)
            events.cell(row=row, column=cols[trigger], value=happened)
            events.cell(row=row, column=cols[layout.COL_NOTE], value=event.get("note"))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit(workbook: bytes, change: Callable[[openpyxl.Workbook], None]) -> bytes:
    """Apply a change to a saved workbook and save it again."""
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
