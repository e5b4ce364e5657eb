"""Hostile and careless workbooks: bounded work, located refusals, every error listed in one run."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reading import xlsx_cells
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from tests.test_xlsx_reader import V, cell_of, meaning, problems_of, saved, set_cells, taoyuan
from tests.xlsx_fill import edit

FAR_CELL = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def sheet_parts(content: bytes) -> dict[str, str]:
    """Sheet title → its XML part inside the workbook."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return xlsx_cells.Workbook(archive).sheets


def patch_parts(content: bytes, patches: dict[str, Callable[[str], str]]) -> bytes:
    """The workbook with some XML parts rewritten (as a hand-edited or hostile file would be)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in patches:
                data = patches[info.filename](data.decode("utf-8")).encode("utf-8")
            target.writestr(info.filename, data)
    return out.getvalue()


def in_sheets(content: bytes, titles: list[str], change: Callable[[str], str]) -> bytes:
    """Apply one XML change to the parts of the named sheets."""
    parts = sheet_parts(content)
    return patch_parts(content, {parts[title]: change for title in titles})


def with_merge(ref: str) -> Callable[[str], str]:
    """Add a merged range to a sheet's XML."""

    def change(xml: str) -> str:
        if "<mergeCells" in xml:
            return re.sub(
                r"<mergeCells[^>]*>", lambda m: f'{m.group(0)}<mergeCell ref="{ref}"/>', xml
            )
        return xml.replace(
            "</sheetData>", f'</sheetData><mergeCells><mergeCell ref="{ref}"/></mergeCells>'
        )

    return change


def test_merged_range_bomb_costs_what_the_used_range_does(tmp_path: Path) -> None:
    """``D20:XFD1048576`` is cut to the cells that hold values; the file is graded or refused, located."""
    content = in_sheets(taoyuan(), [layout.SHEET_INDICATORS], with_merge("D20:XFD1048576"))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = xlsx_cells.Workbook(archive).sheet(layout.SHEET_INDICATORS)
    last_row = max(row for row, _ in sheet.cells)
    last_column = max(column for _, column in sheet.cells)
    assert len(sheet.merged_from) <= last_row * last_column
    outcome = grade_file(saved(tmp_path, content))
    if isinstance(outcome, FileFailure):
        assert all(p.cell and p.cell.startswith("指标!") for p in outcome.problems)


def test_many_merged_ranges_are_refused_at_the_sheet(tmp_path: Path) -> None:
    """More merged cells than any form has is refused, naming the sheet, not inflated."""
    merges = "".join(f'<mergeCell ref="A{r}:Q{r + 1}"/>' for r in range(1, 60, 1))

    def change(xml: str) -> str:
        return with_merge("A1:B1")(xml).replace('<mergeCell ref="A1:B1"/>', merges * 200)

    outcome = grade_file(saved(tmp_path, in_sheets(taoyuan(), [V], change)))
    assert isinstance(outcome, FileFailure)
    (problem,) = outcome.problems
    assert problem.cell is not None
    assert problem.cell.startswith("指标!")
    assert "合并单元格过多" in problem.message


def test_a_far_cell_is_refused_at_its_place(tmp_path: Path) -> None:
    """A value at XFD1048576 in every sheet is refused at that cell, without a grid to fill."""
    titles = list(sheet_parts(taoyuan()))
    content = in_sheets(
        taoyuan(), titles, lambda xml: xml.replace("</sheetData>", f"{FAR_CELL}</sheetData>")
    )
    outcome = grade_file(saved(tmp_path, content))
    assert isinstance(outcome, FileFailure)
    (problem,) = outcome.problems
    assert problem.cell == f"{layout.SHEET_UNIT}!XFD1048576"
    assert "远在模板范围之外" in problem.message


def test_a_far_cell_on_a_sheet_not_read_changes_nothing(tmp_path: Path) -> None:
    """The guide sheet is never read: a stray value there does not matter."""
    content = in_sheets(
        taoyuan(),
        [layout.SHEET_GUIDE],
        lambda xml: xml.replace("</sheetData>", f"{FAR_CELL}</sheetData>"),
    )
    assert isinstance(grade_file(saved(tmp_path, content)), UnitResult)


@pytest.mark.parametrize(
    "sheet", [layout.SHEET_PENALTIES, layout.SHEET_BONUSES, layout.SHEET_VETOES]
)
def test_a_renamed_column_title_is_located(tmp_path: Path, sheet: str) -> None:
    """扣分项 “发生次数” → “次数” is a located problem (was KeyError, exit 3), and the batch goes on."""
    title = layout.COL_EVENT_HAPPENED if sheet == layout.SHEET_VETOES else layout.COL_EVENT_COUNT

    def rename(book: openpyxl.Workbook) -> None:
        for cell in book[sheet][1]:
            if cell.value == title:
                cell.value = "次数"

    folder = tmp_path / "in"
    folder.mkdir()
    bad = saved(folder, edit(taoyuan(), rename), "bad.xlsx")
    saved(folder, taoyuan(), "good.xlsx")
    outcome = grade_file(bad)
    assert isinstance(outcome, FileFailure)
    (problem,) = outcome.problems
    assert problem.cell == f"{sheet}!A1"
    assert f"缺少“{title}”列" in problem.message
    result = CliRunner().invoke(main, ["batch", str(folder), "--format", "json"])
    assert result.exit_code == 2, result.output
    assert "good.xlsx" in result.stdout
    assert "bad.xlsx" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("command", ["score", "validate", "convert"])
def test_a_fifo_named_xlsx_is_refused(tmp_path: Path, command: str) -> None:
    """A named pipe is refused at once (it used to block the reader forever)."""
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    argv = [command, str(fifo), *(["--to", "yaml"] if command == "convert" else [])]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 2, result.output
    assert "不是普通文件" in result.output


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512


def zipped(files: dict[str, bytes]) -> bytes:
    """A zip holding the given members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "advice"),
    [
        ("real.xls", OLE + "Workbook".encode("utf-16-le"), "另存为” Excel 工作簿（.xlsx）"),
        ("real.et", OLE, "WPS 表格（.et）"),
        ("renamed.xlsx", OLE, "另存为” Excel 工作簿（.xlsx）"),
        ("locked.xlsx", OLE + "EncryptedPackage".encode("utf-16-le"), "取消密码"),
        ("old.doc", OLE + "WordDocument".encode("utf-16-le"), "Word 文档"),
        ("sheet.ods", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "OpenDocument 表格"),
        ("sheet.xlsx", zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "OpenDocument 表格"),
        ("letter.docx", zipped({"word/document.xml": b"<w/>"}), "Word 文档（.docx）"),
        ("data.csv", "单位,得分\n桃源村,90\n".encode("gbk"), "CSV 表格"),
        ("unit.yaml", zipped({"xl/workbook.xml": b"<workbook/>"}), "扩展名改为 .xlsx"),
        ("unit.yaml", zipped({"a.txt": b"x"}), "ZIP 压缩包"),
        ("scan.yaml", b"%PDF-1.7\n", "PDF"),
    ],
)  # fmt: skip
def test_other_formats_get_advice_by_their_bytes(
    tmp_path: Path, name: str, content: bytes, advice: str
) -> None:
    """``score real.xls`` says to save as .xlsx in Excel or WPS, not to re-encode text as UTF-8."""
    path = saved(tmp_path, content, name)
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 2, result.output
    assert advice in result.output
    assert "UTF-8" not in result.output


def test_every_workbook_error_is_listed_in_one_run(tmp_path: Path) -> None:
    """Two cells with both a value and 达标数/总数 no longer hide the “十二” typed elsewhere."""
    path = saved(
        tmp_path,
        set_cells(
            (V, "dues_paid", layout.COL_VALUE, 95),
            (V, "member_review", layout.COL_VALUE, 90),
            (V, "theme_party_days", layout.COL_VALUE, "十二"),
        ),
    )
    messages = {p.cell: p.message for p in problems_of(path)}
    assert set(messages) == {
        cell_of(V, "member_review", layout.COL_VALUE),
        cell_of(V, "dues_paid", layout.COL_VALUE),
        cell_of(V, "theme_party_days", layout.COL_VALUE),
    }
    assert "只能填写一种" in messages[cell_of(V, "dues_paid", layout.COL_VALUE)]
    assert "“十二”应为整数" in messages[cell_of(V, "theme_party_days", layout.COL_VALUE)]


def with_shared_strings(content: bytes) -> bytes:
    """The workbook as Excel and WPS save it: text in a shared-string table, not inline.

    Each inline string becomes an index into ``xl/sharedStrings.xml``; one entry is written as
    rich text with a phonetic hint, as Excel writes text typed with a Chinese input method.
    """
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        strings.append(match.group(2))
        return f'{match.group(1)} t="s"><v>{len(strings) - 1}</v></c>'

    inline = re.compile(
        r'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', re.S
    )
    parts = sheet_parts(content)

    def change(xml: str) -> str:
        return inline.sub(shared, xml)

    content = patch_parts(content, dict.fromkeys(parts.values(), change))
    items = [f"<si><t>{text}</t></si>" for text in strings]
    if strings:
        first = strings[0]
        items[0] = (
            f'<si><r><t>{first[:1]}</t></r><r><t>{first[1:]}</t></r><rPh sb="0" eb="1"><t>zhi</t></rPh></si>'
        )
    table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(items)
        + "</sst>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        target.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def test_shared_strings_read_like_inline_ones(tmp_path: Path) -> None:
    """A workbook saved by Excel or WPS (shared strings, rich text, phonetic hints) grades the same."""
    inline = grade_file(saved(tmp_path, taoyuan(), "inline.xlsx"))
    content = with_shared_strings(taoyuan())
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"inlineStr" not in archive.read(sheet_parts(content)[layout.SHEET_INDICATORS])
    shared = grade_file(saved(tmp_path, content, "shared.xlsx"))
    assert isinstance(inline, UnitResult)
    assert isinstance(shared, UnitResult)
    assert meaning(shared) == meaning(inline)
