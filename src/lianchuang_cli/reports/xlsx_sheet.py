"""Writing one worksheet of the evidence workbook: cells, styles, validation, protection.

Text always stays text (a note "=cmd|…" is never a live formula) and characters a worksheet
cannot hold are replaced by visible symbols and remembered, so the caller can say which cells
changed. What goes in which cell is the template's business (``xlsx_template``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from lianchuang_cli.decimals import fmt
from lianchuang_cli.forms import xlsx_layout as layout

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

_INPUT_FILL = "FFF2CC"
_HEADER_FILL = "D9E1F2"
_SHOWN_FILL = "F2F2F2"
_BIG = 10**9

_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""What an xlsx cell cannot hold: XML 1.0 has no control characters but tab and line breaks."""


def _visible(char: str) -> str:
    """The control-picture symbol of a C0 control character ("\x07" → "␇"), or "�"."""
    return chr(0x2400 + ord(char)) if ord(char) < 0x20 else "\ufffd"


def cell_number(value: Any) -> Any:
    """A value as Excel should store it: exact decimals as numbers when a float keeps them."""
    if isinstance(value, Decimal):
        as_float = float(value)
        return as_float if Decimal(f"{as_float:.15g}") == value else str(value)
    return value


class SheetWriter:
    """Writes cells in the template's styles; input cells unlocked and tinted."""

    def __init__(self, lists: Worksheet) -> None:
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.lists = lists
        """The hidden sheet holding drop-down lists too long to write inline."""
        self.list_columns = 0
        self.replaced: list[tuple[str, str]] = []
        """Cells whose text had characters a worksheet cannot hold: (Sheet!C12, message)."""
        thin = Side(style="thin", color="A6A6A6")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.center = Alignment(wrap_text=True, vertical="center", horizontal="center")
        self.bold = Font(bold=True)
        self.input_fill = PatternFill("solid", fgColor=_INPUT_FILL)
        self.header_fill = PatternFill("solid", fgColor=_HEADER_FILL)
        self.shown_fill = PatternFill("solid", fgColor=_SHOWN_FILL)
        self.unlocked = Protection(locked=False)

    def put(self, sheet: Worksheet, row: int, column: int, value: Any) -> Cell | MergedCell:
        """Write one cell; text stays text, whatever it begins with."""
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            unwritable = sorted(set(_UNWRITABLE.findall(value)))
            if unwritable:
                value = _UNWRITABLE.sub(lambda m: _visible(m.group(0)), value)
                codes = "、".join(f"U+{ord(c):04X}" for c in unwritable)
                shown = "".join(_visible(c) for c in unwritable)
                self.replaced.append(
                    (
                        f"{sheet.title}!{cell.coordinate}",
                        f"文字中有工作表不能保存的控制字符（{codes}），已替换为可见的“{shown}”；"
                        "请核对该单元格的内容",
                    )
                )
            cell.value = value
            # openpyxl takes any text starting with "=" for a formula: store it as text.
            cell.data_type = "s"
        else:
            cell.value = value
        return cell

    def header(self, sheet: Worksheet, titles: Sequence[str], widths: dict[str, int]) -> None:
        from openpyxl.utils import get_column_letter

        for column, title in enumerate(titles, start=1):
            cell = self.put(sheet, 1, column, title)
            cell.font = self.bold
            cell.fill = self.header_fill
            cell.alignment = self.center
            cell.border = self.border
            sheet.column_dimensions[get_column_letter(column)].width = widths.get(title, 14)
        sheet.freeze_panes = "B2"
        sheet.print_title_rows = "1:1"

    def shown(self, sheet: Worksheet, row: int, column: int, value: Any) -> None:
        cell = self.put(sheet, row, column, value)
        cell.alignment = self.wrap
        cell.border = self.border
        cell.fill = self.shown_fill

    def input(self, sheet: Worksheet, row: int, column: int, value: Any = None) -> None:
        cell = self.put(sheet, row, column, cell_number(value))
        cell.alignment = self.wrap
        cell.border = self.border
        cell.fill = self.input_fill
        cell.protection = self.unlocked

    def validate(
        self,
        sheet: Worksheet,
        where: str,
        kind: Literal["list", "whole", "decimal"],
        *,
        low: Any = None,
        high: Any = None,
        options: Sequence[str] = (),
        prompt: str = "",
        error: str,
        lenient: bool = False,
    ) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        if kind == "list":
            joined = ",".join(options)
            if len(joined) <= 250 and not any("," in o or '"' in o for o in options):
                formula = f'"{joined}"'
            else:
                formula = self.list_range(options)
            rule = DataValidation(type="list", formula1=formula, allow_blank=True)
        else:
            lo = fmt(Decimal(low)) if low is not None else str(-_BIG)
            hi = fmt(Decimal(high)) if high is not None else str(_BIG)
            rule = DataValidation(
                type=kind, operator="between", formula1=lo, formula2=hi, allow_blank=True
            )
        rule.error = error[:255]
        rule.errorTitle = "填写有误"
        rule.showErrorMessage = True
        if lenient:
            # A warning lets a remark follow the listed text ("情形：说明").
            rule.errorStyle = "warning"
        if prompt:
            rule.prompt = prompt[:255]
            rule.promptTitle = "填写方法"
            rule.showInputMessage = True
        sheet.add_data_validation(rule)
        rule.add(where)

    def list_range(self, options: Sequence[str]) -> str:
        from openpyxl.utils import get_column_letter

        self.list_columns += 1
        letter = get_column_letter(self.list_columns)
        for row, option in enumerate(options, start=1):
            self.put(self.lists, row, self.list_columns, option)
        return f"'{layout.SHEET_LISTS}'!${letter}$1:${letter}${len(options)}"

    def protect(self, sheet: Worksheet, *, landscape: bool = True) -> None:
        from openpyxl.worksheet.properties import PageSetupProperties

        sheet.protection.sheet = True
        # Widening columns and rows must stay possible: long notes need room.
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if landscape else "portrait"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
