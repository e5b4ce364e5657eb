"""Every rule kind, on the worked examples of domain.md."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from lianchuang_cli.decimals import fmt, round_score
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rules import (
    Judgement,
    JudgementRule,
    LinearRule,
    Outcome,
    PercentageRule,
    Ratio,
    Rule,
)
from tests.conftest import RUBRICS

RULE: TypeAdapter[Rule] = TypeAdapter(Rule)
D = Decimal


def score(rule: dict[str, Any], value: Any, points: str) -> Decimal:
    """Parse ``rule`` and ``value`` as the loader would and return the score."""
    parsed = RULE.validate_python(rule)
    outcome = parsed.score(parsed.value_schema.validate_python(value), D(points))
    return outcome.score


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, "2"), (False, "0")],
)
def test_check_is_all_or_nothing(value: bool, expected: str) -> None:
    """有年度创建规划得2分，否则不得分."""
    assert score({"kind": "check"}, value, "2") == D(expected)


@pytest.mark.parametrize(
    ("held", "expected"),
    [(4, "2"), (5, "2"), (3, "1.5"), (2, "1"), (0, "0")],
)
def test_count_deducts_per_missing_occurrence(held: int, expected: str) -> None:
    """党员大会每季度1次，少1次扣0.5分 (2 points)."""
    rule = {"kind": "count", "required": 4, "deduct_per_miss": "0.5"}
    assert score(rule, held, "2") == D(expected)


def test_count_is_floored_at_zero() -> None:
    """单项扣完为止: 12 required, 1 each, only 3 points to lose."""
    rule = {"kind": "count", "required": 12, "deduct_per_miss": 1}
    assert score(rule, 2, "3") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(60, "5"), (55, "5"), (54, "4"), (52.5, "2.5"), (40, "0")],
)
def test_percentage_deducts_per_point_below(value: float, expected: str) -> None:
    """两委成员高中以上文化程度低于55%的，每低1个百分点扣1分 (5 points)."""
    rule = {"kind": "percentage", "threshold": 55, "deduct_per_point": 1}
    assert score(rule, D(str(value)), "5") == D(expected)


def test_percentage_from_counts_is_exact() -> None:
    """5 of 7 members is 71.43 %, 2 of 7 is 28.57 %: 26.43 points short, floored at 0."""
    rule = {"kind": "percentage", "threshold": 55, "deduct_per_point": "0.1"}
    assert score(rule, {"part": 5, "whole": 7}, "3") == 3
    assert score(rule, {"part": 2, "whole": 7}, "3") == D("0.36")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(95, "5"), (90, "5"), (89.9, "4"), (80, "4"), (75, "3"), (69, "1")],
)
def test_tiers_pick_the_band(value: float, expected: str) -> None:
    """群众满意度≥90%得5分，80–90%得4分，70–80%得3分，低于70%得1分."""
    rule = {
        "kind": "tiers",
        "bands": [
            {"min": 90, "points": 5},
            {"min": 80, "points": 4},
            {"min": 70, "points": 3},
            {"min": 0, "points": 1},
        ],
    }
    assert score(rule, D(str(value)), "5") == D(expected)


def test_tiers_below_every_band_score_zero() -> None:
    """A value under the lowest band earns nothing."""
    rule = {"kind": "tiers", "bands": [{"min": 90, "points": 2}, {"min": 80, "points": 1}]}
    assert score(rule, 50, "2") == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [("研究生", "3"), ("本科", "3"), ("大专", "2"), ("高中", "1"), ("初中", "0")],
)
def test_choice_maps_options(value: str, expected: str) -> None:
    """书记学历 研究生/本科/大专/高中/初中 → points."""
    rule = {"kind": "choice", "options": {"研究生": 3, "本科": 3, "大专": 2, "高中": 1, "初中": 0}}
    assert score(rule, value, "3") == D(expected)


@pytest.mark.parametrize(
    ("income", "expected"),
    [(0, "0"), (-2, "0"), (5, "2"), (8, "3.2"), (10, "4"), (25, "4"), (3.33, "1.33")],
)
def test_linear_is_clamped(income: float, expected: str) -> None:
    """集体经济收入 0 → 0 分，≥10万元 → 满分 (4 points)."""
    rule = {"kind": "linear", "zero_at": 0, "full_at": 10, "unit": "万元"}
    assert score(rule, D(str(income)), "4") == D(expected)


def test_judgement_takes_the_assessors_score() -> None:
    """视情况得0–3分, with the reason recorded."""
    rule = JudgementRule(kind="judgement")
    value = Judgement(score=D("2.5"), reason="人居环境有死角")
    assert rule.check_value(value, D(3)) is None
    outcome = rule.score(value, D(3))
    assert outcome.score == D("2.5")
    assert "人居环境有死角" in outcome.explanation


@pytest.mark.parametrize(
    ("value", "complaint"),
    [
        (Judgement(score=D(2)), "必须在 reason 中写明理由"),
        (Judgement(score=D(4), reason="很好"), "超过本项满分"),
    ],
)
def test_judgement_rejects_missing_reason_and_overflow(value: Judgement, complaint: str) -> None:
    """Below max needs a reason; above max is impossible."""
    rule = RULE.validate_python({"kind": "judgement"})
    message = rule.check_value(value, D(3))
    assert message is not None
    assert complaint in message


def test_choice_suggests_the_closest_option() -> None:
    """A near miss gets a did-you-mean."""
    rule = RULE.validate_python({"kind": "choice", "options": {"本科": 3, "大专": 2}})
    message = rule.check_value("本科生", D(3))
    assert message is not None
    assert "是否想写“本科”" in message


@pytest.mark.parametrize(
    ("rule", "best"),
    [
        ({"kind": "check"}, "3"),
        ({"kind": "count", "required": 4, "deduct_per_miss": 1}, "3"),
        ({"kind": "percentage", "threshold": 50, "deduct_per_point": 1}, "3"),
        ({"kind": "tiers", "bands": [{"min": 9, "points": 2}, {"min": 0, "points": 1}]}, "2"),
        ({"kind": "choice", "options": {"a": "2.5", "b": 1}}, "2.5"),
        ({"kind": "linear", "zero_at": 0, "full_at": 1}, "3"),
        ({"kind": "judgement"}, "3"),
    ],
)
def test_best_outcome(rule: dict[str, Any], best: str) -> None:
    """The loader compares this with the indicator's points."""
    assert RULE.validate_python(rule).best(D(3)) == D(best)


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "linear", "zero_at": 5, "full_at": 5},
        {"kind": "count", "required": 0, "deduct_per_miss": 1},
        {"kind": "unknown"},
        {"kind": "check", "extra": 1},
    ],
)
def test_malformed_rules_are_rejected(rule: dict[str, Any]) -> None:
    """A zero-width linear range, a zero count, unknown kinds and keys (tier order: lint tiers-order)."""
    with pytest.raises(ValidationError):
        RULE.validate_python(rule)


@pytest.mark.parametrize(
    ("rule", "value"),
    [
        ({"kind": "check"}, "yes"),
        ({"kind": "check"}, 1),
        ({"kind": "count", "required": 4, "deduct_per_miss": 1}, True),
        ({"kind": "count", "required": 4, "deduct_per_miss": 1}, -1),
        ({"kind": "count", "required": 4, "deduct_per_miss": 1}, D("2.5")),
        ({"kind": "percentage", "threshold": 50, "deduct_per_point": 1}, 101),
        ({"kind": "percentage", "threshold": 50, "deduct_per_point": 1}, {"part": 8, "whole": 7}),
        ({"kind": "linear", "zero_at": 0, "full_at": 1}, "NaN"),
        ({"kind": "linear", "zero_at": 0, "full_at": 1}, False),
    ],
)
def test_value_shapes_are_enforced(rule: dict[str, Any], value: Any) -> None:
    """Each kind accepts only its own value shape: no yes/1 for true, no bool for numbers."""
    parsed = RULE.validate_python(rule)
    with pytest.raises(ValidationError):
        parsed.value_schema.validate_python(value)


def test_ratio_needs_a_positive_whole() -> None:
    """0 of 0 is not a share."""
    with pytest.raises(ValidationError):
        Ratio(part=0, whole=0)


def test_percentage_hint_names_what_is_counted() -> None:
    """A share of households asks for households, not people."""
    rule = RULE.validate_python(
        {"kind": "percentage", "threshold": 95, "deduct_per_point": 1, "unit": "户"}
    )
    assert "{part: 达标户数, whole: 总户数}" in rule.value_hint


def _half_up(value: Fraction) -> Decimal:
    """Reference rounding, written independently of the engine: floor(100x + ½) / 100, x ≥ 0."""
    return Decimal(math.floor(value * 100 + Fraction(1, 2))) / 100


def _village_rules(kind: str) -> list[tuple[str, Any, Decimal]]:
    rubric = load_rubric(RUBRICS / "village.yaml").rubric
    return [(i.id, i.rule, i.points) for _, i in rubric.indicators() if i.rule.kind == kind]


@pytest.mark.parametrize(
    ("rule", "points"),
    [
        *((rule, points) for _, rule, points in _village_rules("percentage")),
        (RULE.validate_python({"kind": "percentage", "threshold": 15, "deduct_per_point": 0.3}), D(3)),
        (RULE.validate_python({"kind": "percentage", "threshold": 55, "deduct_per_point": 0.5}), D(3)),
        (RULE.validate_python({"kind": "percentage", "threshold": "66.7", "deduct_per_point": "0.15"}), D("2.5")),
    ],
)  # fmt: skip
def test_percentage_from_counts_rounds_once(rule: Any, points: Decimal) -> None:
    """Every part/whole up to 150 scores round(points − shortfall × rate), computed exactly."""
    threshold, rate = Fraction(rule.threshold), Fraction(rule.deduct_per_point)
    for whole in range(1, 151):
        for part in range(whole + 1):
            exact = (
                Fraction(points) - max(Fraction(0), threshold - Fraction(100 * part, whole)) * rate
            )
            expected = _half_up(max(Fraction(0), exact))
            assert rule.score(Ratio(part=part, whole=whole), points).score == expected, (
                part,
                whole,
            )


@pytest.mark.parametrize(
    ("rule", "points"),
    [
        *((rule, points) for _, rule, points in _village_rules("linear")),
        (RULE.validate_python({"kind": "linear", "zero_at": 0, "full_at": 3}), D(4)),
        (RULE.validate_python({"kind": "linear", "zero_at": 2, "full_at": 9}), D("2.5")),
    ],
)  # fmt: skip
def test_linear_rounds_once(rule: Any, points: Decimal) -> None:
    """Every value 0.00 … 15.00 (step 0.01) scores round(points × share), computed exactly."""
    low, high = Fraction(rule.zero_at), Fraction(rule.full_at)
    for cents in range(1501):
        value = Fraction(cents, 100)
        share = min(Fraction(1), max(Fraction(0), (value - low) / (high - low)))
        expected = _half_up(Fraction(points) * share)
        assert rule.score(Decimal(cents) / 100, points).score == expected, value


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(35, 30, "2"), (30, 30, "1"), (30.2, 30, "2"), (25, 30, "0")],
)
def test_change_scores_rise_flat_fall(current: float, previous: float, expected: str) -> None:
    """先进比例逐年提高: 提高2分、持平1分、下降不得分."""
    rule = {"kind": "change", "rise": 2, "flat": 1, "fall": 0}
    value = {"current": D(str(current)), "previous": D(str(previous))}
    assert score(rule, value, "2") == D(expected)


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [(40, 30, "2"), (35, 30, "1.5"), (30, 30, "1"), (27.5, 30, "0.75"), (10, 30, "0")],
)
def test_change_per_point_is_clamped(current: float, previous: float, expected: str) -> None:
    """持平1分，每提高1个百分点加0.1分、每降低1个百分点减0.1分，最高2分、最低0分."""
    rule = {"kind": "change", "rise": 2, "flat": 1, "per_point": "0.1"}
    value = {"current": D(str(current)), "previous": D(str(previous))}
    assert score(rule, value, "2") == D(expected)


def test_change_without_last_year_counts_as_flat() -> None:
    """No previous figure: the comparison cannot be made, scored as 持平 and said so."""
    parsed = RULE.validate_python({"kind": "change", "rise": 2, "flat": 1})
    outcome = parsed.score(parsed.value_schema.validate_python({"current": 40}), D(2))
    assert outcome.score == 1
    assert "无上年数据" in outcome.explanation


def test_change_tolerance_counts_small_moves_as_flat() -> None:
    """Within ``tolerance`` percentage points the figure has held level."""
    rule = {"kind": "change", "rise": 2, "flat": 1, "tolerance": "0.5"}
    assert score(rule, {"current": "30.4", "previous": 30}, "2") == 1


def test_change_points_must_be_ordered() -> None:
    """A fall can never earn more than holding level."""
    with pytest.raises(ValidationError, match="rise ≥ flat ≥ fall"):
        RULE.validate_python({"kind": "change", "rise": 2, "flat": 1, "fall": 1.5})


BREACHES = {
    "kind": "breaches",
    "subject": "村级重大事项",
    "breach": "未按“四议两公开”程序决策",
    "deduct_per_breach": 1,
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"total": 0, "breaches": 0}, "4"),
        ({"total": 4, "breaches": 0}, "4"),
        ({"total": 4, "breaches": 1}, "3"),
        ({"total": 20, "breaches": 1}, "3"),
        ({"total": 20, "breaches": 6}, "0"),
    ],
)
def test_breaches_count_the_same_for_small_and_large_villages(
    value: dict[str, int], expected: str
) -> None:
    """One matter outside the procedure costs 1 point of 4 whether there were 4 matters or 20."""
    assert score(BREACHES, value, "4") == D(expected)


def test_no_matters_in_the_year_is_said_and_keeps_full_marks() -> None:
    """``total: 0`` reads as "全年无村级重大事项"; breaches above total is refused."""
    rule = RULE.validate_python(BREACHES)
    outcome = rule.score(rule.value_schema.validate_python({"total": 0, "breaches": 0}), D(4))
    assert outcome.explanation == "全年无村级重大事项，没有违反程序的情况，得满分"
    with pytest.raises(ValidationError, match="breaches（2）不能大于 total（1）"):
        rule.value_schema.validate_python({"total": 1, "breaches": 2})


# ---------------------------------------------------------------- whole-number paths vs Fractions


def _fraction_percentage(rule: Any, value: Ratio | Decimal, points: Decimal) -> Outcome:
    """The percentage rule written with Fractions, as it was before its whole-number path."""
    percent = (
        Fraction(value.part * 100, value.whole) if isinstance(value, Ratio) else Fraction(value)
    )
    about = "" if (percent * 100).denominator == 1 else "约"
    if isinstance(value, Ratio):
        found = f"{value.whole}{rule.unit}中{value.part}{rule.unit}，{about}占{fmt(percent)}%"
    else:
        found = f"实际{fmt(percent)}%"
    shortfall = Fraction(rule.threshold) - percent
    if shortfall <= 0:
        return Outcome(points, found, f"要求不低于{fmt(rule.threshold)}%，{found}，得满分", "")
    earned = round_score(rule.exact(value, points))
    about = "" if (shortfall * 100).denominator == 1 else "约"
    explanation = (
        f"要求不低于{fmt(rule.threshold)}%，{found}，{about}低{fmt(shortfall)}个百分点，"
        f"每低1个百分点扣{fmt(rule.deduct_per_point)}分，扣{fmt(points - earned)}分"
    )
    action = f"提高到{fmt(rule.threshold)}%" if earned < points else ""
    return Outcome(earned, found, explanation, action)


def _fraction_linear(rule: Any, value: Decimal, points: Decimal) -> Outcome:
    """The linear rule written with Fractions, as it was before its whole-number path."""
    found = f"实际{fmt(value)}{rule.unit}"
    earned = round_score(rule.exact(value, points))
    explanation = (
        f"{found}；{fmt(rule.zero_at)}{rule.unit}得0分、{fmt(rule.full_at)}{rule.unit}"
        f"得满分，其间按比例计分，得{fmt(earned)}分"
    )
    action = f"达到{fmt(rule.full_at)}{rule.unit}" if earned < points else ""
    return Outcome(earned, found, explanation, action)


PERCENTAGE = TypeAdapter(PercentageRule)
LINEAR = TypeAdapter(LinearRule)


def _same(got: Outcome, expected: Outcome) -> None:
    # Equal fields and the same digits: 2.00 is not 2 for the reports.
    assert got == expected
    assert str(got.score) == str(expected.score)


def _places(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False)


_points = st.sampled_from(["0.5", "1", "2", "2.5", "3", "4.25", "10"]).map(Decimal)


@settings(max_examples=400, deadline=None)
@given(
    threshold=st.one_of(_places(1, 100, 0), _places(1, 100, 2)),
    rate=st.sampled_from(["0.01", "0.1", "0.15", "0.2", "0.3", "1", "2.5"]),
    points=_points,
    value=st.one_of(
        st.integers(0, 100).map(Decimal),
        _places(0, 100, 1),
        _places(0, 100, 2),
        _places(0, 100, 7),
        st.integers(1, 500).flatmap(lambda w: st.builds(Ratio, part=st.integers(0, w), whole=st.just(w))),
    ),
)  # fmt: skip
def test_percentage_whole_number_path_matches_fractions(
    threshold: Decimal, rate: str, points: Decimal, value: Ratio | Decimal
) -> None:
    rule = PERCENTAGE.validate_python(
        {"kind": "percentage", "threshold": threshold, "deduct_per_point": rate}
    )
    _same(rule.score(value, points), _fraction_percentage(rule, value, points))


@settings(max_examples=400, deadline=None)
@given(
    ends=st.tuples(_places(-50, 200, 2), _places(-50, 200, 2)).filter(lambda e: e[0] != e[1]),
    points=_points,
    value=st.one_of(_places(-100, 400, 0), _places(-100, 400, 2), _places(-100, 400, 9)),
)
def test_linear_whole_number_path_matches_fractions(
    ends: tuple[Decimal, Decimal], points: Decimal, value: Decimal
) -> None:
    rule = LINEAR.validate_python({"kind": "linear", "zero_at": ends[0], "full_at": ends[1]})
    _same(rule.score(value, points), _fraction_linear(rule, value, points))
