"""The township and county rubrics: every seed clause encoded, practice figures and derivations marked."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.rubrics import load_rubric
from tests.conftest import RUBRICS

TOWNSHIP = RUBRICS / "township.yaml"
COUNTY = RUBRICS / "county.yaml"

# Every requirement of seed 二(二), phrase by phrase, as the rubric's "# 原文" comments quote it.
TOWNSHIP_CLAUSES = [
    "政治坚定",
    "团结协作",
    "务实创新",
    "清正廉洁",
    "整体功能发挥好",
    "党委书记政治素质高、领导能力强，能够总揽全局、协调各方",
    "带头抓党建",
    "促发展、保稳定",
    "选拔任用",
    "教育培训",
    "管理监督等制度健全",
    "思想政治素质和业务能力不断提高",
    "能深入基层",
    "服务意识强",
    "深入群众",
    "为群众排忧解难",
    "工作制度完善，议事规则健全",
    "决策科学民主",
    "党建工作责任制落实到位",
    "乡村干部管理规范",
    "农村基层党组织建设各项任务得到有效落实",
    "乡镇与村之间工作协调，指导有力，形成齐抓共管的工作格局",
    "经济发展思路清晰",
    "主导产业突出",
    "特色经济规模不断扩大",
    "农民增收渠道拓宽",
    "财政收入稳定增长",
    "农村基础设施和公共服务不断改善",
    "社会事业全面发展",
    "农村社会和谐稳定",
    "坚持全心全意为人民服务的宗旨",
    "密切联系群众",
    "积极为群众办实事、办好事",
    "切实解决群众关心的热点难点问题",
    "在群众中形象好、威信高",
    "干群关系融洽",
]
COUNTY_CLAUSES = [
    "摆上重要议事日程",
    "建立健全农村基层党建工作责任制",
    "县委书记认真履行第一责任人职责",
    "定期研究农村基层党建工作",
    "切实解决存在的突出问题",
    "农村基层党组织设置合理，活动正常",
    "凝聚力、战斗力强",
    "“五个好”创建工作成效显著",
    "先进比例逐年提高",
    "大专以上学历",
    "致富带头人比例不断提高",
    "农村经济持续健康发展",
    "产业结构优化升级",
    "农业现代化水平不断提高",
    "农村基础",
]


# Seed 二(二), 二(三) and the goals 一(二)3–4, as the policy text words them (commas full-width, as
# in tests/test_rubric.py's SEED_VILLAGE). 二(三)3 breaks off after “农村基础” in every copy.
SEED_TOWNSHIP = {
    1: "乡镇党委领导班子政治坚定、团结协作、务实创新、清正廉洁，整体功能发挥好。党委书记政治素质高、"
    "领导能力强，能够总揽全局、协调各方，带头抓党建、促发展、保稳定。",
    2: "乡镇干部选拔任用、教育培训、管理监督等制度健全，干部队伍思想政治素质和业务能力不断提高。"
    "干部作风扎实，服务意识强，能深入基层、深入群众，为群众排忧解难。",
    3: "乡镇党委工作制度完善，议事规则健全，决策科学民主。党建工作责任制落实到位，乡村干部管理规范，"
    "农村基层党组织建设各项任务得到有效落实。乡镇与村之间工作协调，指导有力，形成齐抓共管的工作格局。",
    4: "乡镇经济发展思路清晰，主导产业突出，特色经济规模不断扩大，农民增收渠道拓宽，财政收入稳定增长。"
    "农村基础设施和公共服务不断改善，社会事业全面发展，农村社会和谐稳定。",
    5: "乡镇党委和政府能坚持全心全意为人民服务的宗旨，密切联系群众，积极为群众办实事、办好事，"
    "切实解决群众关心的热点难点问题。在群众中形象好、威信高，干群关系融洽。",
}
SEED_COUNTY = {
    1: "县委(市委、区委)把农村基层组织建设摆上重要议事日程，建立健全农村基层党建工作责任制。"
    "县委(市委、区委)书记认真履行第一责任人职责，定期研究农村基层党建工作，切实解决存在的突出问题。",
    2: "农村基层党组织设置合理，活动正常，凝聚力、战斗力强。村党组织和乡镇党委“五个好”创建工作成效"
    "显著，先进比例逐年提高。农村基层干部大专以上学历、致富带头人比例不断提高。",
    3: "农村经济持续健康发展，产业结构优化升级，农业现代化水平不断提高。农村基础",
}
SEED_GOALS = {
    3: "农村基层干部和党员队伍管理更加规范。农村基层干部选拔任用、教育培训、考核评价、激励保障等机制"
    "更加健全，党员发展、教育、管理、监督等工作更加规范，基层干部和党员的宗旨意识、责任意识和服务意识"
    "进一步增强。",
    4: "党群干群关系更加密切。农村基层党组织和党员干部联系群众、服务群众的工作机制更加完善，群众反映的"
    "热点难点问题得到及时有效解决，党群干群关系更加融洽，党在农村的执政基础更加稳固。",
}
SEED_FILE = Path("/work/shared/seed/000_2124a39c1ea84612.txt")


def cited(path: Path) -> list[tuple[str, str, str]]:
    """(clause number, seed phrase, indicator id) for every indicator of the rubric."""
    rubric = load_rubric(path).rubric
    found = []
    for _, indicator in rubric.indicators():
        number, _, phrase = (indicator.clause or "").partition(" ")
        assert phrase, indicator.id
        found.append((number, phrase, indicator.id))
    return found


def test_township_clauses_quote_the_seed() -> None:
    """Each township indicator's clause is 二(二)N and a phrase found word for word in paragraph N."""
    for number, phrase, indicator in cited(TOWNSHIP):
        assert number.startswith("二(二)"), indicator
        assert phrase in SEED_TOWNSHIP[int(number.removeprefix("二(二)"))], indicator


def test_county_clauses_quote_the_seed_or_say_derived() -> None:
    """Items 1–3 quote 二(三)N word for word; items 4–5 say 推导自一(二)N and quote that goal."""
    derived = 0
    for number, phrase, indicator in cited(COUNTY):
        if number.startswith("推导自一(二)"):
            derived += 1
            assert phrase in SEED_GOALS[int(number.removeprefix("推导自一(二)"))], indicator
        else:
            assert number.startswith("二(三)"), indicator
            assert phrase in SEED_COUNTY[int(number.removeprefix("二(三)"))], indicator
    assert derived == 12


@pytest.mark.skipif(not SEED_FILE.is_file(), reason="the seed text is kept outside the repository")
def test_seed_paragraphs_are_copied_word_for_word() -> None:
    """The paragraphs above are the seed file's, commas aside."""
    text = SEED_FILE.read_text(encoding="utf-8").replace(",", "，")
    for paragraph in [*SEED_TOWNSHIP.values(), *SEED_COUNTY.values(), *SEED_GOALS.values()]:
        assert paragraph in text, paragraph[:20]


@pytest.mark.parametrize("path", [TOWNSHIP, COUNTY], ids=["乡镇", "县"])
def test_guidance_and_rating_thresholds_are_marked_practice(path: Path) -> None:
    """Judgement bands and the rating thresholds are practice values and say so (实践值)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith(("guidance:", "ratings:")):
            assert "实践值" in lines[index - 1], line


def original_comments(path: Path) -> str:
    """The rubric's ``# 原文`` / ``# 目标要求`` comments, where each indicator quotes what it encodes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if re.match(r"\s+# (原文|目标要求)", line))


@pytest.mark.parametrize(
    ("path", "clauses"),
    [(TOWNSHIP, TOWNSHIP_CLAUSES), (COUNTY, COUNTY_CLAUSES)],
    ids=["乡镇", "县"],
)
def test_every_seed_clause_has_an_indicator(path: Path, clauses: list[str]) -> None:
    """Each requirement phrase of the seed is quoted above at least one indicator."""
    quoted = original_comments(path)
    missing = [clause for clause in clauses if clause not in quoted]
    assert not missing


@pytest.mark.parametrize("path", [TOWNSHIP, COUNTY], ids=["乡镇", "县"])
def test_rubric_says_it_is_a_reconstruction(path: Path) -> None:
    """Title, source and header say the points are a reconstruction, not the seed's."""
    rubric = load_rubric(path).rubric
    assert "重构" in rubric.title
    assert "重构" in rubric.source
    assert "重构稿" in path.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("path", [TOWNSHIP, COUNTY], ids=["乡镇", "县"])
def test_practice_figures_are_marked(path: Path) -> None:
    """Every indicator scored against figures the seed does not give carries a 实践值 note."""
    rubric = load_rubric(path).rubric
    text = path.read_text(encoding="utf-8").split("\npenalties:")[0]
    blocks = dict(
        block.split("\n", 1) for block in re.split(r"\n      - id: ", text)[1:] if "\n" in block
    )
    # The comment above an indicator belongs to the block before it in this split.
    previous = dict(zip(list(blocks)[1:], list(blocks.values())[:-1], strict=True))
    unmarked = [
        indicator.id
        for _, indicator in rubric.indicators()
        if indicator.rule.kind not in ("check", "judgement")
        and "实践值" not in blocks[indicator.id]
        and "实践值" not in previous.get(indicator.id, "").rsplit("\n", 3)[-1]
    ]
    assert not unmarked


def test_township_rubric_follows_the_seed() -> None:
    """Five 二(二) criteria of 20 points; village-based indicators are linked; practice vetoes."""
    rubric = load_rubric(TOWNSHIP).rubric
    assert rubric.level == "township"
    assert [c.clause for c in rubric.criteria] == [f"二(二){i}" for i in range(1, 6)]
    assert [c.name for c in rubric.criteria] == [
        "领导班子好",
        "干部队伍好",
        "工作机制好",
        "小康建设业绩好",
        "群众反映好",
    ]
    figures = {i.linked.figure for _, i in rubric.indicators() if i.linked is not None}
    assert figures >= {
        "share_rated",
        "weak_rectified_share",
        "collective_income_below",
        "collective_income_at_least",
        "criterion_mean",
    }
    kinds = {i.rule.kind for _, i in rubric.indicators()}
    assert kinds >= {"change", "percentage", "tiers", "breaches"}
    veto_names = "、".join(v.name for v in rubric.vetoes)
    for event in ("处分", "刑事", "群体性事件", "弄虚作假"):
        assert event in veto_names


def test_county_rubric_marks_derived_criteria() -> None:
    """Items 1–3 are the seed's 二(三); the rest say they are derived from 一(二) goals 3 and 4."""
    rubric = load_rubric(COUNTY).rubric
    assert rubric.level == "county"
    assert [c.clause for c in rubric.criteria[:3]] == ["二(三)1", "二(三)2", "二(三)3"]
    derived = rubric.criteria[3:]
    assert [c.clause for c in derived] == ["推导自一(二)3", "推导自一(二)4"]
    for criterion in derived:
        assert "推导" in criterion.name
        assert all(
            (i.clause or "").startswith(f"{criterion.clause} ") for i in criterion.indicators
        )
    # The derived items count in the total but do not decide 先进县 on their own.
    top = rubric.ratings[0]
    assert top.min_criterion_share_of == [c.id for c in rubric.criteria[:3]]
    ids = {i.id for _, i in rubric.indicators()}
    assert {"village_funding", "cadre_pay", "premises"} <= ids  # 保障有力
    linked = [i for _, i in rubric.indicators() if i.linked is not None]
    assert {i.linked.of for i in linked if i.linked} == {"village", "township"}
    trends = [i for i in linked if i.rule.kind == "change"]
    assert len(trends) == 4
    figures = {i.linked.figure for i in linked if i.linked}
    assert {"secretary_college_share", "wealth_leader_share"} <= figures


@pytest.mark.parametrize("rubric_id", ["township", "county"])
def test_rubric_show_and_template_work(rubric_id: str) -> None:
    """Both commands accept the new rubric ids; linked indicators say where they come from."""
    runner = CliRunner()
    shown = runner.invoke(main, ["rubric", "show", rubric_id])
    assert shown.exit_code == 0, shown.output
    assert "由下级核算：" in shown.output
    template = runner.invoke(main, ["template", rubric_id])
    assert template.exit_code == 0, template.output
    assert "本项由下级单位结果核算" in template.output
    assert "村党支部" not in template.output.split("indicators:")[0]
    assert ("township_code" if rubric_id == "village" else "profile:") not in template.output
