"""The small XML parts of a workbook, streamed through expat without building a tree: the sheet
list, the relations that name each sheet's part, the shared strings and each cell style's
number format. The sheets themselves are ``xlsx_cells``."""

from __future__ import annotations

import re
import zipfile
from typing import Final, TypeVar
from xml.parsers import expat as pyexpat

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")

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

MAX_PART_BYTES: Final = 8 * 1024 * 1024
"""An XML part streamed (the shared strings, the styles, the sheet list)."""


class WorkbookError(Exception):
    """The file is not a workbook this reader can take; ``cell`` says where, when known."""

    def __init__(self, message: str, *, sheet: str | None = None, cell: str | None = None):
        super().__init__(message)
        self.message = message
        self.sheet = sheet
        self.cell = cell


def unescape(text: str) -> str:
    """Undo OOXML's ``_xHHHH_`` escapes (control characters, and ``_x005F_`` for "_")."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _local(name: str) -> str:
    """An element's name without its namespace prefix (``x:c`` → ``c``)."""
    return name[name.find(":") + 1 :]


_P = TypeVar("_P", bound="Part")


def _refuse_doctype(*_: object) -> None:
    raise WorkbookError("含有 DOCTYPE 声明（工作簿从不需要；可能是恶意构造的文件）")


class Part:
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


class WorkbookPart(Part):
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


class RelationsPart(Part):
    def __init__(self) -> None:
        self.targets: dict[str, str] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            self.targets[attrs.get("Id", "")] = attrs.get("Target", "")


class StringsPart(Part):
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


class StylesPart(Part):
    """The number format of each cell style, by index (a cell's ``s`` attribute)."""

    def __init__(self) -> None:
        self.custom: dict[int, str] = {}
        self.style_formats: list[int] = []
        self.in_cell_styles = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "numFmt":
            self.custom[int_or(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif tag == "cellXfs":
            self.in_cell_styles = True
        elif tag == "xf" and self.in_cell_styles:
            self.style_formats.append(int_or(attrs.get("numFmtId")))

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_styles = False

    def formats(self) -> list[str]:
        return [
            self.custom.get(number) or _BUILTIN_FORMATS.get(number, "General")
            for number in self.style_formats
        ]


def int_or(text: str | None, default: int = 0) -> int:
    """``text`` as a whole number; ``default`` when there is none or it is not one."""
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def parse_part(archive: zipfile.ZipFile, path: str, part: _P) -> _P:
    """Feed one part through expat into ``part``'s handlers; refuse a DOCTYPE or bad XML."""
    if archive.getinfo(path).file_size > MAX_PART_BYTES:
        raise WorkbookError(f"{path} 解压后超过 {MAX_PART_BYTES // (1024 * 1024)} MB")
    parser = pyexpat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.EntityDeclHandler = _refuse_doctype
    parser.StartElementHandler = part.start
    parser.EndElementHandler = part.end
    parser.CharacterDataHandler = part.chars
    try:
        with archive.open(path) as stream:
            parser.ParseFile(stream)
    except pyexpat.ExpatError as exc:
        raise WorkbookError(
            f"{path} 已损坏，不是完整的 XML（第{exc.lineno}行第{exc.offset + 1}列附近）"
        ) from None
    return part
