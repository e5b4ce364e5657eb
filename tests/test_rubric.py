"""Rubric loading: every shipped rubric is valid, every broken one is located exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import InputError
from lianchuang_cli.model.rubric import load_rubric, resolve_rubric, shipped_rubric_ids
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
    assert kinds == {"check", "count", "percentage", "tiers", "choice", "linear", "judgement"}
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
