"""The cells of an .xlsx workbook, read straight from its sheet XML, with bounded work and memory.

An evidence workbook is a zip of XML parts; the reader needs only the values of five sheets,
their number formats (percent and date cells) and their merged ranges. Reading those parts
with the standard library's streaming parser costs a few milliseconds, where a full openpyxl
load costs about 80 (benchmarks/xlsx_readers.py). Only cells that hold a value are kept, so a
value at XFD1048576 or a merged range over a million cells costs no more than its one XML
element; a value that far away, or more cells than a filled form can have, is refused at its
cell rather than read. The workbook's other parts (sheet list, shared strings, styles) are
streamed by ``xlsx_parts``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final
from xml.etree.ElementTree import Element, ParseError, fromstring

from lianchuang_cli.reading.xlsx_parts import (
    RelationsPart,
    StringsPart,
    StylesPart,
    WorkbookError,
    WorkbookPart,
    int_or,
    parse_part,
    unescape,
)

MAX_ROW: Final = 5_000
"""The largest row a value may sit in: a rubric has about 60 indicators."""
MAX_COLUMN: Final = 200
"""The largest column a value may sit in (GR): the indicator sheet has 17 columns."""
MAX_CELLS: Final = 100_000
"""Cells holding a value, over the sheets read: a filled form has about 1,500."""
MAX_MERGED_CELLS: Final = 100_000
"""Cells covered by merged ranges, after clipping each range to the cells that hold values."""
MAX_SHEET_BYTES: Final = 4 * 1024 * 1024
"""A sheet part, parsed whole into a tree: a filled indicator sheet is about 100 KB, and the tree
of 4 MB of the smallest cells stays under 100 MB."""

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})\Z")
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTERS = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_GENERAL: Final = ("General", False)
_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)


@dataclass(slots=True)
class Sheet:
    """One worksheet's cells that hold a value: ``(row, column) → (value, number format)``."""

    title: str
    cells: dict[tuple[int, int], tuple[Any, str]] = field(default_factory=dict)
    merged_from: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """Each cell inside a merged range (clipped to the used range) → the range's top-left cell."""

    def get(self, row: int, column: int) -> tuple[Any, str]:
        """The value and number format a cell shows (a merged cell shows its range's top-left)."""
        where = self.merged_from.get((row, column), (row, column))
        return self.cells.get(where, (None, "General"))

    def rows(self) -> list[int]:
        """The rows that show a value, top down."""
        shown = {row for row, _ in self.cells} | {row for row, _ in self.merged_from}
        return sorted(shown)

    @property
    def max_column(self) -> int:
        """The rightmost column holding a value (0 for an empty sheet)."""
        return max((column for _, column in self.cells), default=0)


def column_letter(index: int) -> str:
    """``A`` for 1, ``AA`` for 27."""
    if 0 < index < len(_LETTERS):
        return _LETTERS[index]
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


_LETTERS: Final[list[str]] = []
_LETTERS.extend(column_letter(n) for n in range(MAX_COLUMN + 1))
_COLUMN_NUMBERS: Final = {letters: n for n, letters in enumerate(_LETTERS) if n}


@functools.lru_cache(maxsize=1 << 15)  # a pure memo: the reference's text is all it reads
def _split_ref(ref: str) -> tuple[int, int] | None:
    """``(row, column)`` of a reference such as ``C12`` (None if it is not one)."""
    letters = ref.rstrip("0123456789")
    column = _COLUMN_NUMBERS.get(letters)
    if column is None:
        match = _CELL_REF.match(ref.replace("$", ""))
        if match is None:
            return None
        letters, column = match.group(1), _column_number(match.group(1))
    digits = ref[len(letters) :]
    if not digits.isascii() or not digits.isdigit() or len(digits) > 7:
        return None
    row = int(digits)
    return (row, column) if row >= 1 else None


def is_date_format(number_format: str) -> bool:
    """Whether a number format shows a date or time (letters outside quoted literals)."""
    first = number_format.split(";")[0]
    return _DATE_LETTERS.search(_LITERALS.sub("", first)) is not None


class Workbook:
    """A workbook's sheet names, and its sheets read on request."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._names = {name.lower(): name for name in archive.namelist()}
        self._cell_budget = MAX_CELLS
        workbook_path = self._part_path("xl/workbook.xml")
        relations = self._relations(workbook_path)
        part = parse_part(self._archive, workbook_path, WorkbookPart())
        self.sheets: dict[str, str] = {}
        for name, relation in part.sheets:
            if name and relation in relations:
                self.sheets.setdefault(name, relations[relation])
        self.date1904 = part.date1904
        self._strings: list[str] | None = None
        self._formats: list[str] | None = None
        self._style_info: dict[str, tuple[str, bool]] | None = None

    @property
    def sheetnames(self) -> list[str]:
        """Sheet names in the workbook's order."""
        return list(self.sheets)

    def _part_path(self, path: str) -> str:
        found = self._names.get(path.lstrip("/").lower())
        if found is None:
            raise WorkbookError(f"缺少 {path}")
        return found

    def _relations(self, part: str) -> dict[str, str]:
        folder, _, base = part.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels"
        if rels.lower() not in self._names:
            return {}
        targets: dict[str, str] = {}
        for relation, target in parse_part(
            self._archive, self._names[rels.lower()], RelationsPart()
        ).targets.items():
            path = target.lstrip("/") if target.startswith("/") else f"{folder}/{target}"
            parts: list[str] = []
            for piece in path.split("/"):
                if piece == "..":
                    if parts:
                        parts.pop()
                elif piece not in {"", "."}:
                    parts.append(piece)
            targets[relation] = "/".join(parts)
        return targets

    def _shared_strings(self) -> list[str]:
        if self._strings is None:
            path = self._names.get("xl/sharedstrings.xml")
            self._strings = (
                [] if path is None else parse_part(self._archive, path, StringsPart()).strings
            )
        return self._strings

    def _number_formats(self) -> list[str]:
        """The number format of each cell style (``s`` attribute), by index."""
        if self._formats is None:
            path = self._names.get("xl/styles.xml")
            self._formats = (
                [] if path is None else parse_part(self._archive, path, StylesPart()).formats()
            )
        return self._formats

    def sheet(self, title: str) -> Sheet:
        """Read one sheet's cells that hold a value, and its merged ranges."""
        path = self._names.get(self.sheets[title].lower())
        if path is None:
            raise WorkbookError("工作表的内容缺失", sheet=title)
        strings, styles = self._shared_strings(), self._styles()
        sheet = Sheet(title)
        root = self._tree(path, title)
        ns = root.tag[: root.tag.find("}") + 1]
        self._read_cells(sheet, root, ns, strings, styles)
        _spread_merges(sheet, _merged_ranges(root, ns, title))
        return sheet

    def _read_cells(
        self,
        sheet: Sheet,
        root: Element,
        ns: str,
        strings: list[str],
        styles: dict[str, tuple[str, bool]],
    ) -> None:
        """Keep each cell of the sheet's tree that holds a value, at its row and column."""
        value_tag, inline_tag = f"{ns}v", f"{ns}is"
        row_number = 0
        for row in root.iter(f"{ns}row"):
            row_number = int_or(row.get("r")) or row_number + 1
            column_number = 0
            for cell in row:
                if not len(cell):  # a formatted empty cell: nothing to read
                    column_number += 1
                    continue
                attrs = cell.attrib
                place = _split_ref(attrs.get("r", "")) or (row_number, column_number + 1)
                column_number = place[1]
                raw = inline = None
                for child in cell:
                    if child.tag == value_tag:
                        raw = child.text or ""
                    elif child.tag == inline_tag:
                        inline = _inline_text(child, ns)
                if raw is not None or inline is not None:
                    value = self._value(attrs.get("t", "n"), raw, inline, strings)
                    if value is not None:
                        self._keep(sheet, place, value, attrs.get("s"), styles)

    def _keep(
        self,
        sheet: Sheet,
        place: tuple[int, int],
        value: Any,
        style: str | None,
        styles: dict[str, tuple[str, bool]],
    ) -> None:
        """Keep one value with its number format (a date format makes a number a date);
        refuse it far outside the form, or past the workbook's budget of cells."""
        row, column = place
        if row > MAX_ROW or column > MAX_COLUMN:
            raise WorkbookError(
                f"单元格 {column_letter(column)}{row} 远在模板范围之外（工作表最多 "
                f"{MAX_ROW} 行、{column_letter(MAX_COLUMN)} 列）；请删除该单元格的内容后重新保存",
                sheet=sheet.title,
                cell=f"{column_letter(min(column, 16384))}{row}",
            )
        self._cell_budget -= 1
        if self._cell_budget < 0:
            raise WorkbookError(
                f"工作簿填写的单元格超过 {MAX_CELLS} 个，不像是佐证材料；请检查是否选错了文件",
                sheet=sheet.title,
            )
        number_format, is_date = styles.get(style, _GENERAL) if style else _GENERAL
        if is_date and isinstance(value, int | float) and not isinstance(value, bool):
            value = self._date(value)
        sheet.cells[place] = (value, number_format)

    def _tree(self, path: str, title: str) -> Element:
        """A sheet part parsed into an element tree (C-built; the part's size is capped first)."""
        if self._archive.getinfo(path).file_size > MAX_SHEET_BYTES:
            raise WorkbookError(
                f"工作表解压后超过 {MAX_SHEET_BYTES // (1024 * 1024)} MB，不像是佐证材料",
                sheet=title,
            )
        data = self._archive.read(path)
        if b"<!DOCTYPE" in data:
            raise WorkbookError(
                "含有 DOCTYPE 声明（工作簿从不需要；可能是恶意构造的文件）", sheet=title
            )
        try:
            return fromstring(_without_tail(data))
        except ParseError as exc:
            line, column = exc.position
            raise WorkbookError(
                f"内容已损坏，不是完整的 XML（第{line}行第{column + 1}列附近）；"
                "请用 Excel 或 WPS 打开后重新保存，或重新生成模板后填写",
                sheet=title,
            ) from None

    def _styles(self) -> dict[str, tuple[str, bool]]:
        """Each cell style (the ``s`` attribute's text) → its number format, and whether a date."""
        if self._style_info is None:
            formats = self._number_formats()
            self._style_info = {str(i): (f, is_date_format(f)) for i, f in enumerate(formats)}
        return self._style_info

    @staticmethod
    def _value(kind: str, raw: str | None, inline: str | None, strings: list[str]) -> Any:
        """A cell's value by its type: text, number, boolean, ISO date (None when empty)."""
        if inline is not None and kind == "inlineStr":
            return unescape(inline)
        if raw is None:
            return None
        if kind == "s":
            index = int_or(raw, -1)
            return strings[index] if 0 <= index < len(strings) else None
        if kind in {"str", "inlineStr", "e"}:
            return unescape(raw)
        if kind == "b":
            return raw.strip() in {"1", "true"}
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip())
            except ValueError:
                return raw
        try:
            return float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        except ValueError:
            return raw

    def _date(self, serial: float) -> Any:
        if not -1e6 < serial < 3e6:  # beyond year 9999: show the number, validation explains
            return serial
        day, fraction = divmod(serial, 1)
        moment = dt.timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= serial < 1 and moment.days == 0:
            seconds = moment.seconds
            return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
        if self.date1904:
            return _MAC_EPOCH + dt.timedelta(days=day) + moment
        if 0 < serial < 60:  # Excel counts a 29 February 1900 that never was
            day += 1
        return _WINDOWS_EPOCH + dt.timedelta(days=day) + moment


_SHEET_DATA_END = re.compile(
    rb"</(?:[A-Za-z_][\w.-]*:)?sheetData>|<(?:[A-Za-z_][\w.-]*:)?sheetData/>"
)
_TAIL = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:phoneticPr|conditionalFormatting|dataValidations|hyperlinks"
    rb"|printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|customProperties"
    rb"|cellWatches|ignoredErrors|smartTags|drawing|legacyDrawing|picture|oleObjects|controls"
    rb"|webPublishItems|tableParts|extLst)[\s/>]"
)
_ROOT = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?worksheet)[\s>]")


def _without_tail(data: bytes) -> bytes:
    """The sheet XML up to its merged ranges, closed: what follows them (data validations,
    conditional formats, print setup; the schema fixes that order) is never read, and in the
    template it is 40 % of the indicator sheet. The part is returned whole when unsure."""
    end = _SHEET_DATA_END.search(data)
    root = _ROOT.search(data, 0, 4096)
    if end is None or root is None:
        return data
    tail = _TAIL.search(data, end.end())
    if tail is None:
        return data
    return data[: tail.start()] + b"</" + root.group(1) + b">"


def _inline_text(element: Element, ns: str) -> str:
    """The text of an inline string: its ``t``, or each run's ``t`` (phonetic hints left out)."""
    parts: list[str] = []
    for child in element:
        if child.tag == f"{ns}t":
            parts.append(child.text or "")
        elif child.tag == f"{ns}r":
            parts.extend(t.text or "" for t in child if t.tag == f"{ns}t")
    return "".join(parts)


def _merged_ranges(root: Element, ns: str, title: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (top, left, bottom, right); refused when absurdly many."""
    merges: list[tuple[int, int, int, int]] = []
    for merged in root.iter(f"{ns}mergeCell"):
        corners = [_split_ref(part) for part in merged.get("ref", "").split(":")]
        if len(corners) == 2 and corners[0] is not None and corners[1] is not None:
            (top, left), (bottom, right) = corners[0], corners[1]
            merges.append((min(top, bottom), min(left, right), max(top, bottom), max(left, right)))
        if len(merges) > MAX_MERGED_CELLS:
            raise WorkbookError(
                f"合并单元格过多（超过 {MAX_MERGED_CELLS} 处）；请取消多余的合并后重新保存",
                sheet=title,
            )
    return merges


def _spread_merges(sheet: Sheet, merges: list[tuple[int, int, int, int]]) -> None:
    """Map the cells of each merged range to its top-left, inside the used range only.

    A range reaching past the last row or column holding a value is cut there: cells beyond
    it are never asked for, so ``D20:XFD1048576`` costs what ``D20:Q60`` does.
    """
    if not merges or not sheet.cells:
        return
    last_row = max(row for row, _ in sheet.cells)
    last_column = max(column for _, column in sheet.cells)
    budget = MAX_MERGED_CELLS
    for top, left, bottom, right in merges:
        bottom, right = min(bottom, last_row), min(right, last_column)
        area = max(0, bottom - top + 1) * max(0, right - left + 1)
        budget -= area
        if budget < 0:
            raise WorkbookError(
                f"合并单元格过多（超过 {MAX_MERGED_CELLS} 个单元格）；请取消多余的合并后重新保存",
                sheet=sheet.title,
                cell=f"{column_letter(left)}{top}",
            )
        for row in range(top, bottom + 1):
            for column in range(left, right + 1):
                if (row, column) != (top, left):
                    sheet.merged_from[(row, column)] = (top, left)


def open_workbook(archive: zipfile.ZipFile) -> Workbook:
    """Read a workbook's sheet list; raise ``WorkbookError`` when it is not one."""
    return Workbook(archive)
