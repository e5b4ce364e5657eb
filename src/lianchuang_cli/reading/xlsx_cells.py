"""The cells of an .xlsx workbook, read straight from its sheet XML, with bounded work and memory.

An evidence workbook is a zip of XML parts; the reader needs only the values of five sheets,
their number formats (percent and date cells) and their merged ranges. Reading those parts
with the standard library's streaming parser costs a few milliseconds, where a full openpyxl
load costs about 80 (benchmarks/xlsx_readers.py). Only cells that hold a value are kept, so a
value at XFD1048576 or a merged range over a million cells costs no more than its one XML
element; a value that far away, or more cells than a filled form can have, is refused at its
cell rather than read.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
from xml.etree.ElementTree import Element, ParseError, fromstring
from xml.parsers import expat as pyexpat

MAX_ROW: Final = 5_000
"""The largest row a value may sit in: a rubric has about 60 indicators."""
MAX_COLUMN: Final = 200
"""The largest column a value may sit in (GR): the indicator sheet has 17 columns."""
MAX_CELLS: Final = 100_000
"""Cells holding a value, over the sheets read: a filled form has about 1,500."""
MAX_MERGED_CELLS: Final = 100_000
"""Cells covered by merged ranges, after clipping each range to the cells that hold values."""
MAX_PART_BYTES: Final = 8 * 1024 * 1024
"""An XML part streamed (the shared strings, the styles, the sheet list)."""
MAX_SHEET_BYTES: Final = 4 * 1024 * 1024
"""A sheet part, parsed whole into a tree: a filled indicator sheet is about 100 KB, and the tree
of 4 MB of the smallest cells stays under 100 MB."""

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})\Z")
_LITERALS = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_LETTERS = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_BUILTIN_FORMATS: Final = {
    9: "0%",
    10: "0.00%",
    14: "yyyy-mm-dd",
    15: "d-mmm-yy",
    16: "d-mmm",
    17: "mmm-yy",
    18: "h:mm AM/PM",
    19: "h:mm:ss AM/PM",
    20: "h:mm",
    21: "h:mm:ss",
    22: "yyyy-mm-dd h:mm",
    45: "mm:ss",
    46: "[h]:mm:ss",
    47: "mmss.0",
    # Chinese-locale built-ins (WPS and Excel zh-CN write dates with these ids).
    **dict.fromkeys((*range(27, 37), *range(50, 59)), "yyyy-mm-dd"),
}
_GENERAL: Final = ("General", False)
_WINDOWS_EPOCH = dt.datetime(1899, 12, 30)
_MAC_EPOCH = dt.datetime(1904, 1, 1)


class WorkbookError(Exception):
    """The file is not a workbook this reader can take; ``cell`` says where, when known."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


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


@functools.lru_cache(maxsize=1 << 15)
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


def unescape(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (control characters, and ``_x005F_`` for "_")."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _local(name: str) -> str:
    """An element's name without its namespace prefix (``x:c`` → ``c``)."""
    return name[name.find(":") + 1 :]


_P = TypeVar("_P", bound="_Part")


def _refuse_doctype(*_: object) -> None:
    raise WorkbookError("含有 DOCTYPE 声明（工作簿从不需要；可能是恶意构造的文件）")


class _Part:
    """Handlers for one XML part, fed by expat: no element tree is built, so memory stays that of
    the values kept, and a part costs one pass of the C parser plus a call per element."""

    text: list[str] | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element starts."""

    def end(self, name: str) -> None:
        """An element ends."""

    def chars(self, data: str) -> None:
        """Text inside the current element; kept while ``text`` is a list."""
        if self.text is not None:
            self.text.append(data)


class _WorkbookPart(_Part):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "sheet":
            self.sheets.append(
                (
                    attrs.get("name", ""),
                    next((v for k, v in attrs.items() if k.endswith(":id")), ""),
                )
            )
        elif tag == "workbookPr":
            self.date1904 = attrs.get("date1904", "0").lower() in {"1", "true"}


class _RelationsPart(_Part):
    def __init__(self) -> None:
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")


class _StringsPart(_Part):
    """Shared strings: the text of each ``si``, its runs joined, phonetic hints (rPh) left out."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "t" and not self.phonetic:
            self.text = []
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "si":
            self.parts = []

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag == "t" and self.text is not None:
            self.parts.append("".join(self.text))
            self.text = None
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "si":
            self.strings.append(unescape("".join(self.parts)))


class _StylesPart(_Part):
    """The number format of each cell style, by index (a cell's ``s`` attribute)."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.style_formats: list[int] = []
        self.in_cell_styles = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "numFmt":
            self.custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_styles = True
        elif tag == "xf" and self.in_cell_styles:
            self.style_formats.append(_int(attrs.get("numFmtId")))

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_styles = False

    def formats(self) -> list[str]:
        return [
            self.custom.get(number) or _BUILTIN_FORMATS.get(number, "General")
            for number in self.style_formats
        ]


class Workbook:
    """A workbook's sheet names, and its sheets read on request."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._names = {name.lower(): name for name in archive.namelist()}
        self._cell_budget = MAX_CELLS
        workbook_path = self._part_path("xl/workbook.xml")
        relations = self._relations(workbook_path)
        part = self._parse(workbook_path, _WorkbookPart())
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

    def _parse(self, path: str, part: _P) -> _P:
        """Feed one part through expat into ``part``'s handlers; refuse a DOCTYPE or bad XML."""
        if self._archive.getinfo(path).file_size > MAX_PART_BYTES:
            raise WorkbookError(f"{path} 解压后超过 {MAX_PART_BYTES // (1024 * 1024)} MB")
        parser = pyexpat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.EntityDeclHandler = _refuse_doctype
        parser.StartElementHandler = part.start
        parser.EndElementHandler = part.end
        parser.CharacterDataHandler = part.chars
        try:
            with self._archive.open(path) as stream:
                parser.ParseFile(stream)
        except pyexpat.ExpatError as exc:
            raise WorkbookError(
                f"{path} 已损坏，不是完整的 XML（第{exc.lineno}行第{exc.offset + 1}列附近）"
            ) from None
        return part

    def _relations(self, part: str) -> dict[str, str]:
        folder, _, base = part.rpartition("/")
        rels = f"{folder}/_rels/{base}.rels"
        if rels.lower() not in self._names:
            return {}
        targets: dict[str, str] = {}
        for relation, target in self._parse(
            self._names[rels.lower()], _RelationsPart()
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
            self._strings = [] if path is None else self._parse(path, _StringsPart()).strings
        return self._strings

    def _number_formats(self) -> list[str]:
        """The number format of each cell style (``s`` attribute), by index."""
        if self._formats is None:
            path = self._names.get("xl/styles.xml")
            self._formats = [] if path is None else self._parse(path, _StylesPart()).formats()
        return self._formats

    def sheet(self, title: str) -> Sheet:
        """Read one sheet's cells that hold a value, and its merged ranges."""
        path = self._names.get(self.sheets[title].lower())
        if path is None:
            raise WorkbookError("工作表的内容缺失", sheet=title)
        strings, styles = self._shared_strings(), self._styles()
        sheet = Sheet(title)
        cells = sheet.cells

        def keep(
            place: tuple[int, int], attrs: dict[str, str], raw: str | None, inline: str | None
        ) -> None:
            value = self._value(attrs.get("t", "n"), raw, inline, strings)
            if value is None:
                return
            row, column = place
            if row > MAX_ROW or column > MAX_COLUMN:
                raise WorkbookError(
                    f"单元格 {column_letter(column)}{row} 远在模板范围之外（工作表最多 "
                    f"{MAX_ROW} 行、{column_letter(MAX_COLUMN)} 列）；请删除该单元格的内容后重新保存",
                    sheet=title,
                    cell=f"{column_letter(min(column, 16384))}{row}",
                )
            self._cell_budget -= 1
            if self._cell_budget < 0:
                raise WorkbookError(
                    f"工作簿填写的单元格超过 {MAX_CELLS} 个，不像是佐证材料；请检查是否选错了文件",
                    sheet=title,
                )
            style = attrs.get("s")
            number_format, is_date = styles.get(style, _GENERAL) if style else _GENERAL
            if is_date and isinstance(value, int | float) and not isinstance(value, bool):
                value = self._date(value)
            cells[place] = (value, number_format)

        root = self._tree(path, title)
        ns = root.tag[: root.tag.find("}") + 1]
        value_tag, inline_tag = f"{ns}v", f"{ns}is"
        row_number = 0
        for row in root.iter(f"{ns}row"):
            row_number = _int(row.get("r")) or row_number + 1
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
                    keep(place, attrs, raw, inline)
        merges: list[tuple[int, int, int, int]] = []
        for merged in root.iter(f"{ns}mergeCell"):
            corners = [_split_ref(part) for part in merged.get("ref", "").split(":")]
            if len(corners) == 2 and corners[0] is not None and corners[1] is not None:
                (top, left), (bottom, right) = corners[0], corners[1]
                merges.append(
                    (min(top, bottom), min(left, right), max(top, bottom), max(left, right))
                )
            if len(merges) > MAX_MERGED_CELLS:
                raise WorkbookError(
                    f"合并单元格过多（超过 {MAX_MERGED_CELLS} 处）；请取消多余的合并后重新保存",
                    sheet=title,
                )
        _spread_merges(sheet, merges)
        return sheet

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
            index = _int(raw, -1)
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


def _int(text: str | None, default: int = 0) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


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
