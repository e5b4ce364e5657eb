"""Rubric loading: every shipped rubric is valid, every broken one is located exactly."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rubric import resolve_rubric, shipped_rubric_ids
from lianchuang_cli.reports.rubric_view import render_rubric
from tests.conftest import DATA, RUBRICS, expected_positions

SHIPPED = sorted(RUBRICS.glob("*.yaml"))
BROKEN = sorted((DATA / "rubrics" / "invalid").glob("*.yaml"))


def test_shipped_rubrics_are_found() -> None:
    """The village rubric ships, and ids resolve to the shipped files."""
    assert "village" in shipped_rubric_ids()
    assert resolve_rubric("village").name == "village.yaml"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_rubric_is_consistent(path: Path) -> None:
    """Loads cleanly; 100 points; ids match file names; every rule kind has its indicator."""
    loaded = load_rubric(path)
    rubric = loaded.rubric
    assert rubric.id == path.stem
    assert rubric.total_points == 100
    assert sum((c.points for c in rubric.criteria), Decimal(0)) == 100
    assert rubric.ratings[-1].min_score == 0
    assert len(loaded.sha256) == 64


def test_village_rubric_covers_the_seed() -> None:
    """All five 二(一) criteria, every rule kind, vetoes, penalties, bonuses, and 优秀 needs all five."""
    rubric = load_rubric(RUBRICS / "village.yaml").rubric
    assert [c.clause for c in rubric.criteria] == [f"二(一){i}" for i in range(1, 6)]
    assert [c.name for c in rubric.criteria] == [
        "领导班子好",
        "党员干部队伍好",
        "工作机制好",
        "小康建设业绩好",
        "农民群众反映好",
    ]
    kinds = {indicator.rule.kind for _, indicator in rubric.indicators()}
    assert kinds == {
        "check", "count", "percentage", "tiers", "choice", "linear", "judgement", "breaches",
    }  # fmt: skip
    assert all(len(c.indicators) >= 4 for c in rubric.criteria)
    assert any(i.not_applicable_when for _, i in rubric.indicators())
    assert [b.name for b in rubric.ratings] == ["优秀", "良好", "合格", "不合格"]
    assert rubric.ratings[0].min_criterion_share is not None
    assert len(rubric.vetoes) >= 5
    assert rubric.penalties
    assert rubric.bonuses
    assert rubric.bonus_cap is not None


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_rubric_is_located(path: Path) -> None:
    """Each broken rubric reports exactly the positions its header lists."""
    with pytest.raises(InputError) as caught:
        load_rubric(path)
    reported = {(p.line, p.column) for p in caught.value.problems}
    assert reported == expected_positions(path)
    assert all(p.file == str(path) for p in caught.value.problems)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_rubric_show_lists_every_indicator(path: Path) -> None:
    """The tree names every criterion and indicator with its points."""
    rubric = load_rubric(path).rubric
    text = render_rubric(rubric, width=120)
    for criterion, indicator in rubric.indicators():
        assert criterion.name in text
        assert f"{indicator.name}（{indicator.id}）　{fmt(indicator.points)}分" in text
    assert "一票否决" in text
    assert "\x1b[" not in text


# Seed 二(一), the five paragraphs as the policy text words them.
SEED_VILLAGE = {
    1: "村党组织领导班子思想政治素质高，贯彻执行党的路线方针政策坚决，团结协作，求真务实，清正廉洁，"
    "有较强的凝聚力和战斗力。党组织书记政治素质好、工作能力强、群众威信高，能带头致富和带领群众共同致富。",
    2: "党员学习教育经常化，党员队伍结构合理，党员素质优良，能严格遵守党的纪律和规矩，自觉履行党员义务，"
    "在农村改革发展稳定中充分发挥先锋模范作用。村干部事业心和责任感强，服务意识和工作能力明显提高。",
    3: "村党组织工作制度健全，决策民主科学，村务公开、民主管理规范，党组织领导的村民自治机制完善。"
    "村与组之间工作协调，运行有序，各项工作落实到位。",
    4: "主导产业优势明显，农村经济发展较快，集体经济实力不断增强，农民收入持续增加，生活质量明显提高。"
    "基础设施和公共服务不断完善，农村生态环境良好，社会事业全面进步。",
    5: "村党组织和党员干部能密切联系群众，倾听群众呼声，关心群众疾苦，诚心诚意为群众办实事、解难题，"
    "在群众中有较高威信，党群干群关系融洽。",
}
# Every requirement of 二(一), clause by clause: each must be measured by an indicator citing it.
SEED_CLAUSES = {
    1: ["思想政治素质高", "贯彻执行党的路线方针政策坚决", "团结协作", "求真务实", "清正廉洁",
        "有较强的凝聚力和战斗力", "书记政治素质好", "工作能力强", "群众威信高", "能带头致富",
        "带领群众共同致富"],
    2: ["党员学习教育经常化", "党员队伍结构合理", "党员素质优良", "能严格遵守党的纪律和规矩",
        "自觉履行党员义务", "充分发挥先锋模范作用", "村干部事业心和责任感强", "服务意识",
        "工作能力明显提高"],
    3: ["村党组织工作制度健全", "决策民主科学", "村务公开", "民主管理规范", "村民自治机制完善",
        "村与组之间工作协调", "运行有序", "各项工作落实到位"],
    4: ["主导产业优势明显", "农村经济发展较快", "集体经济实力不断增强", "农民收入持续增加",
        "生活质量明显提高", "基础设施", "公共服务不断完善", "农村生态环境良好", "社会事业全面进步"],
    5: ["密切联系群众", "倾听群众呼声", "关心群众疾苦", "诚心诚意为群众办实事、解难题",
        "在群众中有较高威信", "党群干群关系融洽"],
}  # fmt: skip


def _cited() -> list[tuple[int, str, str]]:
    rubric = load_rubric(RUBRICS / "village.yaml").rubric
    cited = []
    for _, indicator in rubric.indicators():
        number, _, phrase = (indicator.clause or "").partition(" ")
        assert number.startswith("二(一)"), indicator.id
        assert phrase, indicator.id
        cited.append((int(number.removeprefix("二(一)")), phrase, indicator.id))
    return cited


def test_village_clauses_quote_the_seed() -> None:
    """Each indicator's clause is 二(一)N followed by a phrase found word for word in paragraph N."""
    for paragraph, phrase, indicator in _cited():
        assert phrase in SEED_VILLAGE[paragraph], indicator


@pytest.mark.parametrize("paragraph", sorted(SEED_CLAUSES))
def test_every_village_clause_is_measured(paragraph: int) -> None:
    """All 43 requirement clauses of 二(一) are cited by at least one indicator."""
    assert all(c in SEED_VILLAGE[paragraph] for c in SEED_CLAUSES[paragraph])
    phrases = [phrase for number, phrase, _ in _cited() if number == paragraph]
    missing = [c for c in SEED_CLAUSES[paragraph] if not any(c in p for p in phrases)]
    assert missing == []


def test_village_rubric_marks_practice_figures() -> None:
    """Every number in a requirement that the seed does not state sits under a 实践值 comment."""
    lines = (RUBRICS / "village.yaml").read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith("requirement:") and re.search(
            r"\d+(%|万元|次|人|户|期|件)", line
        ):
            above = "\n".join(lines[max(0, index - 3) : index])
            assert "实践值" in above, line
