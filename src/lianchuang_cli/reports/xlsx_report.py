"""The xlsx format: a workbook for the organisation department, written in constant memory.

Sheets: 汇总表 (one row per unit, by rank), 明细 (unit × indicator scores), 差距 (every gap),
共性问题, 无效文件, 统计 (rating shares, statistics, criterion means, rules). XlsxWriter's
``constant_memory`` mode flushes each row as the next one starts, so memory stays flat; a sheet
that would pass Excel's row limit continues on a sheet named with a number (差距 (2)).
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from lianchuang_cli.reports import wording
from lianchuang_cli.reports.batch_report import Report
from lianchuang_cli.reports.escaping import formula_like, shown
from lianchuang_cli.reports.rows import (
    INVALID_HEADER,
    Cell,
    invalid_rows,
    ranking_header,
    ranking_row,
)
from lianchuang_cli.scoring.summary import BatchSummary

EXCEL_MAX_ROWS = 1_048_576
RATING_COLOURS = {"best": "#C6EFCE", "middle": "#FFEB9C", "worst": "#FFC7CE"}


class _Sheet:
    """Appends rows under a frozen bold header; continues on a new sheet at Excel's row limit."""

    def __init__(
        self, book: Workbook, name: str, header: list[str], widths: dict[int, int], styles: _Styles
    ) -> None:
        self.book, self.name, self.header, self.widths, self.styles = (
            book, name, header, widths, styles,
        )  # fmt: skip
        self.parts = 0
        self.row = EXCEL_MAX_ROWS
        self.sheet: Worksheet | None = None

    def _start(self) -> Worksheet:
        self.parts += 1
        name = self.name if self.parts == 1 else f"{self.name} ({self.parts})"
        sheet = self.book.add_worksheet(name)
        sheet.freeze_panes(1, 0)
        for column, width in self.widths.items():
            sheet.set_column(column, column, width)
        for column, name in enumerate(self.header):
            self._text(sheet, 0, column, name, self.styles.header)
        self.row = 1
        self.sheet = sheet
        return sheet

    def append(self, values: list[Any], formats: dict[int, Format] | None = None) -> None:
        """Write one row; decimals become numbers with two decimals shown."""
        sheet = self.sheet if self.row < EXCEL_MAX_ROWS and self.sheet else self._start()
        for column, value in enumerate(values):
            style = (formats or {}).get(column)
            if isinstance(value, Decimal):
                sheet.write_number(self.row, column, float(value), style or self.styles.number)
            elif isinstance(value, int | float):
                sheet.write_number(self.row, column, value, style)
            elif value is None or value == "":
                if style is not None:
                    sheet.write_blank(self.row, column, None, style)
            else:
                self._text(sheet, self.row, column, str(value), style)
        self.row += 1

    def _text(
        self, sheet: Worksheet, row: int, column: int, text: str, style: Format | None
    ) -> None:
        # Always a string cell, never a formula; one that would start a formula if edited in
        # Excel gets the "quote prefix" style (Excel's own leading apostrophe), keeping its value.
        text = shown(text)
        if formula_like(text):
            style = self.styles.quoted(style)
        sheet.write_string(row, column, text, style)

    def finish(self) -> None:
        """Make sure the sheet exists even when no row was written."""
        if self.sheet is None:
            self._start()


class _Styles:
    def __init__(self, book: Workbook) -> None:
        self.book = book
        self._properties: dict[int, dict[str, Any]] = {}
        self._quoted: dict[int | None, Format] = {}
        self.header = self._add({"bold": True, "bg_color": "#D9E1F2", "border": 1})
        self.number = self._add({"num_format": "0.00"})
        self.percent = self._add({"num_format": "0.00\\%"})
        self.ratings = {
            key: self._add({"bg_color": colour, "num_format": "@"})
            for key, colour in RATING_COLOURS.items()
        }

    def _add(self, properties: dict[str, Any]) -> Format:
        style = self.book.add_format(properties)
        self._properties[id(style)] = properties
        return style

    def quoted(self, style: Format | None) -> Format:
        """``style`` with Excel's quote prefix: the cell's text is text even when edited."""
        key = None if style is None else id(style)
        if key not in self._quoted:
            properties = {} if key is None else self._properties[key]
            self._quoted[key] = self._add({**properties, "quote_prefix": True})
        return self._quoted[key]

    def rating(self, rating: str, ratings: tuple[str, ...], vetoed: bool) -> Format:
        if vetoed or rating == ratings[-1]:
            return self.ratings["worst"]
        return self.ratings["best" if rating == ratings[0] else "middle"]


def write_xlsx(report: Report, stream: IO[bytes]) -> None:
    """Write the workbook to a binary file."""
    book = xlsxwriter.Workbook(stream, {"constant_memory": True, "strings_to_numbers": False})
    if report.options.created is not None:
        book.set_properties({"created": report.options.created})
    styles = _Styles(book)
    summary = report.summary
    _ranking_sheet(book, styles, summary)
    _result_sheets(book, styles, report)
    _common_problems_sheet(book, styles, summary)
    invalid = _Sheet(book, "无效文件", INVALID_HEADER, {0: 40, 1: 10, 3: 80}, styles)
    for row in invalid_rows(report):
        invalid.append(list(row))
    invalid.finish()
    _statistics_sheet(book, styles, summary)
    book.close()


def _ranking_sheet(book: Workbook, styles: _Styles, summary: BatchSummary) -> None:
    header = ranking_header(summary)
    rating_column = header.index("等级")
    sheet = _Sheet(
        book, "汇总表", header, {1: 22, 2: 14, 3: 12, 4: 12, len(header) - 2: 40}, styles
    )
    ratings = summary.rubric.ratings if summary.rubric else ()
    for ranked in summary.ranking:
        values: list[Cell] = ranking_row(ranked)
        style = styles.rating(ranked.placement.rating, ratings, ranked.row.vetoed)
        sheet.append(list(values), {rating_column: style})
    sheet.finish()


def _result_sheets(book: Workbook, styles: _Styles, report: Report) -> None:
    """明细 and 差距, from one pass over the spooled results."""
    detail: _Sheet | None = None
    gaps = _Sheet(
        book,
        "差距",
        ["名次", "单位", "乡镇", "考评项目", "指标", "失分", "改进后总分可提高",
         "评分标准", "实际情况", "如何改进", "由谁改进", "行号", "文件"],
        {1: 22, 3: 14, 4: 20, 7: 50, 8: 40, 9: 40, 10: 14, 12: 40},
        styles,
    )  # fmt: skip
    criteria = dict(report.summary.rubric.criteria) if report.summary.rubric else {}
    for ranked in report.results():
        result = ranked.result
        if detail is None:
            header = ["名次", "单位", "单位代码", "乡镇", *(r.name for r in result.indicators)]
            detail = _Sheet(book, "明细", header, {1: 22, 2: 14, 3: 12}, styles)
        detail.append(
            [
                ranked.placement.rank,
                result.unit_name,
                result.unit_code,
                result.township,
                *("缺项" if r.score is None else r.score for r in result.indicators),
            ]
        )
        for gap in result.gaps:
            gaps.append(
                [
                    ranked.placement.rank,
                    result.unit_name,
                    result.township,
                    criteria.get(gap.criterion, gap.criterion),
                    gap.name,
                    gap.lost,
                    gap.gain,
                    gap.requirement,
                    gap.explanation,
                    gap.advice,
                    wording.CATEGORY_LABELS[gap.category],
                    gap.line,
                    result.file,
                ]
            )
    if detail is None:
        detail = _Sheet(book, "明细", ["名次", "单位", "单位代码", "乡镇"], {1: 22}, styles)
    detail.finish()
    gaps.finish()


def _common_problems_sheet(book: Workbook, styles: _Styles, summary: BatchSummary) -> None:
    names = dict(summary.rubric.criteria) if summary.rubric else {}
    sheet = _Sheet(
        book,
        "共性问题",
        ["指标", "指标 id", "考评项目", "失分单位数", "失分单位占比", "合计失分", "平均每单位失分"],
        {0: 22, 1: 24, 2: 14},
        styles,
    )
    for problem in summary.common_problems:
        share = Decimal(problem.units) * 100 / summary.graded
        sheet.append(
            [
                problem.name,
                problem.id,
                names.get(problem.criterion, problem.criterion),
                problem.units,
                share.quantize(Decimal("0.01")),
                problem.lost,
                (problem.lost / problem.units).quantize(Decimal("0.01")),
            ],
            {4: styles.percent},
        )
    sheet.finish()


def _statistics_sheet(book: Workbook, styles: _Styles, summary: BatchSummary) -> None:
    sheet = _Sheet(book, "统计", ["项目", "数值", "占比"], {0: 30, 1: 14}, styles)
    sheet.append(["文件总数", summary.files])
    sheet.append(["已评分", summary.graded])
    sheet.append(["其中一票否决", summary.vetoed])
    sheet.append(["无效文件", summary.invalid])
    sheet.append(["跳过（不是佐证材料的文件、子文件夹等）", summary.skipped])
    for entry in summary.skipped_entries:
        sheet.append([f"跳过：{entry.path}", entry.reason])
    for count in summary.ratings:
        sheet.append([f"等级：{count.rating}", count.count, count.percent], {2: styles.percent})
    if summary.stats is not None:
        stats = summary.stats
        for label, value in (
            ("总分平均", stats.mean),
            ("总分中位数", stats.median),
            ("总分最低", stats.minimum),
            ("总分最高", stats.maximum),
        ):
            sheet.append([label, value])
    for average in summary.criteria:
        sheet.append([f"平均分：{average.name}（满分{average.max_score}）", average.mean])
    for quota in summary.quotas:
        sheet.append(
            [f"名额：{quota.rating}（不超过{quota.percent}%），顺延{quota.demoted}个", quota.cap]
        )
    sheet.append([summary.tie_rule])
    if summary.quotas:
        sheet.append([summary.quota_rule])
