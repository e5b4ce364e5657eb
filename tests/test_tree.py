"""grade-tree on the demo county: every linked figure against a hand count, each consistency error."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from lianchuang_cli.commands.cli import main
from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.model.rules import Change, ChangeRule
from lianchuang_cli.reports.html_report import render_tree_html
from lianchuang_cli.reports.tree_json import render_tree_json
from lianchuang_cli.reports.tree_table import render_tree_table
from lianchuang_cli.scoring.results import Provenance, UnitResult
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.previous import load_previous
from lianchuang_cli.tree.tree_result import TreeResult
from tests.conftest import EXAMPLES, ROOT

DEMO = EXAMPLES / "county-demo"
PREVIOUS = DEMO / "last-year-2025.json"
TAOYUAN, SHIQIAO, YUNLING = "330521101", "330521102", "330521201"

# The demo's villages as written in their files (rating as graded, profile as declared):
# code → (township, rating, vetoed, 书记学历, 两委人数, 致富带头人, 集体经营性收入万元, 软弱涣散, 已整顿转化)
VILLAGES = {
    "330521101201": (TAOYUAN, "优秀", False, "本科", 7, 4, "38.6", False, False),  # 桃源村
    "330521101202": (TAOYUAN, "优秀", False, "大专", 7, 3, "15.2", False, False),  # 杏花村
    "330521101203": (TAOYUAN, "不合格", True, "大专", 6, 3, "12", False, False),  # 河西村
    "330521101204": (TAOYUAN, "良好", False, "高中", 5, 2, "8.5", False, False),  # 柳溪村
    "330521101205": (TAOYUAN, "良好", False, "大专", 6, 2, "11", False, False),  # 南塘村
    "330521102201": (SHIQIAO, "良好", False, "高中", 6, 2, "6.8", False, False),  # 石桥村
    "330521102202": (SHIQIAO, "优秀", False, "本科", 7, 3, "10.5", False, False),  # 青山村
    "330521102203": (SHIQIAO, "合格", False, "高中", 5, 1, "4.2", True, True),  # 新塘村
    "330521102204": (SHIQIAO, "良好", False, "大专", 5, 2, "9", False, False),  # 前山村
    "330521201201": (YUNLING, "不合格", False, "初中及以下", 5, 0, "1.2", True, False),  # 白水坑村
    "330521201202": (YUNLING, "合格", False, "高中", 5, 1, "3.5", True, True),  # 云岭村
    "330521201203": (YUNLING, "合格", False, "高中", 5, 1, "4.8", False, False),  # 高坪村
    "330521201204": (YUNLING, "不合格", False, "初中及以下", 5, 1, "2", False, False),  # 竹坑村
}

# Hand counts from the table above: indicator → (part, whole) or a count.
COUNTY_FIGURES: dict[str, tuple[int, int]] = {
    "villages_qualified": (10, 13),  # all but 河西（否决）、白水坑、竹坑
    "five_good_villages": (3, 13),  # 桃源、杏花、青山
    "five_good_villages_trend": (3, 13),
    # 桃源镇 reaches 优秀 by score but not its band condition (河西村 vetoed): none of 3
    "five_good_townships": (0, 3),
    "five_good_townships_trend": (0, 3),
    "college_share": (6, 13),  # 本科2（桃源、青山）+ 大专4（杏花、河西、南塘、前山）
    "college_share_trend": (6, 13),
    "wealth_leader_share": (25, 74),  # 14/31 + 8/23 + 3/20
    "wealth_leader_trend": (25, 74),
    # 新塘、云岭 of 新塘、白水坑、云岭 (identified) and 竹坑 (不合格 by score, not identified)
    "weak_rectified": (2, 4),
    "strong_collective_share": (5, 13),  # 桃源38.6、杏花15.2、河西12、南塘11、青山10.5
    "weak_collective_share": (5, 13),  # 新塘4.2、白水坑1.2、云岭3.5、高坪4.8、竹坑2
}
TOWNSHIP_FIGURES: dict[str, dict[str, tuple[int, int] | int]] = {
    TAOYUAN: {
        "villages_qualified": (4, 5),
        "five_good_villages": (2, 5),
        "five_good_villages_trend": (2, 5),
        "strong_collective_villages": (4, 5),
        "weak_collective_villages": 0,
    },
    SHIQIAO: {
        "villages_qualified": (4, 4),
        "five_good_villages": (1, 4),
        "five_good_villages_trend": (1, 4),
        "weak_rectified": (1, 1),
        "strong_collective_villages": (1, 4),
        "weak_collective_villages": 1,
    },
    YUNLING: {
        "villages_qualified": (2, 4),
        "five_good_villages": (0, 4),
        "five_good_villages_trend": (0, 4),
        "weak_rectified": (1, 3),  # 云岭 of 白水坑、云岭 and 竹坑 (不合格, not identified)
        "strong_collective_villages": (0, 4),
        "weak_collective_villages": 4,
    },
}
# Last year's figures from last-year-2025.json and the points the change rules give for them.
TRENDS = {
    ("330521", "five_good_villages_trend"): ("23.08", "1.5"),  # 3/13 both years: flat
    ("330521", "five_good_townships_trend"): ("33.33", "0"),  # 1/3 → 0/3: 1 − 3.33, floored at 0
    ("330521", "college_share_trend"): ("38.46", "2"),  # rise
    ("330521", "wealth_leader_trend"): ("35.62", "1"),  # 1.37 points down: within tolerance 2
    (TAOYUAN, "five_good_villages_trend"): ("40", "1"),  # flat
    (SHIQIAO, "five_good_villages_trend"): ("0", "2"),  # rise
    (YUNLING, "five_good_villages_trend"): ("25", "0"),  # fall
}


@pytest.fixture(scope="module")
def demo() -> TreeResult:
    """The demo county graded with last year's output."""
    previous, year = load_previous(PREVIOUS)
    assert year == 2025
    return grade_tree(DEMO, previous=previous, previous_file=str(PREVIOUS), previous_year=year)


def percent(part: int, whole: int) -> Decimal:
    """Hand-computed share, to two decimals."""
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))


def linked(result: UnitResult) -> dict[str, Provenance]:
    """Each linked indicator's provenance by id."""
    return {r.id: r.provenance for r in result.indicators if r.provenance is not None}


def township(tree: TreeResult, code: str) -> UnitResult:
    """The graded township with ``code``."""
    node = next(n for n in tree.townships if n.code == code)
    assert node.result is not None
    return node.result


def test_demo_is_a_clean_county(demo: TreeResult) -> None:
    """1 county, 3 townships, 13 villages, every file graded, nothing inconsistent."""
    assert demo.county is not None
    assert [n.code for n in demo.townships] == [TAOYUAN, SHIQIAO, YUNLING]
    assert sum(len(n.villages) for n in demo.townships) == len(VILLAGES) == 13
    assert not demo.failures
    assert not demo.problems
    assert not demo.unlinked


def test_villages_are_graded_as_the_table_says(demo: TreeResult) -> None:
    """Each village's rating and township are those of the hand table."""
    for node in demo.townships:
        for village in node.villages:
            township_code, rating, vetoed, *_ = VILLAGES[village.unit_code]
            assert (node.code, village.rating, village.vetoed) == (township_code, rating, vetoed)


def test_county_figures_match_the_hand_count(demo: TreeResult) -> None:
    """Every share over the county's villages and townships, part and whole, is the hand count."""
    assert demo.county is not None
    figures = linked(demo.county)
    for indicator, (part, whole) in COUNTY_FIGURES.items():
        provenance = figures[indicator]
        assert provenance.source == "computed", indicator
        assert (provenance.part, provenance.whole) == (part, whole), indicator
        assert provenance.value == percent(part, whole), indicator
    assert figures["vetoed_townships"].value == 0
    village_files = {v.file for n in demo.townships for v in n.villages}
    assert set(figures["college_share"].files) == village_files
    assert set(figures["five_good_townships"].files) == {n.file for n in demo.townships}


def test_criterion_means_are_the_mean_of_the_units(demo: TreeResult) -> None:
    """Mean of 农民群众反映好 over the 13 villages, and of 群众反映好 over the 3 townships."""
    assert demo.county is not None
    figures = linked(demo.county)
    villages = [v for n in demo.townships for v in n.villages]
    # Each village on the criterion's 20 points: 缺项 rescaled (青山村 18 of an applicable 18 is 20).
    scores = [
        c.score * c.points / c.max_score for v in villages for c in v.criteria
        if c.id == "public_opinion"
    ]  # fmt: skip
    assert len(scores) == 13
    expected = (sum(scores, Decimal(0)) / 13).quantize(Decimal("0.01"))
    assert figures["villages_public_opinion"].value == expected == Decimal("17.27")
    shiqiao = linked(township(demo, SHIQIAO))["villages_public_opinion"]
    assert shiqiao.value == Decimal("18.25")  # raw mean 17.75 would cost 石桥镇 a point
    township_scores = [
        c.score for n in demo.townships if n.result for c in n.result.criteria
        if c.id == "public_opinion"
    ]  # fmt: skip
    expected = (sum(township_scores, Decimal(0)) / 3).quantize(Decimal("0.01"))
    assert figures["townships_public_opinion"].value == expected


def test_township_figures_match_the_hand_count(demo: TreeResult) -> None:
    """Shares and counts over each township's own villages."""
    for code, expected in TOWNSHIP_FIGURES.items():
        figures = linked(township(demo, code))
        for indicator, count in expected.items():
            provenance = figures[indicator]
            if isinstance(count, tuple):
                assert (provenance.part, provenance.whole) == count, (code, indicator)
                assert provenance.value == percent(*count), (code, indicator)
            else:
                assert provenance.value == count, (code, indicator)
    taoyuan = linked(township(demo, TAOYUAN))["weak_rectified"]
    # None identified, and 河西村's 不合格 is its veto (counted in villages_qualified): 100 %.
    assert taoyuan.value == 100
    assert len(taoyuan.files) == 5


def test_trends_compare_with_last_year(demo: TreeResult) -> None:
    """Each change rule reads last year's figure from --previous and scores rise / flat / fall."""
    units = {demo.county.unit_code: demo.county} if demo.county else {}
    units.update({n.code: n.result for n in demo.townships if n.result})
    for (code, indicator), (previous, points) in TRENDS.items():
        result = next(r for r in units[code].indicators if r.id == indicator)
        assert result.provenance is not None
        assert result.provenance.previous == Decimal(previous), (code, indicator)
        assert str(PREVIOUS) in result.provenance.previous_source
        assert result.score == Decimal(points), (code, indicator)


def test_declared_value_is_kept_beside_the_computed_one(demo: TreeResult) -> None:
    """云岭乡 typed 25% “五个好”; the computed 0% is scored, the declared figure is shown."""
    provenance = linked(township(demo, YUNLING))["five_good_villages"]
    assert provenance.source == "computed"
    assert provenance.value == 0
    assert provenance.declared == "25"


def test_ratings_distribution_and_ranking(demo: TreeResult) -> None:
    """Each township counts its villages' ratings; villages rank as in batch (vetoed last, score)."""
    distributions = {n.code: dict(n.distribution) for n in demo.townships}
    assert distributions[TAOYUAN] == {"优秀": 2, "良好": 2, "合格": 0, "不合格": 1}
    assert distributions[SHIQIAO] == {"优秀": 1, "良好": 2, "合格": 1, "不合格": 0}
    assert distributions[YUNLING] == {"优秀": 0, "良好": 0, "合格": 2, "不合格": 2}
    taoyuan = next(n for n in demo.townships if n.code == TAOYUAN)
    names = [v.unit_name for v in taoyuan.villages]
    assert names == ["桃源村党总支", "杏花村党支部", "柳溪村党支部", "南塘村党支部", "河西村党支部"]
    yunling = township(demo, YUNLING)
    assert yunling.rating == "不合格"  # the visibly weaker township
    assert all(yunling.score < township(demo, c).score for c in (TAOYUAN, SHIQIAO))


EXPECTED = re.compile(r"^# 预期[^：]*：总分 (\S+)，等级 (\S+)$", re.MULTILINE)


def test_every_demo_file_scores_as_its_header_says(demo: TreeResult) -> None:
    """Villages alone and in the tree, townships and county in the tree, as their headers say."""
    results = [demo.county, *(n.result for n in demo.townships)]
    results += demo.village_results()
    for result in results:
        assert result is not None
        match = EXPECTED.search(Path(result.file).read_text(encoding="utf-8"))
        assert match, result.file
        assert (fmt(result.score), result.rating) == match.groups(), result.file
        if result.level == "village":
            alone = grade_file(result.file)
            assert isinstance(alone, UnitResult)
            assert alone.score == result.score


# ── consistency errors, each on a copy of the demo ──


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """A writable copy of the demo county."""
    target = tmp_path / "青山县"
    shutil.copytree(DEMO, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` once; return the 1-based line where it was."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def only_error(tree: TreeResult) -> Problem:
    """The one consistency error of the tree."""
    (problem,) = tree.errors
    return problem


def test_village_naming_a_missing_township(county: Path) -> None:
    """Located at township_code; the village is listed but not counted in any township."""
    path = county / "taoyuan" / "liuxi.yaml"
    line = edit(path, 'township_code: "330521101"', 'township_code: "330521109"')
    tree = grade_tree(county)
    problem = only_error(tree)
    assert (problem.file, problem.line, problem.column) == (str(path), line, 18)
    assert "330521109" in problem.message
    assert problem.code == "tree-parent-not-found"
    assert "没有对应的乡镇材料" in problem.message
    assert [u.result.unit_code for u in tree.unlinked] == ["330521101204"]
    figures = linked(township(tree, TAOYUAN))
    assert (figures["five_good_villages"].part, figures["five_good_villages"].whole) == (2, 4)


def test_two_files_with_one_unit_code(county: Path) -> None:
    """The second file (in path order) is reported at its code and left out of the figures."""
    copy = county / "yunling" / "zz_copy.yaml"
    shutil.copy(county / "taoyuan" / "taoyuan.yaml", copy)
    tree = grade_tree(county)
    problem = only_error(tree)
    assert (problem.file, problem.line, problem.code) == (str(copy), 7, "tree-duplicate-code")
    assert "重复" in problem.message
    assert "taoyuan.yaml" in problem.message
    assert linked(township(tree, TAOYUAN))["five_good_villages"].whole == 5
    assert linked(township(tree, YUNLING))["five_good_villages"].whole == 4


def test_year_differing_from_the_parent(county: Path) -> None:
    """A township of another year is reported at its year and not counted by the county."""
    path = county / "shiqiao" / "township.yaml"
    line = edit(path, "  year: 2026\n", "  year: 2025\n")
    tree = grade_tree(county)
    consistency = [p for p in tree.errors if "不一致" in p.message and "所属县" in p.message]
    assert len(consistency) == 1
    assert consistency[0].code == "tree-year-mismatch"
    assert (consistency[0].file, consistency[0].line, consistency[0].column) == (str(path), line, 9)
    assert tree.county is not None
    assert linked(tree.county)["five_good_townships"].whole == 2
    # 2025 is also not the rubric's year: the township file itself cannot be graded either.
    assert [f.file for f in tree.failures] == [str(path)]


def test_township_with_no_villages(county: Path) -> None:
    """Reported at its code; its linked figures cannot be computed and score nothing."""
    path = county / "qingxi.yaml"
    text = (county / "yunling" / "township.yaml").read_text(encoding="utf-8")
    text = text.replace('code: "330521201"', 'code: "330521202"').replace("云岭乡", "清溪乡")
    path.write_text(text, encoding="utf-8")
    tree = grade_tree(county)
    problem = only_error(tree)
    assert (problem.file, problem.line) == (str(path), 7)
    assert "没有任何村" in problem.message
    assert problem.code == "tree-no-villages"
    qingxi = township(tree, "330521202")
    unavailable = [
        r for r in qingxi.indicators if r.provenance and r.provenance.source == "unavailable"
    ]
    assert unavailable
    assert all(r.score == 0 for r in unavailable)
    declared = linked(qingxi)["five_good_villages"]
    assert declared.source == "declared"
    assert declared.label == "申报值（未核算）"
    assert tree.county is not None
    assert linked(tree.county)["five_good_townships"].whole == 4


def test_bad_village_never_stops_the_tree(county: Path) -> None:
    """A broken village is listed; its township's figures say they counted 4 of 5 villages."""
    path = county / "taoyuan" / "xinghua.yaml"
    edit(path, "  theme_party_days:\n    value: 11", "  theme_party_days:\n    value: 十一")
    tree = grade_tree(county)
    assert [f.file for f in tree.failures] == [str(path)]
    assert not tree.errors
    node = next(n for n in tree.townships if n.code == TAOYUAN)
    assert (len(node.villages), node.villages_found) == (4, 5)
    provenance = linked(township(tree, TAOYUAN))["five_good_villages"]
    assert (provenance.part, provenance.whole, provenance.units_found) == (1, 4, 5)
    assert "另有1个村未计入" in provenance.description


def test_village_without_profile_is_left_out_of_profile_figures(county: Path) -> None:
    """Profile figures say which village they could not count; rating figures still count it."""
    path = county / "taoyuan" / "nantang.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("profile:\n"), text.index("indicators:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    figures = linked(township(grade_tree(county), TAOYUAN))
    assert figures["strong_collective_villages"].whole == 4
    assert any(
        "nantang.yaml：缺少 profile" in e for e in figures["strong_collective_villages"].excluded
    )
    assert figures["five_good_villages"].whole == 5


def test_folder_without_a_county(county: Path) -> None:
    """Townships and villages are still graded; the missing county is one error."""
    (county / "county.yaml").unlink()
    tree = grade_tree(county)
    problem = only_error(tree)
    assert (problem.file, problem.code) == (str(county), "tree-no-county")
    assert tree.county is None
    assert len(tree.townships) == 3


# ── the command ──


def test_grade_tree_table() -> None:
    """Table: county figures with their sources, townships with distributions, ranked villages."""
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--previous", str(PREVIOUS)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("青山县委", "联创指标", "据13个村的结果核算", "上年23.08", "优秀2", "各村排名"):
        assert text in out, text
    assert "村13个" in result.stderr


def test_grade_tree_json_carries_every_level_and_provenance() -> None:
    """JSON: the core envelope, every unit in results with linked values, and the tree's links."""
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["schema_version"], data["kind"]) == (2, "tree")
    assert data["summary"]["villages_graded"] == 13
    village_summary = data["summary"]["levels"]["village"]
    assert village_summary["files"]["graded"] == 13
    assert {r["rating"]: r["count"] for r in village_summary["ratings"]}["优秀"] == 3
    levels = [r["unit"]["level"] for r in data["results"]]
    assert levels == ["county"] + ["township"] * 3 + ["village"] * 13
    county = data["results"][0]
    item = next(i for i in county["linked"] if i["indicator"] == "five_good_villages")
    assert (item["value"], item["part"], item["whole"], item["source"]) == (
        23.08,
        3,
        13,
        "computed",
    )
    assert len(item["files"]) == item["units_counted"] == 13
    yunling = next(t for t in data["tree"]["townships"] if t["code"] == YUNLING)
    assert yunling["rating_distribution"] == {"优秀": 0, "良好": 0, "合格": 2, "不合格": 2}
    assert len(yunling["villages"]) == 4
    ranks = [r["rank_in_township"] for r in data["results"] if r.get("linked_to") == YUNLING]
    assert ranks == [1, 2, 3, 4]
    assert data["problems"] == []
    assert data["invalid"] == []


def test_grade_tree_output_serves_as_next_years_previous(tmp_path: Path) -> None:
    """A run's JSON output is read back by --previous: every computed figure by code."""
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--format", "json"])
    path = tmp_path / "2026.json"
    path.write_text(result.stdout, encoding="utf-8")
    figures, year = load_previous(path)
    assert year == 2026
    assert figures[("330521", "five_good_villages")][0] == Decimal("23.08")
    assert figures[(YUNLING, "weak_rectified")][0] == Decimal("33.33")


def test_grade_tree_exits_2_and_locates_consistency_errors(county: Path) -> None:
    """Consistency problems print as file:line:column on stderr; the report still prints."""
    path = county / "taoyuan" / "liuxi.yaml"
    line = edit(path, 'township_code: "330521101"', 'township_code: "330521109"')
    result = CliRunner().invoke(main, ["grade-tree", str(county)])
    assert result.exit_code == 2
    assert f"{path}:{line}:18: 错误" in result.stderr
    assert "未计入汇总的单位" in result.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [("{oops", "不是有效的 JSON"), ('{"results": []}', "应有 kind")],
)
def test_bad_previous_file(tmp_path: Path, content: str, message: str) -> None:
    """A --previous file that is not a grade-tree output stops with a located message."""
    path = tmp_path / "last.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--previous", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert str(path) in result.stderr


def test_single_township_file_needs_declared_values(tmp_path: Path) -> None:
    """Scored alone, a township's linked indicators must be declared, and are marked as such."""
    alone = grade_file(DEMO / "yunling" / "township.yaml")
    assert not isinstance(alone, UnitResult)
    messages = " ".join(p.message for p in alone.problems)
    assert "grade-tree" in messages
    assert "申报值" in messages
    text = (DEMO / "yunling" / "township.yaml").read_text(encoding="utf-8")
    declared = {
        "villages_qualified": "{part: 2, whole: 4}",
        "five_good_villages_trend": "{current: 0, previous: 25}",
        "weak_rectified": "{part: 1, whole: 2}",
        "weak_collective_villages": "4",
        "strong_collective_villages": "0",
        "villages_public_opinion": "13.5",
    }
    for indicator, value in declared.items():
        text = re.sub(
            rf"  # {indicator}（[^\n]*\n", f"  {indicator}:\n    value: {value}\n", text, count=1
        )
    path = tmp_path / "township.yaml"
    path.write_text(text, encoding="utf-8")
    result = grade_file(path)
    assert isinstance(result, UnitResult), result
    marked = [r for r in result.indicators if r.provenance is not None]
    assert len(marked) == 7
    assert all(r.explanation.startswith("申报值（未核算）") for r in marked)


def test_tree_expectations_are_checked_and_updated_with_grade_tree(county: Path) -> None:
    """A township's ``# 预期（grade-tree …）`` line is checked against the tree, and rewritten."""
    from lianchuang_cli.grading.expectations import check_example, update_example

    path = county / "yunling" / "township.yaml"
    assert check_example(path) == ()
    line = edit(path, "总分 37.91", "总分 50")
    (problem,) = check_example(path)
    assert (problem.line, problem.code) == (line, "expected-result")
    assert "实际 总分 37.91，等级 不合格（grade-tree）" in problem.message
    assert update_example(path)
    assert check_example(path) == ()
    assert "# 预期（grade-tree --previous last-year-2025.json）：总分 37.91" in path.read_text(
        encoding="utf-8"
    )


def tree_validator() -> jsonschema.Draft202012Validator:
    """A validator for schemas/tree.schema.json, resolving its references to report.schema.json."""
    schemas = {
        name: json.loads((ROOT / "schemas" / name).read_text(encoding="utf-8"))
        for name in ("report.schema.json", "tree.schema.json")
    }
    registry: Registry[Any] = Registry().with_resources(
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    jsonschema.Draft202012Validator.check_schema(schemas["tree.schema.json"])
    return jsonschema.Draft202012Validator(schemas["tree.schema.json"], registry=registry)


def test_tree_json_validates_against_its_schema(county: Path) -> None:
    """The demo's output, and one with errors, unlinked and failed files, match tree.schema.json."""
    validator = tree_validator()
    clean = CliRunner().invoke(
        main, ["grade-tree", str(DEMO), "--previous", str(PREVIOUS), "--format", "json"]
    )
    validator.validate(json.loads(clean.stdout))
    edit(county / "taoyuan" / "liuxi.yaml", 'township_code: "330521101"', 'township_code: "9"')
    edit(county / "taoyuan" / "xinghua.yaml", "  year: 2026\n", "  year: [2026\n")
    broken = CliRunner().invoke(main, ["grade-tree", str(county), "--format", "json"])
    data = json.loads(broken.stdout)
    assert data["problems"]
    assert data["invalid"]
    assert any("left_out" in r for r in data["results"])
    validator.validate(data)


def test_previous_output_of_another_year_is_a_warning(tmp_path: Path) -> None:
    """Comparing with a year that is not the one before is allowed but warned about."""
    data = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    for unit in data["results"]:
        unit["unit"]["year"] = 2023
    path = tmp_path / "2023.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    previous, year = load_previous(path)
    tree = grade_tree(DEMO, previous=previous, previous_file=str(path), previous_year=year)
    (warning,) = tree.problems
    assert (warning.severity, warning.code, warning.file) == (
        "warning",
        "tree-previous-year",
        str(path),
    )
    assert not tree.errors
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--previous", str(path)])
    assert result.exit_code == 0
    assert "警告" in result.stderr


@settings(max_examples=6, deadline=None)
@given(st.data())
def test_any_damaged_county_still_grades(data: st.DataObject) -> None:
    """Files removed or broken at random: the tree never raises, and no figure counts more
    units than it found."""
    files = sorted(p.relative_to(DEMO) for p in DEMO.rglob("*.yaml"))
    removed = data.draw(st.sets(st.sampled_from(files), max_size=6))
    broken = data.draw(st.sets(st.sampled_from(files), max_size=4))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for relative in files:
            if relative in removed:
                continue
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            text = (DEMO / relative).read_text(encoding="utf-8")
            if relative in broken:
                text = text.replace("  year: 2026", "  year: [2026", 1)
            target.write_text(text, encoding="utf-8")
        tree = grade_tree(root)
    assert len(tree.failures) == len(broken - removed)
    units = [tree.county, *(n.result for n in tree.townships)]
    for unit in units:
        for provenance in linked(unit).values() if unit else ():
            assert len(provenance.files) <= provenance.units_found


def test_second_county_file_is_reported_and_left_out(county: Path) -> None:
    """Only the first county file (in path order) is the county; another is graded alone, left out."""
    second = county / "zz" / "county.yaml"
    second.parent.mkdir()
    text = (
        (county / "county.yaml")
        .read_text(encoding="utf-8")
        .replace('code: "330521"', 'code: "330599"')
    )
    second.write_text(text, encoding="utf-8")
    tree = grade_tree(county)
    problem = only_error(tree)
    assert (problem.file, problem.code) == (str(second), "tree-many-counties")
    assert tree.county is not None
    assert tree.county.file == str(county / "county.yaml")
    (left_out,) = tree.unlinked
    assert left_out.result.file == str(second)
    sources = {r.provenance.source for r in tree.full(left_out.result).indicators if r.provenance}
    assert sources == {"unavailable"}


def test_empty_folder(tmp_path: Path) -> None:
    """A folder without evidence files says so, once, and exits 2."""
    result = CliRunner().invoke(main, ["grade-tree", str(tmp_path)])
    assert result.exit_code == 2
    assert "[tree-empty]" in result.stderr
    assert "各乡镇" not in result.stdout


@pytest.mark.parametrize("unit", ["unit: 5", "unit: [青山县委]"])
def test_unit_that_is_not_a_mapping_never_crashes_the_tree(county: Path, unit: str) -> None:
    """A township or county whose unit: is not a mapping fails on its own; the tree goes on."""
    for path in (county / "yunling" / "township.yaml", county / "zz" / "county.yaml"):
        path.parent.mkdir(exist_ok=True)
        source = county / ("county.yaml" if path.name == "county.yaml" else "yunling/township.yaml")
        text = source.read_text(encoding="utf-8")
        start, end = text.index("unit:\n"), text.index("indicators:\n")
        path.write_text(text[:start] + unit + "\n" + text[end:], encoding="utf-8")
    tree = grade_tree(county)
    failed = {f.file for f in tree.failures}
    assert str(county / "yunling" / "township.yaml") in failed
    assert tree.county is not None


def test_missing_previous_year_is_not_applicable_and_said_in_every_format() -> None:
    """Without --previous no trend earns a free “flat”: 缺项 as the rubric declares, said everywhere."""
    tree = grade_tree(DEMO)
    assert tree.county is not None
    trends = [r for r in tree.county.indicators if r.id.endswith("_trend")]
    assert len(trends) == 4
    assert all(r.status == "not_applicable" and r.score is None for r in trends)
    listed = {n.indicator: n.situation for n in tree.county.not_applicable}
    assert listed == {r.id: "无上年数据" for r in trends}
    # 云岭乡's share fell (25 → 0): it used to get a point for “flat”; now the item is left out.
    yunling = next(
        r for r in township(tree, YUNLING).indicators if r.id == "five_good_villages_trend"
    )
    assert (yunling.status, yunling.score) == ("not_applicable", None)
    table = render_tree_table(tree, width=200)
    html = render_tree_html(tree)
    data = json.loads(render_tree_json(tree))
    for text in (table, html):
        assert "23.08（无上年数据）" in text
        assert "缺项/3" in text
    county = data["results"][0]
    item = next(i for i in county["linked"] if i["indicator"] == "five_good_villages_trend")
    assert (item["previous"], item["score"]) == (None, None)
    assert {"id": "five_good_villages_trend", "situation": "无上年数据"}.items() <= next(
        n for n in county["not_applicable"] if n["id"] == "five_good_villages_trend"
    ).items()


def test_a_rubric_may_declare_a_missing_previous_year_flat() -> None:
    """``without_previous: flat`` keeps the old reading, and the explanation says the rubric chose it."""
    rule = ChangeRule.model_validate(
        {"kind": "change", "rise": 2, "flat": 1, "fall": 0, "without_previous": "flat"}
    )
    outcome = rule.score(Change(current=Decimal(25)), Decimal(2))
    assert outcome.score == 1
    assert "无上年数据" in outcome.found
    assert "按细则规定按持平计1分" in outcome.explanation
    assert rule.describe().endswith("无上年数据时按持平计1分")
    default = ChangeRule.model_validate({"kind": "change", "rise": 2, "flat": 1})
    assert default.describe().endswith("无上年数据时按缺项处理")


def test_a_previous_file_that_contradicts_itself_is_reported_where_it_does(tmp_path: Path) -> None:
    """last-year-2025.json as it shipped: county 2/13 五个好 villages while its township rows add
    up to 3/13, and 0 五个好 townships while it rates 桃源镇 优秀. Each at its place; not compared."""
    data = json.loads(PREVIOUS.read_text(encoding="utf-8"))
    for item in data["results"][0]["linked"]:
        if item["indicator"] == "five_good_villages_trend":
            item.update(part=2, value=15.38)
        if item["indicator"] == "five_good_townships_trend":
            item.update(part=0, value=0)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    path = tmp_path / "last-year-2025.json"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    result = CliRunner().invoke(
        main, ["grade-tree", str(DEMO), "--previous", str(path), "--format", "json"]
    )
    assert result.exit_code == 2, result.output
    output = json.loads(result.stdout)
    problems = output["problems"]
    assert [p["code"] for p in problems] == ["previous-contradiction"] * 2
    villages, townships = problems
    assert (
        "为2/13，而各乡镇行合计为3/13（桃源镇党委2/5、石桥镇党委0/4、云岭乡党委1/4）"
        in (villages["message"])
    )
    assert "为0/3，而乡镇行中评为“优秀”的有1个（桃源镇党委）" in townships["message"]
    for problem in problems:
        assert lines[problem["line"] - 1].strip().startswith('"part"'), problem
        assert "更正" in problem["message"]
    # The contradicted figures are not compared: 缺项, said beside the figure in every format.
    county = {i["indicator"]: i for i in output["results"][0]["linked"]}
    trend = county["five_good_villages_trend"]
    assert (trend["previous"], trend["score"]) == (None, None)
    assert "自相矛盾" in trend["previous_source"]
    tree = grade_tree(DEMO, previous=load_previous(path)[0], previous_file=str(path))
    for shown in (render_tree_table(tree, width=200), render_tree_html(tree)):
        assert "23.08（上年数据自相矛盾，未比较）" in shown
    table = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--previous", str(path)])
    assert table.exit_code == 2
    assert "last-year-2025.json:" in table.stderr


def test_a_fact_typed_twice_that_disagrees_is_an_error_at_both_places(county: Path) -> None:
    """云岭村's profile says 12万 while its collective_income indicator says 3.5: without a word,
    云岭乡 gained 2 points and the county one more 强村. Now both entries are errors."""
    path = county / "yunling" / "yunling.yaml"
    line = edit(path, "  collective_operating_income: 3.5", "  collective_operating_income: 12")
    value_line = path.read_text(encoding="utf-8").splitlines().index("    value: 3.5") + 1
    tree = grade_tree(county)
    failure = next(f for f in tree.failures if f.file == str(path))
    assert [p.line for p in failure.problems] == [line, value_line]
    assert all("填了两次且不一致" in p.message for p in failure.problems)
    assert all(
        "profile.collective_operating_income 为12万元" in p.message for p in failure.problems
    )
    figures = linked(township(tree, YUNLING))
    assert figures["strong_collective_villages"].part == 0  # 12万 never counted as a 强村
    alone = grade_file(path)
    assert not isinstance(alone, UnitResult)


def test_villages_rank_within_their_township_as_batch_ranks_them() -> None:
    """One ranking rule (``ranking.rank_key``): a township's villages in the order ``batch``
    ranks the same villages (vetoed ones last, then total, base score, code, file)."""
    from lianchuang_cli.scoring.summary import SummaryBuilder

    for node in grade_tree(DEMO).townships:
        builder = SummaryBuilder()
        for index, village in enumerate(node.villages[::-1]):
            builder.add(index, village)
        summary = builder.finish(files=len(node.villages), invalid=0, skipped=0, quotas={})
        by_rank = sorted(range(len(node.villages)), key=lambda i: summary.placements[i].rank)
        assert [node.villages[::-1][i].file for i in by_rank] == [v.file for v in node.villages]
