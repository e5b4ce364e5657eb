"""The linked value provider (scoring/linked.py) on small hand-made sets of lower units."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.model.linked_spec import LinkedSpec, Unavailable
from lianchuang_cli.model.profile import VillageProfile, WeakAndLax
from lianchuang_cli.model.rubric import Indicator
from lianchuang_cli.model.rules import Change, Ratio
from lianchuang_cli.scoring.linked import LowerUnit, compute_figure, linked_values
from lianchuang_cli.scoring.results import CriterionResult, UnitResult
from tests.conftest import EXAMPLES

_GRADED = grade_file(EXAMPLES / "village" / "shiqiao_good.yaml")
assert isinstance(_GRADED, UnitResult)
BASE: UnitResult = _GRADED
RATINGS = BASE.ratings  # 优秀, 良好, 合格, 不合格


def village(
    name: str,
    rating: str = "良好",
    *,
    vetoed: bool = False,
    opinion: str = "16",
    applicable: str = "20",
    profile: VillageProfile | None = None,
) -> LowerUnit:
    """A graded village with just the fields the figures read (``applicable``: 缺项 left out)."""
    criteria = tuple(
        CriterionResult(c.id, c.name, Decimal(opinion), Decimal(applicable), c.points)
        if c.id == "public_opinion"
        else c
        for c in BASE.criteria
    )
    result = replace(BASE, file=f"{name}.yaml", rating=rating, vetoed=vetoed, criteria=criteria)
    return LowerUnit(result, profile)


def profile(
    education: str = "高中",
    size: int = 5,
    leaders: int = 1,
    income: str = "6",
    weak: tuple[bool, bool] = (False, False),
) -> VillageProfile:
    """A village profile as a village file would declare it."""
    return VillageProfile.model_validate(
        {
            "secretary_education": education,
            "committee_size": size,
            "wealth_leaders": leaders,
            "collective_operating_income": income,
            "weak_and_lax": {"identified": weak[0], "rectified": weak[1]},
        }
    )


def spec(**fields: Any) -> LinkedSpec:
    """A linked declaration as a rubric writes it."""
    return LinkedSpec.model_validate({"of": "village", **fields})


def test_share_rated_counts_at_or_above_the_band() -> None:
    """合格及以上: 优秀, 良好, 合格 count; 不合格 does not. Without a rating: the top band only."""
    units = [
        village("a", "优秀"),
        village("b", "良好"),
        village("c", "合格"),
        village("d", "不合格"),
    ]
    figure = compute_figure(spec(figure="share_rated", rating="合格"), units)
    assert (figure.part, figure.whole, figure.value) == (3, 4, Decimal(75))
    top = compute_figure(spec(figure="share_rated"), units)
    assert (top.part, top.whole) == (1, 4)


def test_profile_figures() -> None:
    """Education, 致富带头人 over 两委 members, income thresholds, 软弱涣散 rectification."""
    units = [
        village("a", profile=profile("本科", 7, 4, "12", (False, False))),
        village("b", profile=profile("大专", 5, 2, "4.99", (True, True))),
        village("c", profile=profile("高中", 6, 0, "5", (True, False))),
        village("d"),  # no profile: left out of these figures, and said so
    ]
    college = compute_figure(spec(figure="secretary_college_share"), units)
    assert (college.part, college.whole) == (2, 3)
    assert college.excluded == ("d.yaml：缺少 profile（村情基本信息），未计入",)
    leaders = compute_figure(spec(figure="wealth_leader_share"), units)
    assert (leaders.part, leaders.whole) == (6, 18)
    below = compute_figure(spec(figure="collective_income_below", threshold=5), units)
    assert below.value == 1  # 4.99 is below 5; exactly 5 is not
    at_least = compute_figure(
        spec(figure="collective_income_at_least", threshold=10, measure="share"), units
    )
    assert (at_least.part, at_least.whole) == (1, 3)
    assert compute_figure(spec(figure="weak_identified"), units).value == 2
    rectified = compute_figure(spec(figure="weak_rectified_share"), units)
    assert (rectified.part, rectified.whole, rectified.value) == (1, 2, Decimal(50))


def test_nothing_to_rectify_counts_as_all_rectified() -> None:
    """No 软弱涣散 village identified: 100 %, with the reason in the figure's note."""
    figure = compute_figure(spec(figure="weak_rectified_share"), [village("a", profile=profile())])
    assert figure.value == 100
    assert "未排查出" in figure.note


def test_mean_and_vetoed_count() -> None:
    """Mean of a criterion's scores; count of vetoed units."""
    units = [
        village("a", opinion="18"),
        village("b", opinion="15.5", vetoed=True),
        village("c", opinion="12"),
    ]
    mean = compute_figure(spec(figure="criterion_mean", criterion="public_opinion"), units)
    assert mean.value is not None
    assert mean.value.quantize(Decimal("0.01")) == Decimal("15.17")
    assert compute_figure(spec(figure="vetoed_count"), units).value == 1
    missing = compute_figure(spec(figure="criterion_mean", criterion="nothing"), units)
    assert missing.value is None
    assert len(missing.excluded) == 3


def test_mean_carries_a_not_applicable_criterion_up_as_its_rescaled_share() -> None:
    """石桥镇's case: 青山村 18 of an applicable 18 counts as 20, so the mean is 18.25, not 17.75."""
    units = [
        village("石桥村", opinion="17"),
        village("青山村", opinion="18", applicable="18"),  # its 信访 item is 缺项
        village("新塘村", opinion="17"),
        village("前山村", opinion="19"),
    ]
    mean = compute_figure(spec(figure="criterion_mean", criterion="public_opinion"), units)
    assert mean.value == Decimal("18.25")
    assert "18/18分折合20分" in mean.note
    every_item_missing = village("空村", opinion="0", applicable="0")
    alone = compute_figure(
        spec(figure="criterion_mean", criterion="public_opinion"), [*units, every_item_missing]
    )
    assert alone.value == Decimal("18.25")
    assert alone.excluded == ("空村.yaml：考评项目“农民群众反映好”的指标全部缺项，无得分可计",)


def indicator(rule: dict[str, Any], linked: dict[str, Any], points: str = "2") -> Indicator:
    """An indicator as a township rubric declares it."""
    return Indicator.model_validate(
        {
            "id": "x",
            "name": "测试指标",
            "points": points,
            "requirement": "由各村评分结果核算",
            "clause": "二(二)3",
            "rule": rule,
            "linked": {"of": "village", **linked},
        }
    )


def test_values_take_the_shape_each_rule_scores() -> None:
    """Shares go to percentage rules as counts, to change rules with last year's figure."""
    units = [village("a", "优秀"), village("b", "良好"), village("c", "优秀")]
    share = indicator(
        {"kind": "percentage", "threshold": 100, "deduct_per_point": "0.1"},
        {"figure": "share_rated"},
    )
    trend = replace_id(
        indicator({"kind": "change", "rise": 2, "flat": 1}, {"figure": "share_rated"})
    )
    values = linked_values(
        [share, trend],
        units,
        found=3,
        declared={},
        previous={"y": (Decimal(50), "last.json")},
    )
    assert values["x"][0] == Ratio(part=2, whole=3)
    assert values["y"][0] == Change(current=Decimal("66.67"), previous=Decimal(50))
    assert values["y"][1].previous_source == "last.json"


def replace_id(item: Indicator) -> Indicator:
    """The same indicator under another id."""
    return item.model_copy(update={"id": "y"})


def test_declared_and_unavailable() -> None:
    """No unit below: a declared value is used and marked; without one, the figure is unavailable."""
    share = indicator(
        {"kind": "tiers", "bands": [{"min": 30, "points": 2}, {"min": 10, "points": 1}]},
        {"figure": "share_rated"},
    )
    declared = linked_values([share], [], found=0, declared={"x": Decimal(25)}, previous={})
    value, provenance = declared["x"]
    assert value == 25
    assert (provenance.source, provenance.label, provenance.declared) == (
        "declared",
        "申报值（未核算）",
        "25",
    )
    missing = linked_values([share], [], found=2, declared={}, previous={})
    assert isinstance(missing["x"][0], Unavailable)
    assert missing["x"][1].source == "unavailable"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(RATINGS), min_size=1, max_size=30), st.sampled_from(RATINGS))
def test_share_rated_matches_a_direct_count(ratings: list[str], band: str) -> None:
    """For any set of ratings, part counts exactly the units rated ``band`` or better."""
    units = [village(str(i), rating) for i, rating in enumerate(ratings)]
    figure = compute_figure(spec(figure="share_rated", rating=band), units)
    expected = sum(RATINGS.index(r) <= RATINGS.index(band) for r in ratings)
    assert (figure.part, figure.whole) == (expected, len(ratings))
    assert figure.value == (Decimal(expected) * 100 / len(ratings)).quantize(Decimal("0.01"))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"figure": "collective_income_below"}, "需要 threshold"),
        ({"figure": "criterion_mean"}, "需要 criterion"),
        ({"figure": "secretary_college_share", "of": "township"}, "of 应为 village"),
        ({"figure": "vetoed_count", "rating": "优秀"}, "rating 只用于 share_rated"),
    ],
)
def test_declarations_that_do_not_fit_their_figure(fields: dict[str, Any], message: str) -> None:
    """Each figure takes only its own parameters."""
    with pytest.raises(ValueError, match=message):
        LinkedSpec.model_validate({"of": "village", **fields})


def test_weak_and_lax_cannot_be_rectified_without_being_identified() -> None:
    """rectified: true needs identified: true."""
    with pytest.raises(ValueError, match="identified"):
        WeakAndLax.model_validate({"identified": False, "rectified": True})
