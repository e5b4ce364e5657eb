"""The evidence workbook: guide first, rubric text locked, inputs open, drop-downs and number checks."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import load_evidence
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rules import RULE_KIND_NAMES
from lianchuang_cli.reports.xlsx_template import render_workbook
from tests.conftest import MINI_RUBRIC, RUBRICS
from tests.xlsx_fill import columns, rows_by_id

RUBRIC = load_rubric(RUBRICS / "village.yaml").rubric
BOOK = openpyxl.load_workbook(io.BytesIO(render_workbook(RUBRIC)))


def test_sheets_in_order_guide_first() -> None:
    """Instructions first, then unit, indicators and the three event sheets; lists hidden last."""
    assert BOOK.sheetnames == [
        layout.SHEET_GUIDE,
        *layout.EVIDENCE_SHEETS,
        layout.SHEET_LISTS,
    ]
    assert BOOK[layout.SHEET_LISTS].sheet_state == "hidden"
    guide = " ".join(str(c.value) for c in BOOK[layout.SHEET_GUIDE]["A"] if c.value)
    assert RUBRIC.title in guide
    assert "lianchuang validate" in guide


def test_one_row_per_indicator_grouped_by_criterion() -> None:
    """Every indicator has a row with its points, requirement and rule; criteria are merged cells."""
    sheet = BOOK[layout.SHEET_INDICATORS]
    cols, rows = columns(sheet), rows_by_id(sheet)
    for _, indicator in RUBRIC.indicators():
        row = rows[indicator.id]
        assert sheet.cell(row=row, column=cols[layout.COL_NAME]).value == indicator.name
        assert sheet.cell(row=row, column=cols[layout.COL_POINTS]).value == float(indicator.points)
        assert (
            sheet.cell(row=row, column=cols[layout.COL_REQUIREMENT]).value == indicator.requirement
        )
        kind = sheet.cell(row=row, column=cols[layout.COL_KIND]).value
        assert kind == layout.KIND_NAMES[indicator.rule.kind]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert len(merged) == len(RUBRIC.criteria)


def test_every_sheet_is_protected_and_only_inputs_are_open() -> None:
    """Input cells are unlocked; ids, rules and headers are locked on a protected sheet."""
    sheet = BOOK[layout.SHEET_INDICATORS]
    cols, rows = columns(sheet), rows_by_id(sheet)
    for name in (layout.SHEET_GUIDE, *layout.EVIDENCE_SHEETS):
        assert BOOK[name].protection.sheet
    for indicator_id, row in rows.items():
        kind = sheet.cell(row=row, column=cols[layout.COL_KIND]).value
        for title in (layout.COL_ID, layout.COL_POINTS, layout.COL_REQUIREMENT, layout.COL_KIND):
            assert sheet.cell(row=row, column=cols[title]).protection.locked, (indicator_id, title)
        counts = (
            (layout.COL_WHOLE, layout.COL_BREACHES)
            if kind == layout.KIND_NAMES["breaches"]
            else (layout.COL_VALUE,)
        )
        for title in (
            *counts,
            layout.COL_NOTE,
            layout.COL_ATTACHMENTS,
            layout.COL_SELF_SCORE,
        ):
            assert not sheet.cell(row=row, column=cols[title]).protection.locked, (
                indicator_id,
                title,
            )
        part_open = not sheet.cell(row=row, column=cols[layout.COL_PART]).protection.locked
        assert part_open == (kind == layout.KIND_NAMES["percentage"])
        reason_open = not sheet.cell(row=row, column=cols[layout.COL_REASON]).protection.locked
        assert reason_open == (kind == layout.KIND_NAMES["judgement"])


def validations(sheet_name: str) -> dict[str, tuple[str, str | None, str | None]]:
    """Each validated cell with (type, formula1, formula2)."""
    found = {}
    for rule in BOOK[sheet_name].data_validations.dataValidation:
        for cell_range in rule.sqref.ranges:
            found[cell_range.coord] = (rule.type, rule.formula1, rule.formula2)
    return found


def test_drop_downs_and_number_checks() -> None:
    """Choices and yes/no are lists; counts are whole numbers; shares are 0–100."""
    sheet = BOOK[layout.SHEET_INDICATORS]
    cols, rows = columns(sheet), rows_by_id(sheet)
    value = openpyxl.utils.get_column_letter(cols[layout.COL_VALUE])
    checks = validations(layout.SHEET_INDICATORS)
    for _, indicator in RUBRIC.indicators():
        rule = indicator.rule
        if rule.kind == "breaches":  # the value cell is locked; its two counts are checked
            assert f"{value}{rows[indicator.id]}" not in checks
            continue
        kind, first, second = checks[f"{value}{rows[indicator.id]}"]
        if rule.kind == "check":
            assert (kind, first) == ("list", '"是,否"')
        elif rule.kind == "choice":
            assert kind == "list"
            assert first is not None
            assert all(option in first for option in rule.options) or first.startswith("'选项'!")
        elif rule.kind == "count":
            assert (kind, first) == ("whole", "0")
        elif rule.kind == "percentage":
            assert (kind, first, second) == ("decimal", "0", "100")
        else:
            assert kind == "decimal"


def test_choice_lists_too_long_for_a_cell_go_to_the_hidden_sheet(tmp_path: Path) -> None:
    """A drop-down longer than Excel's 255-character limit refers to the hidden list sheet."""
    text = (RUBRICS / "village.yaml").read_text(encoding="utf-8")
    long_names = "".join(f"选项{'甲' * 60}{n}: 0, " for n in range(5))
    assert "options: {优秀" in text
    text = text.replace("options: {优秀", f"options: {{{long_names}优秀", 1)
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    book = openpyxl.load_workbook(io.BytesIO(render_workbook(load_rubric(path).rubric)))
    formulas = [r.formula1 for r in book[layout.SHEET_INDICATORS].data_validations.dataValidation]
    assert any(f and f.startswith(f"'{layout.SHEET_LISTS}'!") for f in formulas)


def test_event_sheets_list_every_rubric_item() -> None:
    """Penalty, bonus and veto sheets have one row per rubric item, with open input cells."""
    for key, name in layout.EVENT_SHEETS:
        sheet = BOOK[name]
        items = getattr(RUBRIC, key)
        assert list(rows_by_id(sheet)) == [item.id for item in items]
        trigger = layout.COL_EVENT_HAPPENED if key == "vetoes" else layout.COL_EVENT_COUNT
        assert not sheet.cell(row=2, column=columns(sheet)[trigger]).protection.locked


@pytest.mark.parametrize(
    "rubric_path", [*sorted(RUBRICS.glob("*.yaml")), MINI_RUBRIC], ids=lambda p: p.stem
)
def test_empty_template_reports_unfilled_cells(rubric_path: Path, tmp_path: Path) -> None:
    """An unfilled workbook is read, and validation lists every empty input by cell."""
    rubric = load_rubric(rubric_path).rubric
    path = tmp_path / "empty.xlsx"
    path.write_bytes(render_workbook(rubric))
    with pytest.raises(InputError) as caught:
        load_evidence(path, rubric_path=rubric_path)
    cells = {p.cell for p in caught.value.problems}
    assert "单位信息!B4" in cells
    assert len([c for c in cells if c and c.startswith("指标!")]) == len(list(rubric.indicators()))


def test_cli_writes_a_workbook_and_never_overwrites(tmp_path: Path) -> None:
    """template --format xlsx needs --output, writes a workbook, and refuses an existing file."""
    runner = CliRunner()
    target = tmp_path / "桃源村.xlsx"
    missing = runner.invoke(main, ["template", "village", "--format", "xlsx"])
    assert missing.exit_code == 2
    assert "--output" in missing.output
    written = runner.invoke(main, ["template", "village", "--format", "xlsx", "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert openpyxl.load_workbook(target).sheetnames[0] == layout.SHEET_GUIDE
    again = runner.invoke(main, ["template", "village", "--format", "xlsx", "-o", str(target)])
    assert again.exit_code == 2
    assert "已存在" in again.output


def test_text_is_written_as_text_and_unwritable_characters_are_said(tmp_path: Path) -> None:
    """A note "=cmd|…" stays text (no DDE formula) and comes back; a BEL is replaced visibly, said."""
    source = (RUBRICS.parent / "examples" / "village" / "taoyuan_excellent.yaml").read_text(
        encoding="utf-8"
    )
    formula = "=cmd|' /C calc'!A0"
    first, second = [line for line in source.splitlines() if "note:" in line][:2]
    text = source.replace(first, first.split("note:")[0] + f'note: "{formula}"', 1)
    text = text.replace(second, second.split("note:")[0] + 'note: "见记录\\a本"', 1)
    text = text.replace("name: 桃源村党总支", 'name: "+桃源村党总支"', 1)
    path = tmp_path / "taoyuan.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(path), "--to", "xlsx"])
    assert result.exit_code == 0, result.output
    workbook = tmp_path / "taoyuan.xlsx"
    assert "警告" in result.stderr
    assert "U+0007" in result.stderr
    assert "“␇”" in result.stderr
    book = openpyxl.load_workbook(workbook)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert formula in [c.value for c in cells]
    back = CliRunner().invoke(
        main, ["convert", str(workbook), "--to", "yaml", "-o", str(tmp_path / "back.yaml")]
    )
    assert back.exit_code == 0, back.output
    returned = (tmp_path / "back.yaml").read_text(encoding="utf-8")
    assert formula.replace("'", "''") in returned or formula in returned
    assert "+桃源村党总支" in returned
    assert "见记录␇本" in returned


def test_template_text_from_the_rubric_is_text(tmp_path: Path) -> None:
    """``template --format xlsx``: a rubric name starting with "=" and holding a BEL is safe text."""
    text = (RUBRICS / "village.yaml").read_text(encoding="utf-8")
    path = tmp_path / "village.yaml"
    path.write_text(text.replace("name: 主题党日", 'name: "=1+1\\a主题党日"', 1), encoding="utf-8")
    notes: list[Problem] = []
    content = render_workbook(load_rubric(path).rubric, notes=notes, name="t.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[layout.SHEET_INDICATORS]
    row = rows_by_id(sheet)["theme_party_days"]
    cell = sheet.cell(row=row, column=columns(sheet)[layout.COL_NAME])
    assert (cell.value, cell.data_type) == ("=1+1␇主题党日", "s")
    (note,) = notes
    assert (note.severity, note.cell) == ("warning", f"指标!{cell.coordinate}")


def test_breaches_rows_validate_the_two_counts_not_the_locked_value() -> None:
    """On a breaches row 总数 and 其中违规数 get whole-number checks; the locked 填写值 gets none."""
    rubric_path = RUBRICS / "village.yaml"
    assert load_rubric(rubric_path).indicator_index["four_deliberations"][1].rule.kind == "breaches"
    sheet = BOOK[layout.SHEET_INDICATORS]
    row, cols = rows_by_id(sheet)["four_deliberations"], columns(sheet)

    def checked(title: str) -> list[str]:
        letter = openpyxl.utils.get_column_letter(cols[title])
        return [
            v.type
            for v in sheet.data_validations.dataValidation
            if f"{letter}{row}" in str(v.sqref).split()
        ]

    assert checked(layout.COL_WHOLE) == ["whole"]
    assert checked(layout.COL_BREACHES) == ["whole"]
    assert checked(layout.COL_VALUE) == []


def test_every_rule_kind_describes_its_workbook_cells() -> None:
    """In every shipped rubric's template an indicator row opens exactly its kind's inputs (plus note, attachments, self score
    and, where allowed, 缺项理由)."""
    seen = set()
    common = {layout.COL_NOTE, layout.COL_ATTACHMENTS, layout.COL_SELF_SCORE}
    for path in sorted(RUBRICS.glob("*.yaml")):
        rubric = load_rubric(path).rubric
        sheet = openpyxl.load_workbook(io.BytesIO(render_workbook(rubric)))[layout.SHEET_INDICATORS]
        cols, rows = columns(sheet), rows_by_id(sheet)
        for _, indicator in rubric.indicators():
            row = rows[indicator.id]
            open_titles = {
                title
                for title, column in cols.items()
                if not sheet.cell(row=row, column=column).protection.locked
            }
            expected = set(indicator.rule.cells.inputs) | common
            if indicator.not_applicable_when:
                expected.add(layout.COL_NOT_APPLICABLE)
            assert open_titles == expected, indicator.id
            seen.add(indicator.rule.kind)
    assert seen == set(RULE_KIND_NAMES)
