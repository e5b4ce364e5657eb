"""Facts typed twice inside one village file: the rubric's ``same_counts`` populations.

桃源村 gave 86 party members for the young-member share and 48 for the dues paid; each number
scored a different indicator and nobody was told. Every place a population is counted must agree.
"""

from __future__ import annotations

from pathlib import Path

from lianchuang_cli.errors import Problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.reports.template import render_template
from lianchuang_cli.scoring.results import FileFailure
from tests.conftest import EXAMPLES, RUBRICS
from tests.test_xlsx_reader import V, cell_of, problems_of, saved, set_cells

DEMO = EXAMPLES / "county-demo"
TAOYUAN = DEMO / "taoyuan" / "taoyuan.yaml"


def changed(tmp_path: Path, source: Path, *edits: tuple[str, str]) -> tuple[Path, str]:
    """A copy of ``source`` with each (old, new) text replaced once; its path and text."""
    text = source.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    return path, text


def at(text: str, entry: str, value_line: str, number: str) -> tuple[int, int]:
    """(line, column) of ``number`` on the value line of the entry starting with ``entry``."""
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines) if t == entry) + 1
    while lines[line] != value_line:
        line += 1
    return line + 1, lines[line].index(number) + 1


def failure(path: Path, rubric: Path | None = None) -> list[Problem]:
    """The problems of a file that must fail."""
    outcome = grade_file(path, rubric_path=rubric)
    assert isinstance(outcome, FileFailure), outcome
    return list(outcome.problems)


def places(problems: list[Problem]) -> set[tuple[int, int]]:
    """Where the problems are."""
    return {(p.line, p.column) for p in problems}


def test_party_members_typed_twice_is_an_error_at_both_places(tmp_path: Path) -> None:
    """The case as filed: 86 for the young-member share, 48 for the dues paid."""
    young = "    value: {part: 14, whole: 86}"
    dues = "    value: {part: 48, whole: 48}"
    path, text = changed(tmp_path, TAOYUAN, ("    value: {part: 86, whole: 86}", dues))
    problems = failure(path)
    assert places(problems) == {
        at(text, "  young_member_share:", young, "86"),
        at(text, "  dues_paid:", dues, "48}"),
    }
    for problem in problems:
        assert "党员总数填了不同的数" in problem.message
        assert "young_member_share.whole）86人" in problem.message
        assert "dues_paid.whole）48人" in problem.message


def test_committee_size_and_the_committee_appraised(tmp_path: Path) -> None:
    """竹坑村's profile says 4 两委 members where its appraisal counts 5 (issue 14.12)."""
    source = DEMO / "yunling" / "zhukeng.yaml"
    path, text = changed(tmp_path, source, ("  committee_size: 5", "  committee_size: 4"))
    problems = failure(path)
    appraisal = "    value: {part: 4, whole: 5}"
    assert places(problems) == {
        at(text, "profile:", "  committee_size: 4", "4"),
        at(text, "  cadre_appraisal:", appraisal, "5}"),
    }
    assert all("两委成员数填了不同的数" in p.message for p in problems)


def test_a_part_larger_than_the_whole(tmp_path: Path) -> None:
    """90 members reviewed of 86: wrong at the part and at each place giving the total."""
    review = "    value: {part: 88, whole: 90}"
    path, text = changed(tmp_path, TAOYUAN, ("    value: {part: 83, whole: 84}", review))
    problems = failure(path)
    assert places(problems) == {
        at(text, "  member_review:", review, "90"),
        at(text, "  young_member_share:", "    value: {part: 14, whole: 86}", "86"),
        at(text, "  dues_paid:", "    value: {part: 86, whole: 86}", "86}"),
    }
    assert all("多于党员总数" in p.message for p in problems)


def test_households_typed_twice(tmp_path: Path) -> None:
    """石桥村 counted 382 households for tap water and 475 for the members' links (as shipped
    before 2026.3): both places are wrong until they agree."""
    links = "    value: {part: 468, whole: 475}"
    source = DEMO / "shiqiao" / "shiqiao.yaml"
    path, text = changed(tmp_path, source, ("    value: {part: 376, whole: 382}", links))
    problems = failure(path)
    assert places(problems) == {
        at(text, "  living_quality:", "    value: {part: 371, whole: 382}", "382"),
        at(text, "  member_household_links:", links, "475"),
    }
    assert all("农户总户数填了不同的数" in p.message for p in problems)


def test_the_rubric_decides_which_places_count_the_same(tmp_path: Path) -> None:
    """An edited rubric naming another population (meetings a year) is compared the same way:
    nothing about party members or households is wired into the code."""
    rubric = tmp_path / "village.yaml"
    text = (RUBRICS / "village.yaml").read_text(encoding="utf-8")
    declared = "same_counts:\n"
    assert text.count(declared) == 1
    extra = (
        "  - id: monthly_meetings\n    name: 每月会议次数\n    unit: 次\n"
        "    equal: [theme_party_days, committee_meetings]\n"
    )
    rubric.write_text(text.replace(declared, declared + extra), encoding="utf-8")
    problems = failure(TAOYUAN, rubric)
    assert len(problems) == 2
    assert all("每月会议次数填了不同的数" in p.message for p in problems)
    assert all("主题党日（theme_party_days）11次" in p.message for p in problems)


def test_numbers_written_as_percentages_are_not_compared() -> None:
    """A share written as a percentage gives no count: 石桥村 (11.5%) grades as before."""
    outcome = grade_file(DEMO / "shiqiao" / "shiqiao.yaml")
    assert not isinstance(outcome, FileFailure)


def test_workbook_cells_are_named(tmp_path: Path) -> None:
    """In a workbook both 总数 cells are named (文件!工作表!单元格)."""
    content = set_cells(
        (V, "dues_paid", layout.COL_PART, 48), (V, "dues_paid", layout.COL_WHOLE, 48)
    )
    path = saved(tmp_path, content)
    problems = problems_of(path)
    assert {p.cell for p in problems} == {
        cell_of(V, "young_member_share", layout.COL_WHOLE),
        cell_of(V, "dues_paid", layout.COL_WHOLE),
    }
    assert all(p.where.startswith(f"{path}!指标!") for p in problems)


def test_template_says_which_numbers_must_agree() -> None:
    """The YAML template names, at each place, the places its number must agree with."""
    template = render_template(load_rubric(RUBRICS / "village.yaml").rubric)
    dues = template.index("  dues_paid:\n")
    above = template[template.rindex("# 按月交纳党费", 0, dues) : dues]
    assert "# 同一总体：本项的 whole 为党员总数，须与 young_member_share.whole 相同" in above
    review = template.index("  member_review:\n")
    above = template[template.rindex("# 民主评议党员结果", 0, review) : review]
    assert "不能多于 young_member_share.whole、dues_paid.whole" in above
