"""Evidence validation against the village rubric: one message per problem, located, in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from lianchuang_cli.errors import InputError, Problem
from lianchuang_cli.grading.pipeline import load_evidence
from tests.conftest import EXAMPLES

BASE = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")


def problems_after(tmp_path: Path, *edits: tuple[str, str]) -> list[Problem]:
    """Apply text edits to a valid village file and return the problems validation finds."""
    text = BASE
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_evidence(path)
    return caught.value.problems


def test_the_base_file_is_valid(tmp_path: Path) -> None:
    """The edits below start from a file with no problems."""
    path = tmp_path / "unit.yaml"
    path.write_text(BASE, encoding="utf-8")
    load_evidence(path)


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("    value: 95.2\n", "    value: 152\n"), 205, "“152”大于可能的最大值100%"),
        (("value: {part: 86, whole: 86}", "value: 105"), 74, "“105”应不大于 100"),
        (("value: {part: 86, whole: 86}", "value: -5"), 74, "“-5”应不小于 0"),
        (
            ("value: {part: 86, whole: 86}", "value: {part: 87, whole: 86}"),
            74,
            "part（87）不能大于",
        ),
        (
            ("  theme_party_days:\n    value: 11", "  theme_party_days:\n    value: 十二"),
            54,
            "“十二”应为整数",
        ),
        (
            ("  theme_party_days:\n    value: 11", "  theme_party_days:\n    value: NO"),
            54,
            "“NO”应为整数",
        ),
        (("    value: 95.2\n", "    not_applicable: 未测评\n"), 205, "不允许按缺项处理"),
    ],
)
def test_value_problems(tmp_path: Path, edit: tuple[str, str], line: int, message: str) -> None:
    """Each bad value gets one message at its own line, with the expected wording."""
    (problem,) = problems_after(tmp_path, edit)
    assert problem.line == line
    assert message in problem.message


def test_not_applicable_is_accepted_where_allowed(tmp_path: Path) -> None:
    """An allowed not_applicable with a reason validates and is recorded."""
    text = BASE.replace(
        "  group_coordination:\n    value: 4",
        "  group_coordination:\n    not_applicable: 未设村民小组",
    )
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    _, evidence = load_evidence(path)
    assert evidence.values["group_coordination"].situation == "未设村民小组"


@pytest.mark.parametrize(
    ("written", "situation", "remark"),
    [
        ("未设村民小组", "未设村民小组", ""),
        ("未设村民小组：按楼栋划分网格", "未设村民小组", "按楼栋划分网格"),
        ("未设村民小组（按楼栋划分网格）", "未设村民小组", "按楼栋划分网格"),
        ("未设村民小组，按楼栋划分网格", "未设村民小组", "按楼栋划分网格"),
    ],
)
def test_not_applicable_names_a_situation_and_may_add_a_remark(
    tmp_path: Path, written: str, situation: str, remark: str
) -> None:
    """The situation comes first; whatever follows a separator is kept as the remark."""
    text = BASE.replace(
        "  group_coordination:\n    value: 4",
        f"  group_coordination:\n    not_applicable: {written}",
    )
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    _, evidence = load_evidence(path)
    marked = evidence.values["group_coordination"]
    assert (marked.situation, marked.remark) == (situation, remark)


@pytest.mark.parametrize("written", ["城郊村", "未设村民小组长", "本村不适用"])
def test_not_applicable_outside_the_listed_situations_is_refused(
    tmp_path: Path, written: str
) -> None:
    """Free text is no reason: the error lists the situations the rubric accepts."""
    (problem,) = problems_after(
        tmp_path,
        (
            "  group_coordination:\n    value: 4",
            f"  group_coordination:\n    not_applicable: {written}",
        ),
    )
    assert (
        f"“{written}”不是指标“村组工作协调”可按缺项处理的情形。可选：“未设村民小组”"
        in problem.message
    )


def test_veto_events_have_no_count(tmp_path: Path) -> None:
    """A veto either happened or not: count is an unknown key there."""
    (problem,) = problems_after(
        tmp_path, ("vetoes: []", "vetoes:\n  - {id: election_bribery, count: 2}")
    )
    assert "未知的键“count”" in problem.message


def test_misspelt_id_is_linked_to_the_missing_one(tmp_path: Path) -> None:
    """The unknown key suggests the right id, and the missing list names the probable typo."""
    found = problems_after(tmp_path, ("  theme_party_days:\n", "  theme_party_dyas:\n"))
    messages = " ".join(p.message for p in found)
    assert (
        "考评细则中没有指标“theme_party_dyas”；是否想写“theme_party_days”（主题党日）？" in messages
    )
    assert "主题党日（theme_party_days，是否误写成了“theme_party_dyas”）" in messages


def test_unknown_event_lists_choices_then_suggests(tmp_path: Path) -> None:
    """Unknown penalty ids list the choices and end with the closest one."""
    (problem,) = problems_after(
        tmp_path, ("penalties: []", "penalties:\n  - {id: safety_accidnet}")
    )
    assert problem.message.startswith("考评细则中没有“safety_accidnet”；可选：")
    assert problem.message.endswith("；是否想写“safety_accident”？")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    """Problems in the unit, indicators and events are all reported in one run, in line order."""
    found = problems_after(
        tmp_path,
        ("  year: 2026", "  year: 2025"),
        ("  theme_party_days:\n    value: 11", "  theme_party_days:\n    value: 十二"),
        ("vetoes: []", "vetoes:\n  - {id: nobody}"),
    )
    assert len(found) == 3
    assert [p.line for p in found] == sorted(p.line for p in found)


def test_shorthand_entry_explains_the_full_form(tmp_path: Path) -> None:
    """``theme_party_days: 11`` is answered with how to write the entry, not a type error."""
    start = BASE.index("  theme_party_days:\n")
    end = BASE.index("  young_member_share:\n")
    (problem,) = problems_after(tmp_path, (BASE[start:end], "  theme_party_days: 11\n"))
    assert problem.line == 53
    assert "应写成映射：在下一行缩进写“value: 值”" in problem.message


def test_problem_inside_a_value_points_at_the_inner_field(tmp_path: Path) -> None:
    """A bad judgement score is located at the score itself, not at the start of the value."""
    (problem,) = problems_after(
        tmp_path, ("    value: {score: 3, reason:", "    value: {score: 高, reason:")
    )
    assert (problem.line, problem.column) == (19, 20)
    assert problem.message.startswith("“高”应为数字")


PROFILE = """profile:
  secretary_education: 大专
  committee_size: 7
  wealth_leaders: 3
  collective_operating_income: 18.6
  weak_and_lax: {identified: true, rectified: true}
indicators:
"""


def test_village_profile_is_read(tmp_path: Path) -> None:
    """The profile and the township code are read as written, for the figures one level up."""
    text = BASE.replace("indicators:\n", PROFILE, 1).replace(
        "  year: 2026\n", '  year: 2026\n  township_code: "330102"\n', 1
    )
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    _, evidence = load_evidence(path)
    assert evidence.unit.township_code == "330102"
    profile = evidence.profile
    assert profile is not None
    assert profile.secretary_college
    assert (profile.committee_size, profile.wealth_leaders) == (7, 3)
    assert profile.weak_and_lax.rectified


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("wealth_leaders: 3", "wealth_leaders: 9"), "不能多于两委成员总数"),
        (("secretary_education: 大专", "secretary_education: 专科"), "应为以下之一"),
        (
            ("{identified: true, rectified: true}", "{identified: false, rectified: true}"),
            "rectified",
        ),
        (("committee_size: 7", "committee_size: 0"), "应大于 0"),
    ],
)
def test_profile_mistakes_are_located(tmp_path: Path, edit: tuple[str, str], message: str) -> None:
    """Each profile mistake is one located Chinese message inside profile:."""
    text = BASE.replace("indicators:\n", PROFILE.replace(*edit), 1)
    path = tmp_path / "unit.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_evidence(path)
    (problem,) = caught.value.problems
    assert message in problem.message
    first = text.splitlines().index("profile:") + 1
    assert first <= problem.line <= first + 6
