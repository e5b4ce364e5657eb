"""The evidence workbook: a rubric's 考评表 to fill in Excel or WPS, optionally already filled.

Input cells are unlocked and tinted; everything the rubric says is locked, so a protected sheet
keeps the ids and rule kinds the reader relies on. Drop-down lists and number validation stop
most mistakes at typing time; whatever gets through is caught by ``validate`` with its cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, get_args

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.forms.fill_hints import cell_hint
from lianchuang_cli.model.evidence import evidence_not_a_mapping
from lianchuang_cli.model.profile import Education
from lianchuang_cli.model.rubric import LEVEL_NAMES, AdjustmentItem, Indicator, Rubric, VetoItem
from lianchuang_cli.reading.document import Document
from lianchuang_cli.reports.wording import band_conditions_text, band_share_text
from lianchuang_cli.reports.xlsx_sheet import SheetWriter, cell_number

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_PROFILE_DECIMALS = frozenset(
    {
        "collective_operating_income",
        "secretary_basic_pay",
        "rural_income_last_year",
        "operating_funds",
        "premises_area",
    }
)
"""Profile rows that take any number not below 0 (the others are counts or 是/否)."""

_WIDTHS = {
    layout.COL_ID: 12,
    layout.COL_CRITERION: 12,
    layout.COL_NAME: 16,
    layout.COL_POINTS: 6,
    layout.COL_REQUIREMENT: 36,
    layout.COL_KIND: 9,
    layout.COL_HINT: 28,
    layout.COL_VALUE: 12,
    layout.COL_PART: 8,
    layout.COL_WHOLE: 8,
    layout.COL_BREACHES: 8,
    layout.COL_PREVIOUS: 8,
    layout.COL_REASON: 24,
    layout.COL_NOT_APPLICABLE: 18,
    layout.COL_NOTE: 30,
    layout.COL_ATTACHMENTS: 26,
    layout.COL_SELF_SCORE: 8,
}


_ANSWER_COLUMNS = layout.INDICATOR_COLUMNS[layout.INDICATOR_COLUMNS.index(layout.COL_VALUE) :]
"""The indicator sheet's columns from 填写值 on: open where the row's kind takes input."""
_ALWAYS_OPEN = (layout.COL_NOTE, layout.COL_ATTACHMENTS, layout.COL_SELF_SCORE)


def render_workbook(
    rubric: Rubric,
    filled: Document | None = None,
    *,
    notes: list[Problem] | None = None,
    name: str = "",
) -> bytes:
    """Return the evidence workbook for ``rubric``; with ``filled``, its values are entered.

    Text is always stored as text (a note "=cmd|…" stays a note, never a live formula).
    Characters a worksheet cannot hold (control characters such as BEL) are replaced by their
    visible symbol ("␇"); each such cell is added to ``notes`` as a warning, named ``name``.
    """
    from openpyxl import Workbook

    book = Workbook()
    guide = book.active
    assert guide is not None  # a new workbook always has one sheet
    guide.title = layout.SHEET_GUIDE
    lists = book.create_sheet(layout.SHEET_LISTS)
    writer = _Writer(rubric, lists, filled)
    writer.guide(guide)
    writer.unit(book.create_sheet(layout.SHEET_UNIT))
    writer.indicators(book.create_sheet(layout.SHEET_INDICATORS))
    writer.adjustments(book.create_sheet(layout.SHEET_PENALTIES), "penalties", rubric.penalties)
    writer.adjustments(book.create_sheet(layout.SHEET_BONUSES), "bonuses", rubric.bonuses)
    writer.vetoes(book.create_sheet(layout.SHEET_VETOES))
    if writer.problems:
        raise InputError(writer.problems)
    if notes is not None:
        notes.extend(
            Problem(name, 0, 0, message, severity="warning", cell=cell)
            for cell, message in writer.out.replaced
        )
    book.move_sheet(lists, offset=len(book.sheetnames))
    lists.sheet_state = "hidden"
    lists.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class _Writer:
    """Builds each sheet from the rubric (and a filled document), noting what cannot go in a cell."""

    def __init__(self, rubric: Rubric, lists: Worksheet, filled: Document | None) -> None:
        self.rubric = rubric
        self.out = SheetWriter(lists)
        self.filled = filled
        self.data: dict[str, Any] = {}
        if filled is not None:
            if not isinstance(filled.data, dict):
                raise InputError([evidence_not_a_mapping(filled)])
            self.data = filled.data
        self.problems: list[Problem] = []

    def cannot(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> None:
        assert self.filled is not None
        problem = self.filled.problem(loc, f"无法转换为工作簿：{message}", key=key)
        self.problems.append(problem)

    # -- sheets ---------------------------------------------------------------------------

    def guide(self, sheet: Worksheet) -> None:
        rubric = self.rubric
        level = LEVEL_NAMES[rubric.level]
        ratings = "；".join(
            f"{band.name}：{fmt(band.min_score)}分以上"
            + (f"且{band_share_text(band, rubric)}" if band.min_criterion_share else "")
            + (f"，{band_conditions_text(band)}" if band.requires else "")
            for band in rubric.ratings
        )
        lines = [
            f"{rubric.title} · 佐证材料填写表",
            f"考评细则：{rubric.id}（版本 {rubric.version}，{rubric.year}年度，总分{fmt(rubric.total_points)}分）",
            f"依据：{rubric.source}",
            f"等级：{ratings}",
            "",
            "填写方法",
            f"1. 在“{layout.SHEET_UNIT}”表填写{level}党组织名称、单位代码（以0开头的代码会原样保留）、"
            "所属乡镇、所属县（市、区）和考评年度。",
            f"2. 在“{layout.SHEET_INDICATORS}”表逐项填写黄色单元格：按“{layout.COL_HINT}”列填写"
            f"“{layout.COL_VALUE}”，在“{layout.COL_NOTE}”写简要说明，在“{layout.COL_ATTACHMENTS}”"
            f"列出佐证材料文件名（多个文件每行一个，或用“；”分隔），“{layout.COL_SELF_SCORE}”可不填。",
            f"3. 比例类指标可填百分比（如93），也可填“{layout.COL_PART}”和“{layout.COL_WHOLE}”由程序计算；"
            f"评定类指标填评定分数，低于满分时在“{layout.COL_REASON}”写明理由；允许缺项的指标确不适用时，"
            f"清空“{layout.COL_VALUE}”并在“{layout.COL_NOT_APPLICABLE}”写明理由。",
            f"4. “{layout.SHEET_PENALTIES}”“{layout.SHEET_BONUSES}”表：发生时填写"
            f"“{layout.COL_EVENT_COUNT}”和情况说明；“{layout.SHEET_VETOES}”表：发生时在"
            f"“{layout.COL_EVENT_HAPPENED}”选“{layout.YES}”。未发生的事项不用填写。",
            "5. 灰色单元格是考评细则的内容，已保护，不能修改；请不要增删行列、不要改工作表名称。",
            "6. 保存后运行 lianchuang validate 本文件.xlsx 检查填写，lianchuang score 本文件.xlsx "
            f"查看得分、等级与差距。错误会标明位置，如“{layout.SHEET_INDICATORS}!H12”"
            f"（“{layout.SHEET_INDICATORS}”表第12行H列）。",
        ]
        sheet.column_dimensions["A"].width = 110
        for row, text in enumerate(lines, start=1):
            cell = self.out.put(sheet, row, 1, text or None)
            cell.alignment = self.out.wrap
            if row in (1, 6):
                cell.font = self.out.bold
        self.out.protect(sheet, landscape=False)

    def unit(self, sheet: Worksheet) -> None:
        self.out.header(
            sheet, (layout.UNIT_LABEL_HEADER, layout.UNIT_VALUE_HEADER, "说明"), {"说明": 50}
        )
        sheet.column_dimensions["A"].width = 18
        sheet.column_dimensions["B"].width = 30
        unit = self.data.get("unit")
        unit = unit if isinstance(unit, dict) else {}
        level = LEVEL_NAMES[self.rubric.level]
        notes = {
            "rubric": "考评细则编号，请勿修改",
            "rubric_version": "细则版本，请勿修改",
            "name": f"{level}党组织全称，如“桃源村党支部”",
            "code": "单位代码，以0开头也会原样保留",
            "township": "所属乡镇",
            "county": "所属县（市、区）",
            "township_code": "所属乡镇的单位代码（grade-tree 据此把村归入乡镇）",
            "county_code": "所属县的单位代码（grade-tree 据此把乡镇归入县）",
            "year": "考评年度（四位数字）",
        }
        shown_codes = layout.UNIT_ROWS_BY_LEVEL[self.rubric.level]
        fields = [
            (key, label)
            for key, label in layout.UNIT_FIELDS
            if not key.endswith("_code") or key in shown_codes
        ]
        for key in unit:
            if key not in dict(fields):
                self.cannot(["unit", key], f"本级工作簿没有“{key}”一行")
        row = 1
        for row, (key, label) in enumerate(fields, start=2):
            self.out.shown(sheet, row, 1, label)
            self.out.shown(sheet, row, 3, notes[key])
            if key == "rubric":
                self.out.shown(sheet, row, 2, self.rubric.id)
                continue
            if key == "rubric_version":
                self.out.shown(sheet, row, 2, self.rubric.version)
                continue
            value = unit.get(key)
            if key == "year" and value is None and self.filled is None:
                value = self.rubric.year
            if self.filled is not None and not _is_scalar(value):
                self.cannot(["unit", key], "应为单个值")
                value = None
            self.out.input(sheet, row, 2, value)
            if key.endswith("code"):
                sheet.cell(row=row, column=2).number_format = "@"
            if key == "year":
                self.out.validate(
                    sheet, f"B{row}", "whole", low=2000, high=2100, error="考评年度应为四位年份"
                )
        if self.rubric.level == "village":
            self.profile(sheet, row + 2)
        elif self.data.get("profile") is not None:
            self.cannot(["profile"], "profile（村情基本信息）只用于村级材料")
        self.out.protect(sheet, landscape=False)

    def profile(self, sheet: Worksheet, first: int) -> None:
        """The village profile rows: optional, needed when grade-tree rolls villages up."""
        title = self.out.put(sheet, first, 1, layout.PROFILE_TITLE)
        title.font = self.out.bold
        self.out.put(
            sheet,
            first,
            3,
            "乡镇、县的联创指标由此核算；用 grade-tree 汇总全县时必填，单独评分可不填",
        ).alignment = self.out.wrap
        raw = self.data.get("profile")
        profile: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if raw is not None and not isinstance(raw, dict):
            self.cannot(["profile"], "应为映射")
        notes = {
            "secretary_education": "从下拉列表选择",
            "committee_size": "村“两委”成员总数（人）",
            "wealth_leaders": "其中致富带头人（人）",
            "collective_operating_income": "村集体经营性收入（万元）",
            "identified": f"本年排查中被确定为软弱涣散村选“{layout.YES}”",
            "rectified": f"年内已整顿转化选“{layout.YES}”",
            "organization_set_up": f"村党组织按规定设置选“{layout.YES}”（以下八项供县级核算保障和组织情况）",
            "election_on_time": f"村党组织按期换届选“{layout.YES}”",
            "secretary_trained": f"书记年内参加了县级集中轮训选“{layout.YES}”",
            "secretary_basic_pay": "书记全年基本报酬（元）",
            "rural_income_last_year": "上年度当地农村居民人均可支配收入（元）",
            "operating_funds": "村级组织运转经费（万元，含办公经费和服务群众专项经费）",
            "premises_area": "党群服务中心建筑面积（平方米）",
            "premises_functional": f"党群服务中心功能齐全选“{layout.YES}”",
        }
        for row, (path, label) in enumerate(layout.PROFILE_FIELDS, start=first + 1):
            self.out.shown(sheet, row, 1, label)
            self.out.shown(sheet, row, 3, notes[path[-1]])
            value: Any = profile
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            if isinstance(value, bool):
                value = layout.YES if value else layout.NO
            elif not _is_scalar(value):
                self.cannot(["profile", *path], "应为单个值")
                value = None
            self.out.input(sheet, row, 2, value)
            where = f"B{row}"
            if path[-1] in layout.PROFILE_FLAGS | layout.PROFILE_YES_NO:
                options: Sequence[str] = (layout.YES, layout.NO)
                self.out.validate(sheet, where, "list", options=options, error="请选“是”或“否”")
            elif path[0] == "secretary_education":
                options = get_args(Education)
                self.out.validate(sheet, where, "list", options=options, error="请从下拉列表选择")
            elif path[0] in _PROFILE_DECIMALS:
                self.out.validate(sheet, where, "decimal", low=0, error="请填写不小于0的数字")
            else:
                self.out.validate(sheet, where, "whole", low=0, error="请填写不小于0的整数")

    def indicators(self, sheet: Worksheet) -> None:
        columns = {title: n for n, title in enumerate(layout.INDICATOR_COLUMNS, start=1)}
        self.out.header(sheet, layout.INDICATOR_COLUMNS, _WIDTHS)
        sheet.freeze_panes = "D2"
        raw = self.data.get("indicators")
        entries: dict[str, Any] = raw if isinstance(raw, dict) else {}
        known = {i.id for _, i in self.rubric.indicators()}
        for key in entries:
            if key not in known:
                self.cannot(["indicators", key], f"考评细则中没有指标“{key}”", key=True)
        row = 2
        for criterion in self.rubric.criteria:
            first = row
            for indicator in criterion.indicators:
                self.indicator_row(sheet, row, columns, indicator, entries.get(indicator.id))
                row += 1
            column = columns[layout.COL_CRITERION]
            self.out.shown(sheet, first, column, f"{criterion.name}（{fmt(criterion.points)}分）")
            for below in range(first + 1, row):
                sheet.cell(row=below, column=column).border = self.out.border
            if row - 1 > first:
                sheet.merge_cells(
                    start_row=first, start_column=column, end_row=row - 1, end_column=column
                )
            sheet.cell(row=first, column=column).alignment = self.out.center
        self.out.protect(sheet)

    def indicator_row(
        self, sheet: Worksheet, row: int, columns: dict[str, int], indicator: Indicator, raw: Any
    ) -> None:
        """One indicator: the rubric's cells shown, its kind's inputs open, and their validation."""
        from openpyxl.utils import get_column_letter

        shown = {
            layout.COL_ID: indicator.id,
            layout.COL_NAME: indicator.name,
            layout.COL_POINTS: cell_number(indicator.points),
            layout.COL_REQUIREMENT: indicator.requirement,
            layout.COL_KIND: indicator.rule.kind_name,
            layout.COL_HINT: cell_hint(indicator),
        }
        for title, value in shown.items():
            self.out.shown(sheet, row, columns[title], value)
        values = self.entry_cells(indicator, raw)
        inputs = [*indicator.rule.cells.inputs, *_ALWAYS_OPEN]
        if indicator.not_applicable_when:
            inputs.append(layout.COL_NOT_APPLICABLE)
        for title in _ANSWER_COLUMNS:
            if title in inputs:
                self.out.input(sheet, row, columns[title], values.get(title))
            else:
                self.out.shown(sheet, row, columns[title], None)
        cells = {title: f"{get_column_letter(column)}{row}" for title, column in columns.items()}
        self.indicator_checks(sheet, cells, indicator)

    def indicator_checks(
        self, sheet: Worksheet, cells: dict[str, str], indicator: Indicator
    ) -> None:
        """The validation of one indicator's inputs (``cells``: each column's cell on its row)."""
        hint = cell_hint(indicator)
        for check in indicator.rule.cell_checks(indicator.points):
            self.out.validate(
                sheet,
                cells[check.column],
                check.kind,
                low=check.low,
                high=check.high,
                options=check.options,
                prompt=hint if check.prompt else "",
                error=hint if check.error is None else check.error,
            )
        if indicator.not_applicable_when:
            self.out.validate(
                sheet,
                cells[layout.COL_NOT_APPLICABLE],
                "list",
                options=indicator.not_applicable_when,
                error="请从列表中选择缺项情形；如需说明，写在情形后面（“情形：说明”）",
                lenient=True,
            )
        self.out.validate(
            sheet,
            cells[layout.COL_SELF_SCORE],
            "decimal",
            low=0,
            high=indicator.points,
            error=f"自评分应在0到{fmt(indicator.points)}之间",
        )

    def entry_cells(self, indicator: Indicator, raw: Any) -> dict[str, Any]:
        """The cells of one filled-in entry, keyed by column title."""
        if self.filled is None or raw is None:
            return {}
        at: list[str | int] = ["indicators", indicator.id]
        if not isinstance(raw, dict):
            raw = {"value": raw}
        cells: dict[str, Any] = {}
        allowed = {"value", "not_applicable", "note", "attachments", "self_score"}
        for key in raw:
            if key not in allowed:
                self.cannot([*at, key], f"未知的键“{key}”", key=True)
        value = raw.get("value")
        rule = indicator.rule
        columns = rule.cells.field_columns if isinstance(value, dict) else None
        if columns and isinstance(value, dict) and set(value) <= set(columns):
            for key, title in columns.items():
                cells[title] = value.get(key)
        elif isinstance(value, bool) and rule.cells.reading == "yes/no":
            cells[layout.COL_VALUE] = layout.YES if value else layout.NO
        elif _is_scalar(value):
            cells[layout.COL_VALUE] = value
        else:
            self.cannot([*at, "value"], "这个值放不进一个单元格；请先按 validate 的提示改正")
        for key, title in (
            ("not_applicable", layout.COL_NOT_APPLICABLE),
            ("note", layout.COL_NOTE),
            ("self_score", layout.COL_SELF_SCORE),
        ):
            if key in raw:
                if not _is_scalar(raw[key]):
                    self.cannot([*at, key], "应为单个值")
                else:
                    cells[title] = raw[key]
        attachments = raw.get("attachments")
        if attachments:
            if isinstance(attachments, list) and all(_is_scalar(a) for a in attachments):
                cells[layout.COL_ATTACHMENTS] = "\n".join(str(a) for a in attachments)
            else:
                self.cannot([*at, "attachments"], "应为文件名列表")
        return {k: v for k, v in cells.items() if v is not None and v != ""}

    def events(
        self, key: str, known: Sequence[AdjustmentItem | VetoItem]
    ) -> dict[str, dict[str, Any]]:
        """The filled-in events of one section, by id."""
        raw = self.data.get(key)
        if self.filled is None or not raw:
            return {}
        if not isinstance(raw, list):
            self.cannot([key], "应为列表")
            return {}
        ids = {item.id for item in known}
        found: dict[str, dict[str, Any]] = {}
        for index, event in enumerate(raw):
            if not isinstance(event, dict) or not isinstance(event.get("id"), str):
                self.cannot([key, index], "每条应写成 {id: 事项编号, …}")
            elif event["id"] not in ids:
                self.cannot([key, index, "id"], f"考评细则中没有“{event['id']}”")
            elif event["id"] in found:
                self.cannot([key, index, "id"], f"“{event['id']}”重复出现")
            else:
                found[event["id"]] = event
        return found

    def event_inputs(
        self, sheet: Worksheet, row: int, first: int, event: dict[str, Any] | None, trigger: Any
    ) -> None:
        event = event or {}
        attachments = event.get("attachments")
        joined = "\n".join(str(a) for a in attachments) if isinstance(attachments, list) else None
        self.out.input(sheet, row, first, trigger)
        self.out.input(sheet, row, first + 1, event.get("note") or None)
        self.out.input(sheet, row, first + 2, joined or None)

    def adjustments(self, sheet: Worksheet, key: str, items: Sequence[AdjustmentItem]) -> None:
        self.out.header(
            sheet,
            layout.ADJUSTMENT_COLUMNS,
            {
                layout.COL_EVENT_NAME: 30,
                layout.COL_EVENT_BASIS: 30,
                layout.COL_NOTE: 30,
                layout.COL_ATTACHMENTS: 26,
            },
        )
        events = self.events(key, items)
        verb = "扣" if key == "penalties" else "加"
        for row, item in enumerate(items, start=2):
            cap = f"最多{verb}{fmt(item.cap)}分" if item.cap is not None else "不设上限"
            for column, value in enumerate(
                (item.id, item.name, f"{verb}{fmt(item.points)}分", cap, item.basis), start=1
            ):
                self.out.shown(sheet, row, column, value)
            event = events.get(item.id)
            count = None
            if event is not None:
                count = event.get("count", 1)
            self.event_inputs(sheet, row, 6, event, count)
            self.out.validate(sheet, f"F{row}", "whole", low=0, error="发生次数应为不小于0的整数")
        self.out.protect(sheet)

    def vetoes(self, sheet: Worksheet) -> None:
        self.out.header(
            sheet,
            layout.VETO_COLUMNS,
            {
                layout.COL_EVENT_NAME: 30,
                layout.COL_EVENT_BASIS: 30,
                layout.COL_NOTE: 30,
                layout.COL_ATTACHMENTS: 26,
            },
        )
        events = self.events("vetoes", self.rubric.vetoes)
        for row, item in enumerate(self.rubric.vetoes, start=2):
            for column, value in enumerate((item.id, item.name, item.basis), start=1):
                self.out.shown(sheet, row, column, value)
            event = events.get(item.id)
            self.event_inputs(sheet, row, 4, event, layout.YES if event is not None else None)
            self.out.validate(
                sheet,
                f"D{row}",
                "list",
                options=(layout.YES, layout.NO),
                error=f"请选“{layout.YES}”或“{layout.NO}”",
            )
        self.out.protect(sheet)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | Decimal | bool | float)
