"""Read an evidence workbook (the ``template --format xlsx`` form) into the same values as YAML.

What a cell holds is not always what its owner typed: Excel stores every number as a float, a
percent-formatted cell holds 0.93 for "93%", WPS and pasted data leave numbers as text ("12",
"９３%"), dates arrive as datetimes, and a merged range keeps its value in the top-left cell only.
This module walks the sheets, turns cells into the values the user meant (``xlsx_values``) and
remembers which cell each came from (``xlsx_document``), so that evidence checking can point at
``Sheet!C12`` exactly as it points at a YAML line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from lianchuang_cli.errors import InputError, Problem, file_problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.forms.xlsx_layout import XLSX_SUFFIXES as XLSX_SUFFIXES
from lianchuang_cli.forms.xlsx_layout import is_workbook as is_workbook
from lianchuang_cli.model.rules import RULE_CLASS_BY_KIND
from lianchuang_cli.model.rules.cells import KindCells, Reading
from lianchuang_cli.reading.document import Location, problem_at
from lianchuang_cli.reading.files import read_regular_file
from lianchuang_cli.reading.formats import foreign_advice
from lianchuang_cli.reading.xlsx_cells import Sheet, Workbook
from lianchuang_cli.reading.xlsx_document import WorkbookDocument as WorkbookDocument
from lianchuang_cli.reading.xlsx_document import cell_name
from lianchuang_cli.reading.xlsx_parts import WorkbookError
from lianchuang_cli.reading.xlsx_values import (
    cell_text,
    is_percent_format,
    number_from_float,
    number_from_text,
    split_list,
    truth,
)

MAX_FILE_BYTES = 8 * 1024 * 1024
"""A filled template is ~20 KB; anything this large is not an evidence workbook."""

MAX_UNPACKED_BYTES = 64 * 1024 * 1024
"""Refuse zip bombs before any part is inflated."""


_REQUIRED_TEXT = frozenset({"name", "code"})


def read_workbook(path: str | Path, *, name: str | None = None) -> WorkbookDocument:
    """Read an evidence workbook; raise ``InputError`` with located problems."""
    display = name if name is not None else str(path)
    raw = read_regular_file(path, display, limit=MAX_FILE_BYTES, what=" Excel 文件")
    return parse_workbook(raw, name=display)


def parse_workbook(raw: bytes, *, name: str) -> WorkbookDocument:
    """Parse the bytes of an evidence workbook.

    Problems of the workbook's shape (a missing sheet, row or column) are raised at once; those
    of single cells are kept on the document (``reading_problems``) so that evidence checking
    lists them together with its own, and a user sees every error of the file in one run.
    """
    with _open(raw, name) as archive:
        reader = _Reader(name)
        try:
            book = Workbook(archive)
            data = reader.read(book)
        except WorkbookError as exc:
            raise InputError([_refusal(name, exc)]) from None
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            # A damaged or encrypted member surfaces only once it is inflated.
            raise InputError([file_problem(name, _NOT_XLSX)]) from None
    if reader.problems:
        raise InputError(reader.problems)
    cells = reader.cells
    return WorkbookDocument(
        name, data, hashlib.sha256(raw).hexdigest(), cells, tuple(reader.deferred)
    )


_NOT_XLSX = (
    "不是有效的 .xlsx 工作簿（文件可能已损坏，或只是改了扩展名）；请用 Excel 或 WPS 打开后重新保存"
)


def _refusal(name: str, exc: WorkbookError) -> Problem:
    if exc.sheet is None:
        return file_problem(name, f"{_NOT_XLSX}（{exc.message}）")
    row, column = 1, 1
    if exc.cell is not None:
        letters = exc.cell.rstrip("0123456789")
        row = int(exc.cell[len(letters) :])
        column = 0
        for letter in letters:
            column = column * 26 + ord(letter) - 64
    where = Location(row, column, cell_name(exc.sheet, row, column))
    return problem_at(name, where, f"工作表“{exc.sheet}”：{exc.message}")


def _open(raw: bytes, name: str) -> zipfile.ZipFile:
    def fail(message: str) -> InputError:
        return InputError([file_problem(name, message)])

    if len(raw) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1024 * 1024)
        raise fail(f"文件超过{limit} MB，不像是佐证材料工作簿；请检查是否选错了文件")
    advice = foreign_advice(raw, name)
    if advice is not None:
        raise fail(advice)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise fail(_NOT_XLSX) from None
    if unpacked > MAX_UNPACKED_BYTES:
        archive.close()
        raise fail("工作簿解压后过大，不像是佐证材料；请检查是否选错了文件")
    return archive


class _Reader:
    """Walks the sheets once, building the data and recording each value's cell."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.cells: dict[tuple[str | int, ...], Location] = {
            (): Location(1, 1, cell_name(layout.SHEET_UNIT, 1, 1))
        }
        self.deferred: list[Problem] = []

    def complain(self, where: Location, message: str) -> None:
        """A problem with the workbook's shape: reading stops after the sheet that has it."""
        self.problems.append(problem_at(self.name, where, message))

    def defer(self, where: Location, message: str) -> None:
        """A problem with one cell: listed with what evidence checking finds."""
        self.deferred.append(problem_at(self.name, where, message))

    def at(self, sheet: str, row: int, column: int) -> Location:
        return Location(row, column, cell_name(sheet, row, column))

    def read(self, book: Workbook) -> dict[str, Any]:
        data: dict[str, Any] = {}
        missing = [s for s in layout.EVIDENCE_SHEETS if s not in book.sheetnames]
        if missing:
            self.complain(
                self.cells[()],
                f"工作簿缺少工作表“{'”“'.join(missing)}”；这不是 lianchuang 生成的佐证材料模板，"
                "请用 lianchuang template 细则 --format xlsx 生成模板后填写",
            )
            return data
        self._unit(book.sheet(layout.SHEET_UNIT), data)
        data["indicators"] = self._indicators(book.sheet(layout.SHEET_INDICATORS))
        for key, sheet_name in layout.EVENT_SHEETS:
            data[key] = self._events(book.sheet(sheet_name), key)
        return data

    def value(self, sheet: Sheet, row: int, column: int) -> Any:
        """The cell's value as typed: numbers exact, percent cells as percentages."""
        value, number_format = sheet.get(row, column)
        if isinstance(value, str):
            return value.strip() or None
        if isinstance(value, float):
            return number_from_float(value, is_percent_format(number_format))
        if isinstance(value, int) and not isinstance(value, bool):
            return value * 100 if is_percent_format(number_format) else value
        return value

    def number(self, sheet: Sheet, row: int, column: int) -> Any:
        value = self.value(sheet, row, column)
        return number_from_text(value) if isinstance(value, str) else value

    def header(self, sheet: Sheet, first: str, needed: Sequence[str]) -> tuple[int, dict[str, int]]:
        for row in [r for r in sheet.rows() if r <= 10]:
            titles = {
                str(self.value(sheet, row, c)): c
                for c in range(1, sheet.max_column + 1)
                if self.value(sheet, row, c) is not None
            }
            if first in titles:
                lost = [t for t in needed if t not in titles]
                if lost:
                    self.complain(
                        self.at(sheet.title, row, 1),
                        f"工作表“{sheet.title}”缺少“{'”“'.join(lost)}”列（标题行第{row}行）；"
                        "请不要删除或改动模板中的列标题，或重新生成模板后填写",
                    )
                    return 0, {}
                return row, titles
        self.complain(
            self.at(sheet.title, 1, 1),
            f"工作表“{sheet.title}”找不到标题行（“{first}”）；请不要改动模板的标题行",
        )
        return 0, {}

    def _unit(self, sheet: Sheet, data: dict[str, Any]) -> None:
        self.cells[("unit",)] = self.at(sheet.title, 1, 1)
        labels: dict[str, int] = {}
        for row in sheet.rows():
            label = self.value(sheet, row, 1)
            if isinstance(label, str):
                labels.setdefault(label, row)
        unit: dict[str, Any] = {}
        for key, label in layout.UNIT_FIELDS:
            if label not in labels and key in layout.UNIT_OPTIONAL:
                continue
            if label not in labels:
                self.complain(
                    self.at(sheet.title, 1, 1),
                    f"工作表“{sheet.title}”缺少“{label}”一行；请不要删除模板中的行",
                )
                continue
            row = labels[label]
            where = self.at(sheet.title, row, 2)
            if key == "year":
                value = self.number(sheet, row, 2)
                if isinstance(value, dt.datetime | dt.date):
                    value = value.year
                elif isinstance(value, str) and value.endswith("年"):
                    value = number_from_text(value.removesuffix("年"))
            elif key.endswith("code"):
                value = self._code(sheet, row, label)
            else:
                value = cell_text(self.value(sheet, row, 2))
            if key in layout.UNIT_TOP_LEVEL:
                self.cells[(key,)] = where
                if value is not None:
                    data[key] = value
            else:
                self.cells[("unit", key)] = where
                if value is None and key in _REQUIRED_TEXT:
                    value = ""  # an empty cell reads like an empty text: "单位名称未填写"
                if value is not None or key not in layout.UNIT_OPTIONAL:
                    unit[key] = value
        data["unit"] = unit
        profile = self._profile(sheet, labels)
        if profile is not None:
            data["profile"] = profile

    def _code(self, sheet: Sheet, row: int, label: str) -> Any:
        """A code as text. One stored as a number has lost any leading 0 (Excel drops it), unless
        a zero-padding format (“000000”) shows it: then it is read as shown, else it is an error."""
        value = self.value(sheet, row, 2)
        if not isinstance(value, int | Decimal) or isinstance(value, bool):
            return value
        text = str(value)
        number_format = sheet.get(row, 2)[1]
        if isinstance(value, int) and value >= 0 and set(number_format) == {"0"}:
            return text.zfill(len(number_format))
        self.defer(
            self.at(sheet.title, row, 2),
            f"“{label}”存成了数字 {text}：Excel 会去掉代码开头的 0，代码可能已经不完整；"
            "请把该单元格设为“文本”格式后重新输入完整代码（如 0571030503），"
            "或在代码前加英文单引号输入（'0571030503）",
        )
        return text

    def _profile(self, sheet: Sheet, labels: dict[str, int]) -> dict[str, Any] | None:
        """The village profile rows, or None when none of them is filled in."""
        if layout.PROFILE_TITLE not in labels:
            return None
        self.cells[("profile",)] = self.at(sheet.title, labels[layout.PROFILE_TITLE], 1)
        profile: dict[str, Any] = {}
        flags: dict[str, Any] = {}
        for path, label in layout.PROFILE_FIELDS:
            if label not in labels and path[0] in layout.PROFILE_OPTIONAL:
                continue
            if label not in labels:
                self.complain(
                    self.cells[("profile",)],
                    f"工作表“{sheet.title}”缺少“{label}”一行；请不要删除模板中的行",
                )
                continue
            row = labels[label]
            where = self.at(sheet.title, row, 2)
            self.cells[("profile", *path)] = where
            if path[-1] in layout.PROFILE_FLAGS:
                self.cells.setdefault(("profile", path[0]), where)
                flag = truth(self.number(sheet, row, 2))
                if flag is not None:
                    flags[path[-1]] = flag
            elif path[0] in layout.PROFILE_YES_NO:
                profile[path[0]] = truth(self.number(sheet, row, 2))
            elif path[0] == "secretary_education":
                profile[path[0]] = cell_text(self.value(sheet, row, 2))
            else:
                profile[path[0]] = self.number(sheet, row, 2)
        if flags:
            profile["weak_and_lax"] = flags
        if all(value is None for value in profile.values()) and not flags:
            return None
        return profile

    def _indicators(self, sheet: Sheet) -> dict[str, Any]:
        title = sheet.title
        self.cells[("indicators",)] = self.at(title, 1, 1)
        inputs = (
            layout.COL_VALUE,
            layout.COL_PART,
            layout.COL_WHOLE,
            layout.COL_PREVIOUS,
            layout.COL_BREACHES,
            layout.COL_REASON,
            layout.COL_NOT_APPLICABLE,
            layout.COL_NOTE,
            layout.COL_ATTACHMENTS,
            layout.COL_SELF_SCORE,
        )
        header_row, columns = self.header(sheet, layout.COL_ID, (layout.COL_KIND, *inputs))
        if not header_row:
            return {}
        self.cells[("indicators",)] = self.at(title, header_row, columns[layout.COL_ID])
        indicators: dict[str, Any] = {}
        for row in [r for r in sheet.rows() if r > header_row]:
            raw_id = cell_text(self.value(sheet, row, columns[layout.COL_ID]))
            if raw_id is None:
                continue
            at = self.at(title, row, columns[layout.COL_ID])
            if raw_id in indicators:
                self.defer(at, f"指标编号“{raw_id}”重复出现；每项指标只能有一行")
                continue
            kind_at = self.at(title, row, columns[layout.COL_KIND])
            kind = layout.KINDS_BY_NAME.get(cell_text(self.value(sheet, row, kind_at.column)) or "")
            if kind is None:
                self.defer(
                    kind_at, "“评分方式”被改动，无法识别；请恢复原内容，或重新生成模板后填写"
                )
                kind = ""  # the row's cells are still read; the rubric's rule checks them
            base: tuple[str | int, ...] = ("indicators", raw_id)
            self.cells[base] = at
            indicators[raw_id] = self._entry(sheet, row, columns, kind, base)
        return indicators

    def _entry(
        self,
        sheet: Sheet,
        row: int,
        columns: dict[str, int],
        kind: str,
        base: tuple[str | int, ...],
    ) -> dict[str, Any]:
        def cell(title: str) -> Location:
            return self.at(sheet.title, row, columns[title])

        spec = _kind_cells(kind)
        value_at = cell(layout.COL_VALUE)
        value = self._read(sheet, value_at, spec.reading)
        self.cells[(*base, "value")] = value_at
        if spec.fields:
            value = self._fields(sheet, spec, value, cell, base)
        entry: dict[str, Any] = {}
        na_at = cell(layout.COL_NOT_APPLICABLE)
        self.cells[(*base, "not_applicable")] = na_at
        not_applicable = cell_text(self.value(sheet, row, na_at.column))
        if not_applicable is not None:
            entry["not_applicable"] = not_applicable
        if value is not None or not_applicable is None:
            entry["value"] = value
        note_at = cell(layout.COL_NOTE)
        self.cells[(*base, "note")] = note_at
        note = cell_text(self.value(sheet, row, note_at.column))
        if note is not None:
            entry["note"] = note
        attachments_at = cell(layout.COL_ATTACHMENTS)
        self.cells[(*base, "attachments")] = attachments_at
        attachments = split_list(cell_text(self.value(sheet, row, attachments_at.column)))
        if attachments:
            entry["attachments"] = attachments
        self_at = cell(layout.COL_SELF_SCORE)
        self.cells[(*base, "self_score")] = self_at
        self_score = self.number(sheet, row, self_at.column)
        if self_score is not None:
            entry["self_score"] = self_score
        return entry

    def _fields(
        self,
        sheet: Sheet,
        spec: KindCells,
        value: Any,
        cell: Callable[[str], Location],
        base: tuple[str | int, ...],
    ) -> Any:
        """A mapping value from its fields' cells (when any is filled); else 填写值 or nothing."""
        found = {
            f.key: value
            if f.column == layout.COL_VALUE
            else self._read(sheet, cell(f.column), f.reading)
            for f in spec.fields
        }
        filled = any(v is not None for v in found.values())
        if value is not None and layout.COL_VALUE not in spec.field_columns.values():
            if filled or not spec.value_cell:
                self.defer(cell(layout.COL_VALUE), spec.misplaced)
            if not spec.value_cell:
                value = None
        if not filled:
            return value
        self.cells[(*base, "value")] = cell(spec.fields[0].column)
        for f in spec.fields:
            self.cells[(*base, "value", f.key)] = cell(f.column)
        return {k: v for k, v in found.items() if v is not None or not spec.omit_empty}

    def _read(self, sheet: Sheet, where: Location, reading: Reading) -> Any:
        """One cell as a value, read as a rule kind says."""
        if reading == "text":
            return cell_text(self.value(sheet, where.line, where.column))
        if reading == "rule unit":
            return self.value(sheet, where.line, where.column)
        value = self.number(sheet, where.line, where.column)
        return truth(value) if reading == "yes/no" else value

    def _events(self, sheet: Sheet, key: str) -> list[dict[str, Any]]:
        title = sheet.title
        self.cells[(key,)] = self.at(title, 1, 1)
        veto = key == "vetoes"
        trigger = layout.COL_EVENT_HAPPENED if veto else layout.COL_EVENT_COUNT
        header_row, columns = self.header(
            sheet, layout.COL_EVENT_ID, (trigger, layout.COL_NOTE, layout.COL_ATTACHMENTS)
        )
        if not header_row:
            return []
        self.cells[(key,)] = self.at(title, header_row, columns[layout.COL_EVENT_ID])
        events: list[dict[str, Any]] = []
        for row in [r for r in sheet.rows() if r > header_row]:
            event_id = cell_text(self.value(sheet, row, columns[layout.COL_EVENT_ID]))
            if event_id is None:
                continue
            id_at = self.at(title, row, columns[layout.COL_EVENT_ID])
            trigger_at = self.at(title, row, columns[trigger])
            note_at = self.at(title, row, columns[layout.COL_NOTE])
            attachments_at = self.at(title, row, columns[layout.COL_ATTACHMENTS])
            note = cell_text(self.value(sheet, row, note_at.column))
            attachments = split_list(cell_text(self.value(sheet, row, attachments_at.column)))
            described = note is not None or bool(attachments)
            event: dict[str, Any] = {"id": event_id}
            if veto:
                happened = truth(self.number(sheet, row, trigger_at.column))
                if happened is None and described:
                    self.defer(
                        trigger_at,
                        f"填写了情况说明或佐证材料，但“{layout.COL_EVENT_HAPPENED}”未选；"
                        f"发生请选“{layout.YES}”，未发生请清空说明",
                    )
                    continue
                if happened is not True:
                    if happened is not None and happened is not False:
                        self.defer(
                            trigger_at,
                            f"“{happened}”无法识别；请选“{layout.YES}”或“{layout.NO}”",
                        )
                    continue
            else:
                count = self.number(sheet, row, trigger_at.column)
                if count == 0 or (count is None and not described):
                    continue
                event["count"] = count
            if note is not None:
                event["note"] = note
            if attachments:
                event["attachments"] = attachments
            at: tuple[str | int, ...] = (key, len(events))
            self.cells[at] = id_at
            self.cells[(*at, "id")] = id_at
            self.cells[(*at, "count")] = trigger_at
            self.cells[(*at, "note")] = note_at
            self.cells[(*at, "attachments")] = attachments_at
            events.append(event)
        return events


_UNKNOWN_KIND = KindCells("number")
"""A row whose 评分方式 was changed: its 填写值 is still read (the rubric's rule checks it)."""


def _kind_cells(kind: str) -> KindCells:
    rule_class = RULE_CLASS_BY_KIND.get(kind)
    return rule_class.cells if rule_class is not None else _UNKNOWN_KIND
