"""Mutated workbooks never break the command line: exit 0/1/2, every error at 文件!工作表!单元格.

The workbook twin of ``test_mutations.py``: every example converted to a workbook is damaged the
ways workbooks get damaged, by hand or by a hostile sender, directly in its XML parts (cell values
of every type, formulas, deleted and renamed sheets, renamed column titles, merged ranges, far
cells, damaged zip parts) and graded through click's CliRunner. Time and memory are bounded by the
reader's limits (``reading/xlsx_cells.py``: cells holding values only, far cells and merged-range
floods refused, parts capped), not by a timed assert. Derandomized and bounded for CI.
"""

from __future__ import annotations

import functools
import io
import json
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, EXIT_OK
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import rubric_for
from lianchuang_cli.reading import xlsx_cells
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.xlsx_template import render_workbook
from tests.conftest import EXAMPLES

SOURCES = [
    *sorted((EXAMPLES / "village").glob("*.yaml")),
    EXAMPLES / "county-demo" / "shiqiao" / "township.yaml",
    EXAMPLES / "county-demo" / "county.yaml",
]
CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>.*?</c>)', re.S)
STYLE = re.compile(r' s="[0-9]+"')
CELL_NAME = re.compile(r"[A-Z]{1,3}[0-9]+")
ENGLISH = re.compile(
    r"[A-Za-z]+Error|Traceback|not well-formed|no element found|unclosed token|invalid token"
    r"|junk after|mismatched tag|undefined entity|syntax error"
)
"""An exception's name or an English phrase (“not well-formed”) inside a Chinese message."""

CELL_VALUES = [
    ' t="n"><v>12</v>',
    ' t="n"><v>-3.5</v>',
    ' t="n"><v>1e308</v>',
    ' t="n"><v>-1.7976931348623157e308</v>',
    ' t="n"><v>99999999999999999999999999</v>',
    ' t="n"><v>0.93</v>',
    ' t="n"><v>46023</v>',
    ' t="n"><v>abc</v>',
    ' t="n"><v></v>',
    ' t="s"><v>99999</v>',
    ' t="s"><v>-1</v>',
    ' t="b"><v>1</v>',
    ' t="b"><v>x</v>',
    ' t="e"><v>#DIV/0!</v>',
    ' t="d"><v>2026-01-01T00:00:00</v>',
    ' t="d"><v>not a date</v>',
    ' t="str"><f>SUM(A1:A3)</f><v>6</v>',
    "><f>1/0</f>",
    ' t="inlineStr"><is><t>十二</t></is>',
    ' t="inlineStr"><is><t>９３％</t></is>',
    " t=\"inlineStr\"><is><t>=cmd|' /C calc'!A0</t></is>",
    ' t="inlineStr"><is><t>_x0007_响铃</t></is>',
    ' t="inlineStr"><is><t>是</t></is>',
    ' t="inlineStr"><is><t> </t></is>',
    ' t="inlineStr"><is><r><t>分</t></r><r><t>段</t></r><rPh><t>fen</t></rPh></is>',
    ' t="inlineStr"><is><t>' + "长" * 5000 + "</t></is>",
    ' t="inlineStr"><is><t>&lt;script&gt;&amp;&#x41;</t></is>',
]
MERGES = ["D20:XFD1048576", "A1:Q60", "H2:H3", "B5:A1", "A1:A1", "XFD1:XFD1048576", "ZZZZ1:A", "H2"]
FAR_REFS = ["XFD1048576", "A1048576", "XFD1", "GS5000", "A5001", "GR5000"]


@functools.cache
def base_workbooks() -> dict[str, bytes]:
    """Every example as the workbook ``convert --to xlsx`` writes (built once)."""
    books = {}
    for source in SOURCES:
        doc = read_yaml(source)
        books[source.stem] = render_workbook(rubric_for(doc).rubric, doc)
    return books


@functools.cache
def sheet_parts(name: str) -> dict[str, str]:
    """Sheet title → its part, in one base workbook."""
    with zipfile.ZipFile(io.BytesIO(base_workbooks()[name])) as archive:
        return xlsx_cells.Workbook(archive).sheets


Parts = dict[str, bytes]
Mutation = Callable[[Parts], None]


@dataclass(frozen=True)
class Step:
    """One mutation: whether it touches only cells, what it does (for a failure report), how."""

    only_cells: bool
    description: str
    mutate: Mutation = field(repr=False)


class Case:
    """A damaged workbook; its repr is the recipe, not the bytes."""

    def __init__(self, recipe: str, only_cells: bool, content: bytes) -> None:
        self.recipe, self.only_cells, self.content = recipe, only_cells, content

    def __repr__(self) -> str:
        return f"Case({self.recipe!r}, only_cells={self.only_cells})"


def evidence_part(draw: st.DrawFn, name: str) -> str:
    """One of the five sheets the reader reads, as its part name."""
    return sheet_parts(name)[draw(st.sampled_from(layout.EVIDENCE_SHEETS))]


def text_of(parts: Parts, part: str) -> str:
    """A part's XML as text; bytes that are not UTF-8 (a part cut inside a character by an earlier
    mutation) are carried through unchanged by ``as_bytes``."""
    return parts[part].decode("utf-8", errors="surrogateescape")


def as_bytes(xml: str) -> bytes:
    """Text from ``text_of`` back to the part's bytes."""
    return xml.encode("utf-8", errors="surrogateescape")


@st.composite
def cell_mutation(draw: st.DrawFn, name: str) -> Step:
    """A cell given a value of another type (its style kept, so percent and date formats apply)."""
    part, value, pick = (
        evidence_part(draw, name),
        draw(st.sampled_from(CELL_VALUES)),
        draw(st.integers(0, 10_000)),
    )

    def mutate(parts: Parts) -> None:
        if part not in parts:  # removed by an earlier mutation
            return
        xml = text_of(parts, part)
        cells = list(CELL.finditer(xml))
        if not cells:
            return
        match = cells[pick % len(cells)]
        style = STYLE.search(match.group(2))
        new = f'<c r="{match.group(1)}"{style.group(0) if style else ""}{value}</c>'
        parts[part] = as_bytes(xml[: match.start()] + new + xml[match.end() :])

    return Step(True, f"{part}: cell #{pick} ←{value[:40]}", mutate)


@st.composite
def merge_mutation(draw: st.DrawFn, name: str) -> Step:
    """A merged range added, from harmless to a bomb over the whole sheet."""
    part, ref = evidence_part(draw, name), draw(st.sampled_from(MERGES))

    def mutate(parts: Parts) -> None:
        if part not in parts:  # removed by an earlier mutation
            return
        xml = text_of(parts, part)
        merge = f'<mergeCell ref="{ref}"/>'
        if "<mergeCells" in xml:
            xml = re.sub(r"<mergeCells[^>]*>", lambda m: m.group(0) + merge, xml, count=1)
        else:
            xml = xml.replace("</sheetData>", f"</sheetData><mergeCells>{merge}</mergeCells>", 1)
        parts[part] = as_bytes(xml)

    return Step(True, f"{part}: merge {ref}", mutate)


@st.composite
def far_cell_mutation(draw: st.DrawFn, name: str) -> Step:
    """A value typed far away from the form."""
    part, ref = evidence_part(draw, name), draw(st.sampled_from(FAR_REFS))
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def mutate(parts: Parts) -> None:
        if part not in parts:  # removed by an earlier mutation
            return
        cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        xml = text_of(parts, part).replace("</sheetData>", cell + "</sheetData>", 1)
        parts[part] = as_bytes(xml)

    return Step(True, f"{part}: value at {ref}", mutate)


@st.composite
def title_mutation(draw: st.DrawFn, name: str) -> Step:
    """A column title, a unit row label or a rule kind typed over (a header or column A cell)."""
    part = evidence_part(draw, name)
    old = draw(
        st.sampled_from(
            [*layout.INDICATOR_COLUMNS, layout.COL_EVENT_COUNT, "单位名称", "考评年度", "选择"]
        )
    )
    new = draw(st.sampled_from(["次数", "", " ", old + "（填）"]))

    def mutate(parts: Parts) -> None:
        if part not in parts:  # removed by an earlier mutation
            return
        xml = text_of(parts, part).replace(f"<t>{old}</t>", f"<t>{new}</t>", 1)
        parts[part] = as_bytes(xml)

    return Step(True, f"{part}: “{old}” → “{new}”", mutate)


@st.composite
def sheet_mutation(draw: st.DrawFn, name: str) -> Step:
    """A sheet deleted from the workbook's list, or renamed."""
    title = draw(st.sampled_from(layout.EVIDENCE_SHEETS))
    renamed = draw(st.sampled_from(["", "Sheet1", title + "1", layout.SHEET_GUIDE]))

    def mutate(parts: Parts) -> None:
        if "xl/workbook.xml" not in parts:
            return
        xml = text_of(parts, "xl/workbook.xml")
        replacement = "" if not renamed else rf'<\1sheet name="{renamed}"'
        pattern = (
            rf'<(\w+:)?sheet name="{title}"[^>]*/>'
            if not renamed
            else rf'<(\w+:)?sheet name="{title}"'
        )
        parts["xl/workbook.xml"] = as_bytes(
            re.sub(pattern, replacement.replace(r"<\1", "<"), xml, count=1)
        )

    return Step(False, f"sheet {title} → “{renamed}”", mutate)


@st.composite
def part_mutation(draw: st.DrawFn, name: str) -> Step:
    """A zip part damaged: cut short, emptied, removed, replaced by garbage or a DOCTYPE trick."""
    part = draw(
        st.sampled_from(
            [
                "xl/workbook.xml",
                "xl/styles.xml",
                "xl/_rels/workbook.xml.rels",
                evidence_part(draw, name),
            ]
        )
    )
    how = draw(st.sampled_from(["cut", "empty", "remove", "garbage", "doctype"]))
    keep = draw(st.floats(0.0, 1.0))

    def mutate(parts: Parts) -> None:
        if part not in parts:  # removed by an earlier mutation
            return
        data = parts[part]
        if how == "cut":
            parts[part] = data[: int(len(data) * keep)]
        elif how == "empty":
            parts[part] = b""
        elif how == "remove":
            del parts[part]
        elif how == "garbage":
            parts[part] = b"\x00\xff<not xml" * 10
        else:
            bomb = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            parts[part] = data.replace(b"?>", b"?>" + bomb, 1)

    return Step(False, f"{part}: {how} {keep:.2f}", mutate)


def damaged(name: str, mutations: list[Step], cut_zip: float | None) -> bytes:
    """The base workbook with the mutations applied, rezipped (and the zip itself cut short)."""
    with zipfile.ZipFile(io.BytesIO(base_workbooks()[name])) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    for step in mutations:
        step.mutate(parts)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    content = out.getvalue()
    return content if cut_zip is None else content[: int(len(content) * cut_zip)]


@st.composite
def damaged_workbooks(draw: st.DrawFn) -> Case:
    """A damaged example workbook, and whether only its cells were touched."""
    name = draw(st.sampled_from(sorted(base_workbooks())))
    kinds = [
        cell_mutation,
        merge_mutation,
        far_cell_mutation,
        title_mutation,
        sheet_mutation,
        part_mutation,
    ]
    weights = st.sampled_from(kinds[:4] * 3 + kinds[4:])
    mutations = [draw(kind(name)) for kind in draw(st.lists(weights, min_size=1, max_size=4))]
    cut_zip = draw(st.none() | st.floats(0.0, 0.999)) if draw(st.integers(0, 9)) == 0 else None
    only_cells = cut_zip is None and all(step.only_cells for step in mutations)
    recipe = f"{name}: {'; '.join(step.description for step in mutations)}; zip cut {cut_zip}"
    return Case(recipe, only_cells, damaged(name, mutations, cut_zip))


FOLDER = Path(tempfile.mkdtemp(prefix="lianchuang-xlsx-mutations-"))


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(damaged_workbooks())
def test_damaged_workbooks_are_graded_or_explained_at_their_cell(case: Case) -> None:
    """Exit 0/1/2 only; each error names its cell, or the whole file when the file is damaged."""
    content, only_cells = case.content, case.only_cells
    path = FOLDER / "单位.xlsx"
    path.write_bytes(content)
    result = CliRunner().invoke(main, ["score", str(path), "--format", "json"])
    assert result.exit_code in (EXIT_OK, EXIT_GATE_FAILED, EXIT_INPUT_ERROR), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    errors = list(errors_in(json.loads(result.stdout)))
    assert bool(errors) == (result.exit_code == EXIT_INPUT_ERROR), result.output
    for error in errors:
        assert error["file"] == str(path), error
        assert ENGLISH.search(error["message"]) is None, error
        if error["cell"] is not None or only_cells:
            sheet, _, cell = str(error["cell"]).partition("!")
            assert sheet in layout.EVIDENCE_SHEETS, error
            assert CELL_NAME.fullmatch(cell), error


def errors_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every error object anywhere in a JSON report."""
    if isinstance(value, dict):
        if isinstance(value.get("errors"), list):
            yield from value["errors"]
        for item in value.values():
            yield from errors_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from errors_in(item)


def test_a_part_cut_inside_a_character_can_still_be_mutated() -> None:
    """A “cut” step may end a part inside a Chinese character; a later cell step read it as UTF-8
    and the generator itself failed (UnicodeDecodeError in the landing gate). Bytes pass through."""
    cut = '<c r="B5"><is><t>党群服务中心</t></is></c>'.encode()[:-14]
    parts = {"xl/worksheets/sheet2.xml": cut}
    assert as_bytes(text_of(parts, "xl/worksheets/sheet2.xml")) == cut
