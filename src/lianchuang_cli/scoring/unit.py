"""Pure scoring: a rubric and validated evidence in, a ``UnitResult`` out. No I/O here.

Each indicator's outcome, the totals, 缺项 scaling, penalties and bonuses are worked out here; the
rating and the next-rating search are ``rating`` and ``next_rating``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Literal
from weakref import WeakKeyDictionary

from msgspec import structs

from lianchuang_cli.decimals import ZERO, fmt
from lianchuang_cli.model.evidence_data import Event, Evidence, NotApplicable, Occurrence
from lianchuang_cli.model.linked_spec import Unavailable
from lianchuang_cli.model.rubric import (
    AdjustmentItem,
    BonusItem,
    Indicator,
    LoadedRubric,
    Rubric,
)
from lianchuang_cli.model.rules import Change
from lianchuang_cli.scoring.conditions import blocked_ratings, check_conditions
from lianchuang_cli.scoring.linked import LowerUnit
from lianchuang_cli.scoring.plan import PlanItem, ScoringPlan, scoring_plan
from lianchuang_cli.scoring.rating import band_for, rating_fields
from lianchuang_cli.scoring.results import (
    Adjustment,
    BandConditionResult,
    CriterionResult,
    Gap,
    IndicatorResult,
    NotApplicableItem,
    Provenance,
    SelfScoreDifference,
    Status,
    UnitResult,
)
from lianchuang_cli.scoring.scaling import base_gain, scale_to_total


def score_unit(
    loaded: LoadedRubric,
    evidence: Evidence,
    *,
    linked: Mapping[str, tuple[Any, Provenance]] | None = None,
    below: Mapping[str, Sequence[LowerUnit]] | None = None,
) -> UnitResult:
    """Grade one unit's evidence against its rubric.

    ``linked`` gives, for linked indicators, the value computed from the level below and where
    it came from; a linked indicator not given there is scored on its declared value. ``below``
    holds the graded units below by level (``grade-tree``), over which the rating bands'
    conditions are checked; without it they are reported as not checked and decide nothing.
    """
    rubric = loaded.rubric
    plan = scoring_plan(loaded)
    indicators, not_applicable, differences = _score_indicators(
        loaded, plan, evidence, linked or {}
    )
    criteria, raw, applicable = _totals(rubric, plan, indicators)
    total = rubric.total_points
    scaled = applicable != total
    base = scale_to_total(raw, applicable, total)
    penalties = tuple(_adjustments(evidence.penalties, loaded.penalty_index, "penalty"))
    bonuses = tuple(_bonuses(evidence.bonuses, loaded.bonus_index))
    penalty = sum((a.points for a in penalties), ZERO)
    bonus_sum = sum((a.points for a in bonuses), ZERO)
    bonus = bonus_sum if rubric.bonus_cap is None else min(bonus_sum, rubric.bonus_cap)
    unfloored = base + bonus - penalty
    score = max(unfloored, rubric.score_floor)
    veto_reasons = tuple(_veto_reason(event, loaded) for event in evidence.vetoes)
    vetoed = bool(veto_reasons)
    categories = plan.categories
    next_year = evidence.unit.year + 1
    gaps = tuple(
        Gap(
            r.id,
            r.name,
            r.criterion,
            lost,
            gain,
            r.requirement,
            r.found,
            r.explanation,
            _advice(r.action, gain, scaled, next_year),
            r.line,
            categories.get(r.id, "own"),
            r.cell,
        )
        for r, lost in _by_points_lost(indicators)
        for gain in [base_gain(raw, applicable, total, lost)]
    )
    veto_names = tuple(loaded.veto_index[event.id].name for event in evidence.vetoes)
    conditions: tuple[BandConditionResult, ...] = ()
    if any(band.requires for band in rubric.ratings):
        conditions = check_conditions(rubric, below)
        reached = band_for(rubric, score, criteria, vetoed)
        within = {band.name for band in rubric.ratings[reached:]} if not vetoed else set()
        conditions = tuple(
            structs.replace(c, decided=True) if c.met is False and c.rating in within else c
            for c in conditions
        )
    unit = evidence.unit
    return UnitResult(
        file=evidence.doc.name,
        unit_name=unit.name,
        unit_code=unit.code,
        township=unit.township,
        county=unit.county,
        level=rubric.level,
        year=unit.year,
        criteria=criteria,
        indicators=indicators,
        raw_score=raw,
        applicable_points=applicable,
        base_score=base,
        scaled=scaled,
        not_applicable_policy=rubric.not_applicable_policy,
        not_applicable=not_applicable,
        penalty=penalty,
        bonus=bonus,
        score_floor=rubric.score_floor,
        floor_applied=score != unfloored,
        unfloored_score=unfloored,
        bonus_capped=bonus != bonus_sum,
        adjustments=penalties + bonuses,
        score=score,
        max_score=rubric.total_points,
        vetoed=vetoed,
        veto_reasons=veto_reasons,
        gaps=gaps,
        self_score_differences=differences,
        band_conditions=conditions,
        **rating_fields(
            loaded,
            criteria,
            indicators,
            score,
            bonus - penalty,
            veto_names,
            blocked=blocked_ratings(conditions),
        ),
    )


def _by_points_lost(indicators: Iterable[IndicatorResult]) -> list[tuple[IndicatorResult, Decimal]]:
    """The indicators that lost points, with the points lost, most first (ties in rubric order)."""
    lost = [(r, r.max_score - r.score) for r in indicators if r.score is not None]
    return sorted((pair for pair in lost if pair[1] > 0), key=lambda pair: -pair[1])


_MEMO_LIMIT = 16384
"""Rule outcomes remembered per rubric: a batch repeats the same values (12 meetings, true,
本科, 93.5 %) thousands of times; the memo is emptied when full so that memory stays flat.
Measured on generated village files: about 0.5 KB an outcome, so at most about 9 MB; a third
of the misses of a 4,096-outcome memo (percentages with one decimal fill about 16,000)."""

_Remembered = tuple[Decimal, Status, str, str, str]
"""A rule outcome as scoring uses it: score, status, found, explanation, action."""

_memos: WeakKeyDictionary[LoadedRubric, dict[tuple[object, ...], _Remembered]] = WeakKeyDictionary()
"""A pure memo: outcomes by rubric and the kind's memo key (all an outcome depends on)."""


def _status(score: Decimal, points: Decimal) -> Status:
    return "full" if score == points else "zero" if score == 0 else "partial"


def _score_indicators(
    loaded: LoadedRubric,
    plan: ScoringPlan,
    evidence: Evidence,
    linked: Mapping[str, tuple[Any, Provenance]],
) -> tuple[
    tuple[IndicatorResult, ...], tuple[NotApplicableItem, ...], tuple[SelfScoreDifference, ...]
]:
    """Each indicator's result, in rubric order; the 缺项 declared; self-scores that differ."""
    memo = _memos.get(loaded)
    if memo is None:
        memo = _memos.setdefault(loaded, {})
    values = evidence.values
    self_scores = evidence.entries.self_scores
    locations = evidence.locations
    results: list[IndicatorResult] = []
    not_applicable: list[tuple[IndicatorResult, NotApplicable]] = []
    for item in plan.items:
        criterion_id, _, indicator_id, name, requirement, points, _, spec = item
        where = locations.get(indicator_id)
        line, cell = (where.line, where.cell) if where is not None else (0, None)
        provenance: Provenance | None = None
        if linked and indicator_id in linked:
            value, provenance = linked[indicator_id]
            declared = values.get(indicator_id)
        else:
            value = declared = values[indicator_id]
            if spec is not None and not isinstance(value, NotApplicable):
                provenance = Provenance("declared", spec.figure, "", None)
        if type(value) is Change and value.previous is None:
            value = _without_previous(item[1], value)
            if isinstance(value, NotApplicable):
                declared = value  # listed with the 缺项 the unit declared
        # The rule outcome, remembered: rules are pure functions of the value.
        kind = type(value)
        if kind is Decimal:
            remembered = memo.get((indicator_id, kind, str(value)))
        elif kind is bool or kind is int or kind is str:
            remembered = memo.get((indicator_id, kind, value))
        else:
            value_key = item[1].rule.value_key(value)
            remembered = None if value_key is None else memo.get((indicator_id, *value_key))
        if remembered is None:
            scored = _outcome(loaded.rubric, memo, item, value, self_scores, line, provenance, cell)
            if isinstance(scored, IndicatorResult):  # 缺项, or a figure not computable
                results.append(scored)
                if isinstance(declared, NotApplicable):
                    not_applicable.append((scored, declared))
                continue
            remembered = scored
        score, status, found, explanation, action = remembered
        if provenance is not None:
            explanation = f"{provenance.label}：{explanation}"
        result = IndicatorResult(
            indicator_id,
            criterion_id,
            name,
            requirement,
            score,
            points,
            status,
            found,
            explanation,
            action,
            self_scores.get(indicator_id),
            line,
            provenance,
            cell,
        )
        results.append(result)
        if declared is not value and isinstance(declared, NotApplicable):
            not_applicable.append((result, declared))
    differences = tuple(
        SelfScoreDifference(r.id, r.name, r.self_score, r.score)
        for r in results
        if r.self_score is not None and r.self_score != r.score
    )
    declared_not_applicable = tuple(
        NotApplicableItem(
            r.id, r.name, r.criterion, r.max_score, value.situation, value.remark, r.line, r.cell
        )
        for r, value in not_applicable
    )
    return tuple(results), declared_not_applicable, differences


WITHOUT_PREVIOUS = "无上年数据"


def _without_previous(indicator: Indicator, value: Change) -> Change | NotApplicable:
    """A comparison with no previous figure: 缺项 where the rubric says so, else the rule decides."""
    if indicator.rule.not_applicable_without_previous():
        remark = (
            "未提供上年结果（--previous），或上年结果中没有本单位该项的核算值、或该值自相矛盾；"
            "按细则规定作缺项处理"
        )
        return NotApplicable(WITHOUT_PREVIOUS, remark)
    return value


def _outcome(
    rubric: Rubric,
    memo: dict[tuple[object, ...], _Remembered],
    item: PlanItem,
    value: Any,
    self_scores: Mapping[str, Decimal],
    line: int,
    provenance: Provenance | None,
    cell: str | None,
) -> _Remembered | IndicatorResult:
    """A value's outcome, scored and remembered; or, for 缺项 and for a linked figure that could
    not be computed, the indicator's whole result."""
    criterion_id, indicator, indicator_id, _, _, points, rule_score, _ = item
    self_score = self_scores.get(indicator_id)
    if isinstance(value, Unavailable):
        return _unavailable(criterion_id, indicator, value, self_score, line, provenance, cell)
    if isinstance(value, NotApplicable):
        return _not_applicable(
            rubric, criterion_id, indicator, value, self_score, line, provenance, cell
        )
    outcome = rule_score(value, points)
    remembered = (
        outcome.score,
        _status(outcome.score, points),
        outcome.found,
        outcome.explanation,
        outcome.action,
    )
    value_key = indicator.rule.value_key(value)
    if value_key is not None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        memo[(indicator_id, *value_key)] = remembered
    return remembered


def _unavailable(
    criterion_id: str,
    indicator: Indicator,
    value: Unavailable,
    self_score: Decimal | None,
    line: int,
    provenance: Provenance | None,
    cell: str | None,
) -> IndicatorResult:
    return IndicatorResult(
        indicator.id,
        criterion_id,
        indicator.name,
        indicator.requirement,
        Decimal(0),
        indicator.points,
        "zero",
        "无法核算",
        f"{value.reason}，不得分",
        "补齐下级单位的材料，或在本单位材料中填写申报值",
        self_score,
        line,
        provenance,
        cell=cell,
    )


def _not_applicable(
    rubric: Rubric,
    criterion_id: str,
    indicator: Indicator,
    value: NotApplicable,
    self_score: Decimal | None,
    line: int,
    provenance: Provenance | None,
    cell: str | None,
) -> IndicatorResult:
    full_marks = rubric.not_applicable_policy == "full_marks"
    remark = f"，{value.remark}" if value.remark else ""
    return IndicatorResult(
        indicator.id,
        criterion_id,
        indicator.name,
        indicator.requirement,
        indicator.points if full_marks else None,
        indicator.points,
        "not_applicable",
        f"缺项：{value.situation}{remark}",
        f"按缺项处理（{value.situation}{remark}），"
        + (f"按满分{fmt(indicator.points)}分计" if full_marks else "不计入应得分"),
        "",
        self_score,
        line,
        provenance,
        cell=cell,
    )


def _totals(
    rubric: Rubric, plan: ScoringPlan, indicators: tuple[IndicatorResult, ...]
) -> tuple[tuple[CriterionResult, ...], Decimal, Decimal]:
    """Each criterion's result, the points earned and the points applicable (缺项 left out)."""
    criteria = []
    raw = applicable = ZERO
    for criterion, start, stop in plan.criteria:
        earned = possible = ZERO
        for r in indicators[start:stop]:
            score = r.score
            if score is not None:
                earned += score
                possible += r.max_score
        # Summed in rubric order, as the totals below: Decimal sums of cents are exact.
        criteria.append(
            CriterionResult(criterion.id, criterion.name, earned, possible, criterion.points)
        )
    for r in indicators:
        score = r.score
        if score is not None:
            raw += score
            applicable += r.max_score
    return tuple(criteria), raw, applicable


def _advice(action: str, gain: Decimal, scaled: bool, next_year: int) -> str:
    """ "2027年做到4次，可多得1分", with the points on the total's scale.

    An evidence file is the assessed year's account, graded after that year has ended (a 2026
    assessment is graded early 2027), so its records are closed: the advice is the next year's
    work, never completing or correcting the assessed year's records.
    """
    if not action:
        return ""
    scale = "（按缺项折算）" if scaled else ""
    return f"{next_year}年{action}，可多得{fmt(gain)}分{scale}"


def _adjustments(
    events: tuple[Event, ...],
    items: dict[str, AdjustmentItem],
    kind: Literal["penalty", "bonus"],
) -> Iterable[Adjustment]:
    for event in events:
        item = items[event.id]
        uncapped = item.points * event.count
        points = uncapped if item.cap is None else min(uncapped, item.cap)
        yield Adjustment(
            item.id,
            item.name,
            kind,
            event.count,
            points,
            points != uncapped,
            event.note,
        )


def _bonuses(events: tuple[Event, ...], items: Mapping[str, BonusItem]) -> Iterable[Adjustment]:
    """Bonuses as counted: at most ``max_times`` each, only the highest level of each group."""
    highest: dict[str, BonusItem] = {}
    for event in events:
        item = items[event.id]
        if item.group is not None:
            best = highest.get(item.group)
            if best is None or item.points > best.points:
                highest[item.group] = item
    for event in events:
        item = items[event.id]
        counted = event.count
        limited = ""
        best = highest.get(item.group) if item.group is not None else None
        if best is not None and best is not item:
            counted = 0
            limited = f"同一事项按最高级别计：已计“{best.name}”，本项不再加分"
        elif item.max_times is not None and counted > item.max_times:
            counted = item.max_times
            limited = f"每年最多计{item.max_times}次，填报{event.count}次，按{item.max_times}次计"
        uncapped = item.points * counted
        points = uncapped if item.cap is None else min(uncapped, item.cap)
        yield Adjustment(
            item.id,
            item.name,
            "bonus",
            event.count,
            points,
            points != uncapped,
            event.note,
            limited,
        )


def _veto_reason(event: Occurrence, loaded: LoadedRubric) -> str:
    name = loaded.veto_index[event.id].name
    return f"{name}（{event.note}）" if event.note else name
