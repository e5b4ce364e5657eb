"""grade-tree with quotas (issue 14 item 7): the batch's quota rule at each level, ties 并列,
and the shares one level up counted after quotas."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.reports.tree_json import render_tree_json
from lianchuang_cli.scoring.results import Provenance, UnitResult
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.tree_result import TreeResult
from tests.conftest import EXAMPLES, ROOT
from tests.test_tree import tree_validator

DEMO = EXAMPLES / "county-demo"
TAOYUAN, SHIQIAO = "330521101", "330521102"
TAOYUAN_VILLAGE, XINGHUA, QINGSHAN = "330521101201", "330521101202", "330521102202"


@pytest.fixture(scope="module")
def tenth() -> TreeResult:
    """The demo county with 优秀 capped at 10% of each level: one village place of 13."""
    return grade_tree(DEMO, quotas={"优秀": Decimal(10)})


def linked(result: UnitResult | None) -> dict[str, Provenance]:
    """Each linked indicator's provenance by id."""
    assert result is not None
    return {r.id: r.provenance for r in result.indicators if r.provenance is not None}


def village_places(tree: TreeResult) -> dict[str, tuple[str, bool]]:
    """Village code → (rating after quotas, tied)."""
    return {
        village.unit_code: (placement.rating, placement.tied)
        for node in tree.townships
        for village, placement in zip(node.villages, node.placements, strict=True)
    }


def test_villages_tied_at_the_county_cut_off_are_both_kept_and_marked(tenth: TreeResult) -> None:
    """杏花村 equals 桃源村 on total and base score: one place of 13, both 优秀 and 并列; 青山村,
    third, moves down; code order decides nothing."""
    places = village_places(tenth)
    assert places[TAOYUAN_VILLAGE] == places[XINGHUA] == ("优秀", True)
    assert places[QINGSHAN] == ("良好", False)
    [quota] = tenth.levels["village"].quotas
    assert (quota.cap, quota.demoted, quota.tied) == (1, 1, 1)
    assert tenth.levels["village"].quota_rule.startswith("村的名额按全县参评的村计算")
    ranking = list(tenth.levels["village"].ranking)
    tied = [r for r in ranking if r.placement.tied]
    assert {r.row.unit_code for r in tied} == {TAOYUAN_VILLAGE, XINGHUA}
    assert all("并列：2个单位总分、基础分相同" in r.placement.quota_note for r in tied)


def test_shares_one_level_up_count_ratings_after_quotas(tenth: TreeResult) -> None:
    """石桥镇 loses its only 五个好 village to the quota, so its share is 0 of 4; the county counts
    2 of 13 and says the 2 are tied at the cut-off, still to be settled."""
    shiqiao = next(n for n in tenth.townships if n.code == SHIQIAO)
    figures = linked(shiqiao.result)
    assert (figures["five_good_villages"].part, figures["five_good_villages"].whole) == (0, 4)
    assert "（按名额后的等级计）" in figures["five_good_villages"].description
    assert dict(shiqiao.distribution)["优秀"] == 0
    county = linked(tenth.county)
    five_good = county["five_good_villages"]
    assert (five_good.part, five_good.whole) == (2, 13)
    assert "其中2个为名额线上并列" in five_good.description
    # 合格 and above: a tie at the 优秀 line cannot move that share, so it is not mentioned.
    assert "并列" not in county["villages_qualified"].description


def test_ties_are_reported_in_every_tree_format(tmp_path: Path) -> None:
    """table, json and html of grade-tree --quota 优秀=10% say 并列 beside 杏花村 and 桃源村."""
    for name in ("table", "json", "html"):
        target = tmp_path / f"tree.{name}"
        result = CliRunner().invoke(
            main,
            ["grade-tree", str(DEMO), "--quota", "优秀=10%", "--format", name, "-o", str(target)],
        )
        assert result.exit_code == 0, (name, result.output)
        text = target.read_text(encoding="utf-8")
        assert "并列：2个单位总分、基础分相同，跨“优秀”名额线（名额1个）" in text, name
        assert "村的名额按全县参评的村计算（细则 quota_scope: county）" in text, name
        assert "名额线并列" in text or '"tied"' in text, name
    data = json.loads((tmp_path / "tree.json").read_text(encoding="utf-8"))
    villages = {r["unit"]["code"]: r for r in data["results"] if r["unit"]["level"] == "village"}
    assert villages[XINGHUA]["rating"] == villages[TAOYUAN_VILLAGE]["rating"] == "优秀"
    assert villages[QINGSHAN]["rating"] == "良好"
    assert villages[QINGSHAN]["rating_by_score"] == "优秀"
    assert data["summary"]["levels"]["village"]["quotas"][0]["tied"] == 1
    table = (tmp_path / "tree.table").read_text(encoding="utf-8")
    assert re.search(r"杏花村党支部\s+101\.25\s+优秀（名额线并列）", table)


def test_publish_pack_of_a_tree_applies_the_quota_and_reports_the_tie(tmp_path: Path) -> None:
    """publish --quota on a county folder: the pack's JSON, HTML and village workbook say 并列,
    the manifest records the quota, and verify re-grades to the same results."""
    pack = tmp_path / "pack"
    result = CliRunner().invoke(
        main, ["publish", str(DEMO), "-o", str(pack), "--quota", "优秀=10%"]
    )
    assert result.exit_code == 0, result.output
    for name in ("results/results.json", "results/report.html"):
        assert "并列：2个单位总分、基础分相同" in (pack / name).read_text(encoding="utf-8"), name
    book = openpyxl.load_workbook(pack / "results" / "summary-village.xlsx")
    cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row)
    assert "并列：2个单位总分、基础分相同" in cells
    manifest = json.loads((pack / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["quota"] == {"优秀": "10"}
    verified = CliRunner().invoke(main, ["verify", str(pack)])
    assert verified.exit_code == 0, verified.output


def test_quota_scope_township_counts_each_township_apart(tmp_path: Path) -> None:
    """A village rubric declaring quota_scope: township: 20% of 桃源镇's 5 villages is 1 place
    (桃源村 and 杏花村 tied), of 石桥镇's 4 none (青山村 moves down); each outcome names its
    township, and the rubric's keep_all rule keeps both tied villages for good."""
    rubric = tmp_path / "village.yaml"
    text = (ROOT / "rubrics" / "village.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^quota_scope: county$", "quota_scope: township", text)
    if "quota_scope: township" not in text:
        text += "quota_scope: township\n"
    rubric.write_text(text + "quota_ties: keep_all\n", encoding="utf-8")
    tree = grade_tree(DEMO, rubrics={"village": rubric}, quotas={"优秀": Decimal(20)})
    places = village_places(tree)
    assert places[TAOYUAN_VILLAGE] == places[XINGHUA] == ("优秀", True)
    assert places[QINGSHAN] == ("良好", False)
    summary = tree.levels["village"]
    outcomes = {q.group: (q.cap, q.demoted, q.tied) for q in summary.quotas}
    assert outcomes["桃源镇党委"] == (1, 0, 1)
    assert outcomes["石桥镇党委"] == (0, 1, 0)
    assert summary.quota_rule.startswith("村的名额按各乡镇所辖参评的村分别计算")
    assert "并列者均保留该等级" in summary.quota_rule
    qingshan = next(r for r in summary.ranking if r.row.unit_code == QINGSHAN)
    assert "“优秀”名额为石桥镇党委参评单位的20%（0个）已满" in qingshan.placement.quota_note
    data = json.loads(render_tree_json(tree))
    tree_validator().validate(data)
    groups = {q["group"] for q in data["summary"]["levels"]["village"]["quotas"]}
    assert groups == {"桃源镇党委", "石桥镇党委", "云岭乡党委"}


def test_a_county_rating_cannot_take_a_quota(tmp_path: Path) -> None:
    """grade-tree grades one county: --quota 先进县=10% is refused with the reason, exit 2."""
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--quota", "先进县=10%"])
    assert result.exit_code == 2
    assert "“先进县”是县级等级" in result.output
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO), "--quota", "五星=10%"])
    assert result.exit_code == 2
    assert "不是村或乡镇细则中可设名额的等级" in result.output


def test_without_quotas_shares_still_say_what_they_count() -> None:
    """No quota: every unit keeps its rating by score, and a rating share still says it counts
    ratings after quotas (the same ones here); other figures say nothing of quotas."""
    tree = grade_tree(DEMO)
    assert all(rating == by for rating, by in _ratings(tree))
    assert not tree.levels["village"].quotas
    assert not tree.levels["township"].quotas
    county = linked(tree.county)
    assert "（按名额后的等级计）" in county["five_good_villages"].description
    assert "名额" not in county["college_share"].description


def _ratings(tree: TreeResult) -> list[tuple[str, str]]:
    return [
        (placement.rating, village.rating)
        for node in tree.townships
        for village, placement in zip(node.villages, node.placements, strict=True)
    ]


def test_rubric_show_states_the_declared_quota_choices() -> None:
    """The village rubric's quota_scope and quota_ties are shown even with no quota set; the
    county's says grade-tree sets none for the one county."""
    village = CliRunner().invoke(main, ["rubric", "show", "village"])
    assert village.exit_code == 0
    shown = "".join(village.output.split())
    assert "村的名额按全县参评的村计算（细则quota_scope:county）" in shown
    assert "由考评领导小组研究确定（细则quota_ties:committee）" in shown
    county = CliRunner().invoke(main, ["rubric", "show", "county"])
    assert "grade-tree只评一个县，不对县设名额" in "".join(county.output.split())


def test_a_batch_says_it_cannot_count_quotas_per_township(tmp_path: Path) -> None:
    """batch with a village rubric declaring quota_scope: township pools the folder's units, and
    its quota rule says so (and where per-township quotas are applied) instead of in silence."""
    rubric = tmp_path / "village.yaml"
    text = (ROOT / "rubrics" / "village.yaml").read_text(encoding="utf-8")
    rubric.write_text(text.replace("quota_scope: county", "quota_scope: township"), "utf-8")
    args = ["batch", str(DEMO / "taoyuan"), "--rubric", str(rubric), "--quota", "优秀=20%"]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--jobs", "1"])
    data = json.loads(result.stdout)
    rule = data["summary"]["quota_rule"]
    assert rule.startswith("本次批量评分按所给的全部单位计算名额；细则的 quota_scope: township")
    shipped = CliRunner().invoke(
        main, ["batch", str(DEMO / "taoyuan"), "--quota", "优秀=20%", "--format", "json"]
    )
    assert json.loads(shipped.stdout)["summary"]["quota_rule"].startswith("名额 = 参评单位数")
