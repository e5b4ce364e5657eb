"""Workbook evidence grades exactly like YAML, and every problem names its cell."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import grade_file, load_evidence, rubric_for
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.reading.xlsx_reader import read_workbook
from lianchuang_cli.reading.xlsx_values import number_from_text
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.xlsx_template import render_workbook
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from tests.conftest import EXAMPLES, RUBRICS
from tests.xlsx_fill import columns, edit, fill_from_yaml, rows_by_id

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
TEMPLATE = render_workbook(load_rubric(RUBRICS / "village.yaml").rubric)
TAOYUAN = str(EXAMPLES / "village" / "taoyuan_excellent.yaml")


def meaning(result: UnitResult) -> tuple[Any, ...]:
    """Everything a result says about the unit, leaving out where the evidence came from."""
    return (
        result.unit_name,
        result.unit_code,
        result.township,
        result.year,
        result.score,
        result.rating,
        result.vetoed,
        result.veto_reasons,
        result.adjustments,
        result.criteria,
        [
            (r.id, r.score, r.status, r.explanation, r.action, r.self_score)
            for r in result.indicators
        ],
        [(g.indicator, g.lost, g.explanation, g.advice) for g in result.gaps],
        result.next_rating,
        result.self_score_differences,
    )


def graded(path: Path) -> UnitResult:
    """Grade a file that must be valid."""
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult), outcome
    return outcome


def saved(tmp_path: Path, content: bytes, name: str = "unit.xlsx") -> Path:
    """Write workbook bytes to a file."""
    path = tmp_path / name
    path.write_bytes(content)
    return path


def problems_of(path: Path) -> list[Problem]:
    """The problems validation finds in a file that must be invalid."""
    with pytest.raises(InputError) as caught:
        load_evidence(path)
    return caught.value.problems


@pytest.mark.parametrize("example", VALID, ids=lambda p: p.stem)
def test_filled_template_grades_like_the_yaml(example: Path, tmp_path: Path) -> None:
    """The template filled cell by cell with an example's values gives the example's result."""
    workbook = saved(tmp_path, fill_from_yaml(TEMPLATE, str(example)))
    assert meaning(graded(workbook)) == meaning(graded(example))


def test_results_name_the_cell_the_answer_is_typed_in(tmp_path: Path) -> None:
    """Each indicator (and gap) points where its figure is typed: 填写值, 达标数 when the counts
    are given, 总数 for breaches, 缺项理由 when marked not applicable, never the id in column A."""
    not_applicable = set_cells(
        (V, "satisfaction", layout.COL_VALUE, 50),
        (V, "group_meetings", layout.COL_PART, None),
        (V, "group_meetings", layout.COL_WHOLE, None),
        (V, "group_meetings", layout.COL_NOT_APPLICABLE, "未划分党小组"),
    )
    result = graded(saved(tmp_path, not_applicable))
    template = openpyxl.load_workbook(saved(tmp_path, TEMPLATE, "t.xlsx"))["指标"]
    rows, cols = rows_by_id(template), columns(template)
    answers = read_yaml(TAOYUAN).data["indicators"]
    for indicator in result.indicators:
        value = answers[indicator.id].get("value")
        title = layout.COL_VALUE
        if isinstance(value, dict) and "part" in value:
            title = layout.COL_PART
        elif isinstance(value, dict) and "total" in value:
            title = layout.COL_WHOLE
        if indicator.id == "group_meetings":
            title = layout.COL_NOT_APPLICABLE
        letter = openpyxl.utils.get_column_letter(cols[title])
        assert indicator.cell == f"指标!{letter}{rows[indicator.id]}", indicator.id
        assert indicator.line == rows[indicator.id]
    gap_cells = {g.indicator: g.cell for g in result.gaps}
    assert gap_cells["satisfaction"] == cell_of(V, "satisfaction", layout.COL_VALUE)


@functools.cache
def taoyuan() -> bytes:
    """The template filled with the Taoyuan example."""
    return fill_from_yaml(TEMPLATE, TAOYUAN)


def set_cells(*changes: tuple[str, str, str, Any]) -> bytes:
    """Taoyuan's workbook with cells changed: (sheet, row id or unit label, column title, value)."""
    base = taoyuan()

    def change(book: openpyxl.Workbook) -> None:
        for sheet_name, row_key, title, value in changes:
            sheet = book[sheet_name]
            if sheet_name == layout.SHEET_UNIT:
                rows = {str(sheet.cell(row=r, column=1).value): r for r in range(1, 10)}
                sheet.cell(row=rows[row_key], column=2).value = value
            else:
                sheet.cell(
                    row=rows_by_id(sheet)[row_key], column=columns(sheet)[title]
                ).value = value

    return edit(base, change)


def cell_of(sheet_name: str, row_key: str, title: str) -> str:
    """``Sheet!C12`` of a row (by id, or unit label) and a column title in the template."""
    book = openpyxl.load_workbook(saved_template())
    sheet = book[sheet_name]
    if sheet_name == layout.SHEET_UNIT:
        row = {str(sheet.cell(row=r, column=1).value): r for r in range(1, 10)}[row_key]
        return f"{sheet_name}!B{row}"
    letter = openpyxl.utils.get_column_letter(columns(sheet)[title])
    return f"{sheet_name}!{letter}{rows_by_id(sheet)[row_key]}"


_TEMPLATE_FILE: list[Path] = []


def saved_template() -> Path:
    """The template on disk (written once per session)."""
    if not _TEMPLATE_FILE:
        import tempfile

        path = Path(tempfile.mkdtemp()) / "template.xlsx"
        path.write_bytes(TEMPLATE)
        _TEMPLATE_FILE.append(path)
    return _TEMPLATE_FILE[0]


V, S = "指标", "单位信息"


@pytest.mark.parametrize(
    ("change", "at", "message"),
    [
        ((V, "theme_party_days", layout.COL_VALUE, "十二"), (V, "theme_party_days", layout.COL_VALUE), "“十二”应为整数"),
        ((V, "theme_party_days", layout.COL_VALUE, None), (V, "theme_party_days", layout.COL_VALUE), "未填写“填写值”"),
        ((V, "team_integrity", layout.COL_VALUE, "对"), (V, "team_integrity", layout.COL_VALUE), "选“是”"),
        ((V, "secretary_appraisal", layout.COL_VALUE, "合格"), (V, "secretary_appraisal", layout.COL_VALUE), "不是可选项"),
        ((V, "dues_paid", layout.COL_PART, 99), (V, "dues_paid", layout.COL_PART), "不能大于"),
        ((V, "dues_paid", layout.COL_WHOLE, None), (V, "dues_paid", layout.COL_WHOLE), "未填写"),
        ((V, "satisfaction", layout.COL_VALUE, 152), (V, "satisfaction", layout.COL_VALUE), "大于可能的最大值"),
        ((V, "team_unity", layout.COL_VALUE, 9), (V, "team_unity", layout.COL_VALUE), "超过本项满分"),
        ((V, "theme_party_days", layout.COL_SELF_SCORE, 9), (V, "theme_party_days", layout.COL_SELF_SCORE), "超过本项满分"),
        ((V, "satisfaction", layout.COL_NOT_APPLICABLE, "未测评"), (V, "satisfaction", layout.COL_NOT_APPLICABLE), "不允许按缺项处理"),
        ((S, "单位名称", "", None), (S, "单位名称", ""), "未填写"),
        ((S, "考评年度", "", 1999), (S, "考评年度", ""), "应不小于 2000"),
        (("扣分项", "safety_accident", layout.COL_EVENT_COUNT, "两次"), ("扣分项", "safety_accident", layout.COL_EVENT_COUNT), "应为整数"),
        (("扣分项", "safety_accident", layout.COL_EVENT_COUNT, 2.5), ("扣分项", "safety_accident", layout.COL_EVENT_COUNT), "应为整数"),
    ],
)  # fmt: skip
def test_each_problem_points_at_its_cell(
    tmp_path: Path, change: tuple[str, str, str, Any], at: tuple[str, str, str], message: str
) -> None:
    """A bad cell gives one problem at exactly that cell, with the expected wording."""
    path = saved(tmp_path, set_cells(change))
    (problem,) = problems_of(path)
    assert problem.cell == cell_of(*at)
    assert problem.where == f"{path}!{cell_of(*at)}"
    assert message in problem.message


def test_problems_come_sheet_by_sheet(tmp_path: Path) -> None:
    """Several problems are listed in workbook order: unit sheet first, then indicators, events."""
    path = saved(
        tmp_path,
        set_cells(
            ("扣分项", "safety_accident", layout.COL_EVENT_COUNT, "两次"),
            (V, "satisfaction", layout.COL_VALUE, 152),
            (V, "theme_party_days", layout.COL_VALUE, "十二"),
            (S, "单位名称", "", None),
        ),
    )
    sheets = [p.cell.split("!")[0] for p in problems_of(path) if p.cell]
    assert sheets == ["单位信息", "指标", "指标", "扣分项"]


def test_wps_style_cells_grade_as_meant(tmp_path: Path) -> None:
    """Numbers saved as text (full-width too), percent-formatted shares and a date as year."""
    plain = graded(saved(tmp_path, taoyuan(), "plain.xlsx"))

    def wps(book: openpyxl.Workbook) -> None:
        sheet = book["指标"]
        cols, rows = columns(sheet), rows_by_id(sheet)
        value = cols[layout.COL_VALUE]
        sheet.cell(row=rows["theme_party_days"], column=value).value = "１１"
        days = sheet.cell(row=rows["theme_party_days"], column=value)
        days.value = f" {days.value} "
        satisfaction = sheet.cell(row=rows["satisfaction"], column=value)
        satisfaction.value = float(Decimal(str(satisfaction.value)) / 100)
        satisfaction.number_format = "0.0%"
        approval = sheet.cell(row=rows["secretary_approval"], column=value)
        approval.value = f"{approval.value}%"
        sheet.cell(row=rows["team_integrity"], column=value).value = True
        unit = book["单位信息"]
        year = next(c for c in unit["A"] if c.value == "考评年度").offset(column=1)
        year.value = dt.datetime(2026, 1, 1)
        year.number_format = "yyyy-mm-dd"

    result = graded(saved(tmp_path, edit(taoyuan(), wps)))
    assert meaning(result) == meaning(plain)


def test_merged_cells_read_their_top_left_value(tmp_path: Path) -> None:
    """A note merged over two rows applies to both, as the person who merged it meant."""

    def merge(book: openpyxl.Workbook) -> None:
        sheet = book["指标"]
        cols, rows = columns(sheet), rows_by_id(sheet)
        note = cols[layout.COL_NOTE]
        first = rows["team_political_appraisal"]
        sheet.cell(row=first, column=note).value = "见班子会议记录"
        sheet.cell(row=first + 1, column=note).value = None
        sheet.merge_cells(start_row=first, start_column=note, end_row=first + 1, end_column=note)

    path = saved(tmp_path, edit(taoyuan(), merge))
    _, evidence = load_evidence(path)
    notes = [e.note for e in evidence.entries.values()][:2]
    assert notes == ["见班子会议记录", "见班子会议记录"]


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("１２", 12), ("93%", 93), ("９３．５％", Decimal("93.5")), ("1,200", 1200)],
)
def test_number_from_text(text: str, number: int | Decimal) -> None:
    """Text a person typed as a number reads as that number."""
    assert number_from_text(text) == number


def test_text_that_is_not_a_number_stays_text() -> None:
    """Anything else is left for validation to explain."""
    assert number_from_text(" 十二 ") == "十二"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xd0\xcf\x11\xe0" + b"\0" * 100, "“另存为” Excel 工作簿（.xlsx）"),
        (b"rubric: village\n", "不是有效的 .xlsx 工作簿"),
    ],
)
def test_unreadable_files_are_explained(tmp_path: Path, content: bytes, message: str) -> None:
    """An old .xls or a renamed text file gets a Chinese explanation, never a traceback."""
    outcome = grade_file(saved(tmp_path, content))
    assert isinstance(outcome, FileFailure)
    (problem,) = outcome.problems
    assert message in problem.message


def test_a_foreign_workbook_is_explained(tmp_path: Path) -> None:
    """A workbook that is not the template names the missing sheets."""
    book = openpyxl.Workbook()
    path = tmp_path / "other.xlsx"
    book.save(path)
    with pytest.raises(InputError) as caught:
        read_workbook(path)
    assert "缺少工作表" in caught.value.problems[0].message


def test_damaged_rule_kind_is_located(tmp_path: Path) -> None:
    """A changed 评分方式 cell is reported at that cell, and only there (not again as a gap)."""

    def damage(book: openpyxl.Workbook) -> None:
        sheet = book["指标"]
        sheet.cell(row=2, column=columns(sheet)[layout.COL_KIND]).value = "随便"

    path = saved(tmp_path, edit(taoyuan(), damage))
    (problem,) = problems_of(path)
    assert problem.cell == "指标!F2"
    assert "评分方式" in problem.message


def test_breaches_are_two_counts_in_their_own_cells(tmp_path: Path) -> None:
    """A breaches row takes the year's matters in 总数 and the breaches beside it."""
    rubric_path = RUBRICS / "village.yaml"
    assert load_rubric(rubric_path).indicator_index["four_deliberations"][1].rule.kind == "breaches"
    template = render_workbook(load_rubric(rubric_path).rubric)
    filled = fill_from_yaml(template, TAOYUAN, skip={"four_deliberations"})

    def breaches(total: Any, count: Any) -> Callable[[openpyxl.Workbook], None]:
        def change(book: openpyxl.Workbook) -> None:
            sheet = book["指标"]
            row, cols = rows_by_id(sheet)["four_deliberations"], columns(sheet)
            sheet.cell(row=row, column=cols[layout.COL_WHOLE]).value = total
            sheet.cell(row=row, column=cols[layout.COL_BREACHES]).value = count

        return change

    good = saved(tmp_path, edit(filled, breaches(6, 1)), "good.xlsx")
    _, evidence = load_evidence(good, rubric_path=rubric_path)
    assert (
        evidence.values["four_deliberations"].total,
        evidence.values["four_deliberations"].breaches,
    ) == (6, 1)
    bad = saved(tmp_path, edit(filled, breaches(6, 9)), "bad.xlsx")
    with pytest.raises(InputError) as caught:
        load_evidence(bad, rubric_path=rubric_path)
    (problem,) = caught.value.problems
    assert problem.cell is not None
    assert problem.cell.startswith("指标!")
    assert "不能大于" in problem.message


def test_validate_and_score_name_the_cell(tmp_path: Path) -> None:
    """The CLI prints ``file!Sheet!C12: 错误: …`` and exits 2; a good workbook scores like YAML."""
    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main

    bad = saved(tmp_path, set_cells((V, "theme_party_days", layout.COL_VALUE, "十二")), "bad.xlsx")
    result = CliRunner().invoke(main, ["validate", str(bad)])
    assert result.exit_code == 2
    assert (
        f"{bad}!{cell_of(V, 'theme_party_days', layout.COL_VALUE)}: 错误: “十二”应为整数"
        in result.output
    )
    good = saved(tmp_path, taoyuan(), "good.xlsx")
    scored = CliRunner().invoke(main, ["score", str(good), "--format", "json"])
    assert scored.exit_code == 0, scored.output
    assert f'"cell": "{cell_of(V, "team_political_appraisal", layout.COL_VALUE)}"' in scored.stdout


def test_messages_name_columns_not_yaml_keys(tmp_path: Path) -> None:
    """A workbook user reads “评定理由” and “达标数”, never ``reason`` or ``part``."""
    path = saved(
        tmp_path,
        set_cells(
            (V, "team_unity", layout.COL_VALUE, 1),
            (V, "team_unity", layout.COL_REASON, None),
            (V, "dues_paid", layout.COL_PART, 99),
        ),
    )
    messages = {p.cell: p.message for p in problems_of(path)}
    reason = messages[cell_of(V, "team_unity", layout.COL_VALUE)]
    assert "“评定理由”" in reason
    assert "reason" not in reason
    ratio = messages[cell_of(V, "dues_paid", layout.COL_PART)]
    assert "“达标数”（99）不能大于“总数”" in ratio


@pytest.mark.parametrize(
    ("value", "number_format", "code"),
    [
        (571030503, "General", None),
        (571030503, "0000000000", "0571030503"),
        ("0571030503", "@", "0571030503"),
    ],
)
def test_a_code_stored_as_a_number_is_said(
    tmp_path: Path, value: Any, number_format: str, code: str | None
) -> None:
    """A unit code typed as a number has lost its leading 0: an error at its cell, unless a
    zero-padding format shows the whole code (then it is read as shown)."""

    def change(book: openpyxl.Workbook) -> None:
        sheet = book[layout.SHEET_UNIT]
        row = next(c.row for c in sheet["A"] if c.value == "单位代码")
        cell = sheet.cell(row=row, column=2)
        cell.value, cell.number_format = value, number_format

    path = saved(tmp_path, edit(taoyuan(), change))
    if code is None:
        (problem,) = problems_of(path)
        assert problem.cell == cell_of(S, "单位代码", "")
        assert "存成了数字 571030503" in problem.message
    else:
        assert graded(path).unit_code == code


def test_a_row_the_reader_flagged_is_not_explained_twice(tmp_path: Path) -> None:
    """A percentage row with both 填写值 and a negative 达标数: one problem, not a traceback."""
    path = saved(
        tmp_path,
        set_cells(
            (V, "dues_paid", layout.COL_VALUE, 93),
            (V, "dues_paid", layout.COL_PART, -200),
            (V, "dues_paid", layout.COL_WHOLE, 1200),
        ),
    )
    (problem,) = problems_of(path)
    assert problem.cell == cell_of(V, "dues_paid", layout.COL_VALUE)
    assert "只能填写一种" in problem.message


def test_a_missing_linked_value_says_so_once(tmp_path: Path) -> None:
    """A township workbook leaving its linked figures to grade-tree: each says so once, not twice
    (the 填写方法 text carried a second linked note)."""
    township = EXAMPLES / "county-demo" / "shiqiao" / "township.yaml"
    doc = read_yaml(township)
    problems = problems_of(saved(tmp_path, render_workbook(rubric_for(doc).rubric, doc)))
    assert len(problems) >= 5
    for problem in problems:
        assert "未填写“填写值”" in problem.message
        assert problem.message.count("由下级单位") == 1, problem.message
