"""Advice a unit can act on (issue 14.1) and the rating's reason (issue 16.10), on the demo county.

The next rating proposes only gaps the graded unit closes itself; linked figures, grades awarded
by others and long-term indicators are listed apart, and advice is the next year's work.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rubric import Indicator
from lianchuang_cli.scoring.plan import gap_category
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.tree_result import TreeResult
from tests.conftest import EXAMPLES, ROOT

DEMO = EXAMPLES / "county-demo"
LIUXI = EXAMPLES / "village" / "liuxi_almost_excellent.yaml"
NANTANG = DEMO / "taoyuan" / "nantang.yaml"
SHIQIAO, YUNLING = "330521102", "330521201"
LIUXI_REASON = "总分已达“优秀”的90分，但“小康建设业绩好”得分率79.2%，低于“优秀”要求的每项80%"


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def tree() -> TreeResult:
    """The demo county as ``lianchuang grade-tree examples/county-demo`` grades it."""
    return grade_tree(DEMO)


def every_unit(tree: TreeResult) -> Iterator[UnitResult]:
    assert tree.county is not None
    yield tree.county
    for node in tree.townships:
        assert node.result is not None
        yield node.result
        yield from (tree.full(village) for village in node.villages)


def declared(result: UnitResult) -> dict[str, Indicator]:
    """The rubric's indicators of ``result``, as the shipped rubric declares them."""
    rubric = load_rubric(ROOT / "rubrics" / f"{result.rubric_id}.yaml").rubric
    return {indicator.id: indicator for _, indicator in rubric.indicators()}


def township(tree: TreeResult, code: str) -> UnitResult:
    node = next(n for n in tree.townships if n.code == code)
    assert node.result is not None
    return node.result


def the_unit(tree: TreeResult, name: str) -> UnitResult:
    return next(r for r in every_unit(tree) if r.unit_name == name)


def assert_only_own_work(result: UnitResult) -> None:
    """No linked figure, judgement, grade awarded by others or long-term item is proposed."""
    if result.next_rating is None:
        return
    indicators = declared(result)
    for indicator_id in result.next_rating.indicators:
        indicator = indicators[indicator_id]
        assert indicator.linked is None, (result.unit_name, indicator_id)
        assert indicator.rule.kind != "judgement", (result.unit_name, indicator_id)
        assert indicator.awarded_by is None, (result.unit_name, indicator_id)
        assert not indicator.long_term, (result.unit_name, indicator_id)


def test_grade_tree_proposes_only_the_units_own_work(tree: TreeResult) -> None:
    """grade-tree: no next rating at any level proposes what the unit cannot change itself."""
    units = list(every_unit(tree))
    assert len(units) == 17
    for result in units:
        assert_only_own_work(result)


@pytest.mark.parametrize("path", sorted(DEMO.rglob("*.yaml")), ids=lambda p: p.name)
def test_score_of_each_demo_file_proposes_only_own_work(path: Path) -> None:
    """score: each file graded alone (linked figures as declared) proposes only its own work."""
    outcome = grade_file(path)
    if isinstance(outcome, UnitResult):
        assert_only_own_work(outcome)


def test_county_is_not_told_to_raise_linked_figures(tree: TreeResult) -> None:
    """The county's 薄弱村比例, 五个好 shares… are listed as 取决于下级, never as its advice."""
    county = tree.county
    assert county is not None
    categories = {g.indicator: g.category for g in county.gaps}
    for indicator in (
        "weak_collective_share",
        "five_good_villages",
        "villages_qualified",
        "weak_rectified",
        "wealth_leader_share",
    ):
        assert categories[indicator] == "lower_level"
    # 先进县 is out of reach for the county's own work, and held back by a band condition too.
    assert county.next_rating is None


def test_yunling_is_not_sent_to_its_villages(tree: TreeResult) -> None:
    """云岭乡 → 合格 no longer needs two villages to gain ~10 points each."""
    yunling = township(tree, YUNLING)
    step = yunling.next_rating
    assert step is not None
    assert step.rating == "合格"
    linked = {"villages_qualified", "five_good_villages", "villages_public_opinion"}
    assert not linked & set(step.indicators)
    assert "petition_resolution" in step.indicators  # 信访按期办结: the township's own work


def test_shiqiao_is_not_told_to_raise_the_county_committees_grade(tree: TreeResult) -> None:
    """石桥镇 → 优秀: 书记述职评议 is the 县委's grade (awarded_by), listed as 由考评人员评定."""
    shiqiao = township(tree, SHIQIAO)
    step = shiqiao.next_rating
    # With 2026.3 its own work no longer reaches 优秀 at all; either way never through this grade.
    assert step is None or "secretary_review" not in step.indicators
    assert declared(shiqiao)["secretary_review"].awarded_by == "县委"
    gap = next(g for g in shiqiao.gaps if g.indicator == "secretary_review")
    assert gap.category == "assessor"


def test_nantang_is_sent_to_a_meeting_not_to_an_assessors_grade(tree: TreeResult) -> None:
    """南塘: one more 支部党员大会, not policy_implementation (an assessor's grade, 已整改)."""
    for nantang in (the_unit(tree, "南塘村党支部"), grade_file(NANTANG)):
        assert isinstance(nantang, UnitResult)
        assert nantang.next_rating is not None
        assert nantang.next_rating.indicators == ("party_congress",)
        categories = {g.indicator: g.category for g in nantang.gaps}
        assert categories["policy_implementation"] == "assessor"
        assert categories["task_implementation"] == "assessor"


def test_advice_is_next_years_work_never_mending_records(tree: TreeResult) -> None:
    """四议两公开 no longer says 补正程序; every advice is the year after the assessed one."""
    baishui = the_unit(tree, "白水坑村党支部")
    advice = next(g.advice for g in baishui.gaps if g.indicator == "four_deliberations")
    assert advice.startswith("2027年村级重大事项不再出现未按“四议两公开”程序决策，可多得")
    for result in every_unit(tree):
        for gap in result.gaps:
            assert gap.advice.startswith(f"{result.year + 1}年"), gap.advice
            for word in ("补正", "补足", "补齐", "补办", "补录", "可得回"):
                assert word not in gap.advice, gap.advice


def test_gap_category_follows_the_rubric_declaration() -> None:
    """Linked → 取决于下级; judgement or awarded_by → 由考评人员评定; long_term → 长期工作."""
    rubrics = {
        name: {
            i.id: i for _, i in load_rubric(ROOT / "rubrics" / f"{name}.yaml").rubric.indicators()
        }
        for name in ("village", "township", "county")
    }
    assert gap_category(rubrics["county"]["weak_collective_share"]) == "lower_level"
    assert gap_category(rubrics["county"]["secretary_review"]) == "assessor"
    assert gap_category(rubrics["township"]["secretary_review"]) == "assessor"
    assert gap_category(rubrics["village"]["policy_implementation"]) == "assessor"
    assert gap_category(rubrics["village"]["collective_income"]) == "long_term"
    assert gap_category(rubrics["village"]["party_congress"]) == "own"


def test_every_format_lists_what_is_not_proposed() -> None:
    """score's table, markdown, json and html show the next rating and the separate lists."""
    table = run("score", str(NANTANG))
    html = run("score", "--format", "html", str(NANTANG))
    markdown = run("score", "--format", "markdown", str(NANTANG))
    for text in (table, html, markdown):
        assert "升级（2027年）：要达到“优秀”" in text
        assert "由考评人员评定（不列入升级建议）：贯彻执行路线方针政策" in text
        assert "长期工作（一年内无法改变，不列入升级建议）：" in text
    [unit] = json.loads(run("score", "--format", "json", str(NANTANG)))["results"]
    assert unit["next_rating"]["indicators"] == ["party_congress"]
    assert "policy_implementation" in unit["not_proposed"]["assessor"]
    assert "secretary_appraisal" in unit["not_proposed"]["long_term"]
    assert unit["not_proposed"]["lower_level"] == []


def test_grade_tree_formats_list_what_depends_on_the_level_below() -> None:
    """grade-tree's table, json and html show each level's 取决于下级 list."""
    table = run("grade-tree", str(DEMO))
    html = run("grade-tree", "--format", "html", str(DEMO))
    for text in (table, html):
        assert "取决于下级（联创指标，不列入升级建议）：集体经济薄弱村比例" in text
        assert "升级：即使本单位自身能改进的差距全部做到" in text
    payload = json.loads(run("grade-tree", "--format", "json", str(DEMO)))
    county = next(r for r in payload["results"] if r["unit"]["level"] == "county")
    assert "weak_collective_share" in county["not_proposed"]["lower_level"]


def test_liuxi_rating_says_why_it_is_not_excellent() -> None:
    """柳溪村 96.84 良好: the reason stands next to the rating in every format."""
    result = grade_file(LIUXI)
    assert isinstance(result, UnitResult)
    assert (result.score, result.rating) == (Decimal("96.84"), "良好")
    assert result.rating_reason == LIUXI_REASON
    lines = run("score", str(LIUXI)).splitlines()
    rating = next(i for i, line in enumerate(lines) if "等级 良好" in line)
    assert f"（{LIUXI_REASON}）" in lines[rating + 1]  # right under the rating
    assert f"良好</strong>（{LIUXI_REASON}）" in run("score", "--format", "html", str(LIUXI))
    assert f"**等级 良好**（{LIUXI_REASON}）" in run("score", "--format", "markdown", str(LIUXI))
    [unit] = json.loads(run("score", "--format", "json", str(LIUXI)))["results"]
    assert unit["rating_reason"] == LIUXI_REASON


def test_rating_reason_only_when_the_total_reaches_the_better_band(tree: TreeResult) -> None:
    """No reason for a rating the total alone gives, nor for a veto (said by veto_reasons)."""
    reasons = {r.unit_name: r.rating_reason for r in every_unit(tree)}
    assert reasons["柳溪村党支部"].startswith("总分已达“优秀”的90分")
    assert reasons["南塘村党支部"] == ""  # 89.84: the total alone gives 良好
    assert reasons["河西村党支部"] == ""  # vetoed
    table = run("grade-tree", str(DEMO))
    assert "柳溪村党支部评为良好：总分已达“优秀”的90分" in table
