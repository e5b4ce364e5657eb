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
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar
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
"""An XML part read (a sheet, the shared strings, the styles): a filled sheet is about 100 KB."""

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


_COLUMN_NUMBERS: Final = {column_letter(n): n for n in range(1, MAX_COLUMN + 1)}


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


class _Finished(Exception):
    """Raised by a handler once everything wanted from a part has been read."""


_AFTER_MERGES = frozenset(
    {"phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks", "printOptions"}
    | {"pageMargins", "pageSetup", "headerFooter", "drawing", "legacyDrawing", "tableParts"}
    | {"extLst", "rowBreaks", "colBreaks", "ignoredErrors"}
)
"""What a worksheet holds after its merged ranges (the schema fixes the order): not read."""


class _SheetPart(_Part):
    """A worksheet: each ``c`` with a value is handed to ``keep``, each ``mergeCell`` recorded."""

    def __init__(self, keep: Any) -> None:
        self.keep = keep
        self.row = 0
        self.column = 0
        self.attrs: dict[str, str] = {}
        self.value: str | None = None
        self.inline: list[str] | None = None
        self.phonetic = False
        self.merges: list[tuple[int, int, int, int]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name[name.find(":") + 1 :]
        if tag == "c":
            self.attrs, self.value, self.inline = attrs, None, None
        elif tag == "v":
            self.text = []
        elif tag == "is":
            self.inline = []
        elif tag == "t":
            if self.inline is not None and not self.phonetic:
                self.text = []
        elif tag == "row":
            self.row, self.column = _int(attrs.get("r")) or self.row + 1, 0
        elif tag == "rPh":
            self.phonetic = True
        elif tag == "mergeCell":
            corners = [_split_ref(part) for part in attrs.get("ref", "").split(":")]
            if len(corners) == 2 and corners[0] is not None and corners[1] is not None:
                (top, left), (bottom, right) = corners[0], corners[1]
                self.merges.append(
                    (min(top, bottom), min(left, right), max(top, bottom), max(left, right))
                )
                if len(self.merges) > MAX_MERGED_CELLS:
                    raise WorkbookError(
                        f"合并单元格过多（超过 {MAX_MERGED_CELLS} 处）；请取消多余的合并后重新保存"
                    )
        elif tag in _AFTER_MERGES:
            raise _Finished

    def end(self, name: str) -> None:
        tag = name[name.find(":") + 1 :]
        if tag == "c":
            place = _split_ref(self.attrs.get("r", ""))
            if place is None:
                place = (max(self.row, 1), self.column + 1)
            self.row, self.column = place
            inline = None if self.inline is None else "".join(self.inline)
            self.keep(place, self.attrs, self.value, inline)
        elif self.text is not None:
            if tag == "v":
                self.value = "".join(self.text)
            elif self.inline is not None:
                self.inline.append("".join(self.text))
            self.text = None
        elif tag == "rPh":
            self.phonetic = False


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
        except _Finished:
            pass
        except pyexpat.ExpatError as exc:
            raise WorkbookError(
                f"{path} 不是有效的 XML（{pyexpat.errors.messages[exc.code]}）"
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
        strings, formats = self._shared_strings(), self._number_formats()
        sheet = Sheet(title)

        def keep(
            place: tuple[int, int], attrs: dict[str, str], raw: str | None, inline: str | None
        ) -> None:
            value, number_format = self._value(attrs, raw, inline, strings, formats)
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
            sheet.cells[place] = (value, number_format)

        try:
            part = self._parse(path, _SheetPart(keep))
        except WorkbookError as exc:
            exc.sheet = exc.sheet or title
            raise
        _spread_merges(sheet, part.merges)
        return sheet

    def _value(
        self,
        attrs: dict[str, str],
        raw: str | None,
        inline: str | None,
        strings: list[str],
        formats: list[str],
    ) -> tuple[Any, str]:
        kind = attrs.get("t", "n")
        style = _int(attrs.get("s"))
        number_format = formats[style] if 0 <= style < len(formats) else "General"
        if inline is not None and kind == "inlineStr":
            return unescape(inline), number_format
        if raw is None:
            return None, number_format
        if kind == "s":
            index = _int(raw, -1)
            return (strings[index] if 0 <= index < len(strings) else None), number_format
        if kind in {"str", "inlineStr", "e"}:
            return unescape(raw), number_format
        if kind == "b":
            return raw.strip() in {"1", "true"}, number_format
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw.strip()), number_format
            except ValueError:
                return raw, number_format
        try:
            number: int | float = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        except ValueError:
            return raw, number_format
        if is_date_format(number_format):
            return self._date(number), number_format
        return number, number_format

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
