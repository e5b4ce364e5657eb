"""Recognise files that are not evidence (old Excel, WPS, OpenDocument, Word, CSV…) by their bytes.

A village secretary hands in whatever the office PC saved. Told "not UTF-8 text" about an
``.xls`` file, they cannot act; told "open it in Excel or WPS and save as .xlsx", they can.
The advice depends on what the bytes are, not on the file's extension, which is often wrong.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_RESAVE_XLSX = "请用 Excel 或 WPS 打开，“另存为” Excel 工作簿（.xlsx）后再试"
_USE_TEMPLATE = "佐证材料请填写 lianchuang template 生成的 Excel 模板（.xlsx）或 YAML 文件"


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def _ole_advice(raw: bytes) -> str:
    # The stream names of an OLE2 compound file sit in its directory as UTF-16 text.
    if _utf16("EncryptedPackage") in raw:
        return (
            "这个工作簿设置了打开密码，无法读取；请在 Excel 或 WPS 中取消密码"
            "（文件→信息→保护工作簿），保存后再试"
        )
    if _utf16("WordDocument") in raw:
        return f"这是 Word 文档（.doc），不是佐证材料；{_USE_TEMPLATE}"
    if _utf16("PowerPoint") in raw:
        return f"这是 PowerPoint 演示文稿（.ppt），不是佐证材料；{_USE_TEMPLATE}"
    return f"这是旧版 Excel（.xls）或 WPS 表格（.et）文件；{_RESAVE_XLSX}"


def _zip_advice(raw: bytes, suffix: str) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            names = {name.lower() for name in archive.namelist()}
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, RuntimeError):
        return None
    if b"opendocument.spreadsheet" in mimetype:
        return "这是 OpenDocument 表格（.ods）；请用 WPS、Excel 或 LibreOffice 打开，“另存为” Excel 工作簿（.xlsx）后再试"
    if b"opendocument" in mimetype:
        return f"这是 OpenDocument 文档，不是佐证材料；{_USE_TEMPLATE}"
    if "word/document.xml" in names:
        return f"这是 Word 文档（.docx），不是佐证材料；{_USE_TEMPLATE}"
    if any(name.startswith("ppt/") for name in names):
        return f"这是 PowerPoint 演示文稿（.pptx），不是佐证材料；{_USE_TEMPLATE}"
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        if "xl/workbook.bin" in names:
            return f"这是 Excel 二进制工作簿（.xlsb）；{_RESAVE_XLSX}"
        if suffix in {".xlsx", ".xlsm"}:
            return None
        return (
            f"这是 Excel 工作簿，但扩展名是“{suffix or '（无）'}”；请把文件扩展名改为 .xlsx 后再试"
        )
    if suffix in {".xlsx", ".xlsm"}:
        return None
    return "这是 ZIP 压缩包，不是佐证材料；请先解压，再对其中的文件评分"


def foreign_advice(raw: bytes, name: str) -> str | None:
    """What to do with a file whose bytes are not what ``name``'s reader takes; None if they may be.

    Called by both readers: a YAML reader gets None for text, a workbook reader for an .xlsx zip.
    """
    suffix = PurePath(name).suffix.lower()
    if raw.startswith(_OLE_MAGIC):
        return _ole_advice(raw)
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return _zip_advice(raw, suffix)
    if raw.startswith(b"%PDF"):
        return f"这是 PDF 文件，不是佐证材料；{_USE_TEMPLATE}"
    if raw.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return (
            f"这是图片文件，不是佐证材料；图片可作为佐证材料的附件列在“佐证材料”中，{_USE_TEMPLATE}"
        )
    if suffix in {".csv", ".tsv"}:
        return (
            "这是 CSV 表格（逗号分隔的文本），缺少模板的工作表和评分方式；"
            "请用 lianchuang template 细则 --format xlsx 生成模板，把数据填入模板后再试"
        )
    return None
