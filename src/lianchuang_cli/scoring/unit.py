"""Pure scoring: a rubric and validated evidence in, a ``UnitResult`` out. No I/O here."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_CEILING, Decimal
from types import MappingProxyType
from typing import Any, Literal
from weakref import WeakKeyDictionary

from lianchuang_cli.decimals import CENT, ZERO, fmt, round_ratio
from lianchuang_cli.model.evidence import Event, Evidence, NotApplicable, Occurrence
from lianchuang_cli.model.linked_spec import Unavailable
from lianchuang_cli.model.rubric import (
    AdjustmentItem,
    BonusItem,
    Criterion,
    Indicator,
    LoadedRubric,
    RatingBand,
    Rubric,
)
from lianchuang_cli.model.rules import Change, ChangeRule, Outcome
from lianchuang_cli.scoring.conditions import blocked_ratings, check_conditions
from lianchuang_cli.scoring.linked import LowerUnit
from lianchuang_cli.scoring.recovery import Candidate, fewest_then_cheapest
from lianchuang_cli.scoring.results import (
    Adjustment,
    BandConditionResult,
    CriterionResult,
    Gap,
    GapCategory,
    IndicatorResult,
    NextRating,
    NotApplicableItem,
    Provenance,
    SelfScoreDifference,
    Status,
    UnitResult,
)


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
    plan = _plan(loaded)
    indicators, not_applicable, differences = _score_indicators(
        loaded, plan, evidence, linked or {}
    )
    criteria, raw, applicable = _totals(rubric, plan, indicators)
    total = rubric.total_points
    scaled = applicable != total
    base = _scaled(raw, applicable, total)
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
        for gain in [_base_gain(raw, applicable, total, lost)]
    )
    veto_names = tuple(loaded.veto_index[event.id].name for event in evidence.vetoes)
    conditions: tuple[BandConditionResult, ...] = ()
    if any(band.requires for band in rubric.ratings):
        conditions = check_conditions(rubric, below)
        reached = _band_for(rubric, score, criteria, vetoed)
        within = {band.name for band in rubric.ratings[reached:]} if not vetoed else set()
        conditions = tuple(
            dataclasses.replace(c, decided=True) if c.met is False and c.rating in within else c
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


def rating_fields(
    loaded: LoadedRubric,
    criteria: tuple[CriterionResult, ...],
    indicators: tuple[IndicatorResult, ...],
    score: Decimal,
    adjustment: Decimal,
    veto_names: tuple[str, ...],
    known: tuple[Target, NextRating | None, str] | None = None,
    *,
    blocked: Mapping[str, str] = MappingProxyType({}),
) -> dict[str, Any]:
    """The ``UnitResult`` fields that the rubric's identity and rating bands decide.

    Nothing else in a result depends on ``id``/``title``/``version``/``ratings``, so a result
    re-rated here under a rubric that differs only in those (``grading_cache``) equals a fresh
    grade. ``adjustment`` is bonus minus penalty; ``veto_names`` the vetoes' rubric names.
    ``known`` is a next rating and note found before for a ``rating_target``: they are kept
    when the target is still the same, since the search reads nothing else of the bands.
    ``blocked`` names the bands whose conditions on the units below are not met (with them).
    """
    rubric = loaded.rubric
    band_index = _band_for(rubric, score, criteria, bool(veto_names), blocked)
    target = rubric.ratings[band_index - 1] if band_index > 0 and not veto_names else None
    if target is not None and target.name in blocked:
        # The condition is the units below's to meet; the total and the criterion shares are the
        # unit's own: search them as for any band, and say the condition beside the result.
        condition = f"“{target.name}”还须满足等级条件（取决于下级单位）：{blocked[target.name]}"
        if _meets(target, score, criteria):
            next_rating, note = None, condition
        else:
            next_rating, note = _next_rating(
                rubric, _plan(loaded), indicators, criteria, band_index, adjustment, (), score
            )
            note = f"{note}；{condition}" if note else condition
    elif known is not None and known[0] == _target(rubric, band_index, bool(veto_names)):
        next_rating, note = known[1], known[2]
    else:
        next_rating, note = _next_rating(
            rubric, _plan(loaded), indicators, criteria, band_index, adjustment, veto_names, score
        )
    return {
        **_band_fields(loaded, band_index, score, criteria, bool(veto_names)),
        "next_rating": next_rating,
        "next_rating_note": note,
    }


def kept_band_fields(
    loaded: LoadedRubric,
    criteria: tuple[CriterionResult, ...],
    score: Decimal,
    vetoed: bool,
    target: Target,
) -> dict[str, Any] | None:
    """``rating_fields`` but the next rating, when the bands still give ``target`` (the next
    rating found for it then holds, as ``rating_fields`` keeps it); None when they do not."""
    rubric = loaded.rubric
    band_index = _band_for(rubric, score, criteria, vetoed)
    if _target(rubric, band_index, vetoed) != target:
        return None
    return _band_fields(loaded, band_index, score, criteria, vetoed)


def _band_for(
    rubric: Rubric,
    score: Decimal,
    criteria: tuple[CriterionResult, ...],
    vetoed: bool,
    blocked: Mapping[str, str] = MappingProxyType({}),
) -> int:
    return len(rubric.ratings) - 1 if vetoed else _band_index(rubric, score, criteria, blocked)


def _band_fields(
    loaded: LoadedRubric,
    band_index: int,
    score: Decimal,
    criteria: tuple[CriterionResult, ...],
    vetoed: bool,
) -> dict[str, Any]:
    rubric = loaded.rubric
    return {
        "rubric_id": rubric.id,
        "rubric_title": rubric.title,
        "rubric_version": rubric.version,
        "rubric_sha256": loaded.sha256,
        "rating": rubric.ratings[band_index].name,
        "rating_reason": _rating_reason(rubric, band_index, score, criteria, vetoed),
        "ratings": tuple(band.name for band in rubric.ratings),
    }


def _rating_reason(
    rubric: Rubric,
    band_index: int,
    score: Decimal,
    criteria: tuple[CriterionResult, ...],
    vetoed: bool,
) -> str:
    """Why the rating is below the next better band although the total reaches that band's
    minimum: the criteria under its share (“小康建设业绩好得分率79.2%，低于80%”); else "".

    It reads only the band ``_target`` names (its name, minimum and share), so a rating target
    that is kept keeps this reason too. A veto is said by ``veto_reasons``, a band condition on
    the units below by ``band_conditions``.
    """
    if vetoed or band_index == 0:
        return ""
    better = rubric.ratings[band_index - 1]
    share = better.min_criterion_share
    if share is None or score < better.min_score:
        return ""
    short = "、".join(
        f"“{c.name}”得分率{fmt(c.score * 100 / c.max_score)}%"
        for c in criteria
        if c.max_score > 0 and better.share_applies(c.id) and c.score < share * c.max_score
    )
    if not short:  # held back by a condition on the units below: ``band_conditions`` says so
        return ""
    return (
        f"总分已达“{better.name}”的{fmt(better.min_score)}分，但{short}，"
        f"低于“{better.name}”要求的每项{fmt(share * 100)}%"
    )


Target = tuple[str | None, ...]


def _target(rubric: Rubric, band_index: int, vetoed: bool) -> Target:
    """All ``_next_rating`` reads of the rating bands: the band it aims at, or the name it quotes."""
    if vetoed:
        return ("veto", rubric.ratings[-1].name)
    if band_index == 0:
        return ("top", rubric.ratings[0].name)
    band = rubric.ratings[band_index - 1]
    share = band.min_criterion_share
    named = band.min_criterion_share_of
    if share is not None and named is not None:
        return ("next", band.name, str(band.min_score), f"{share}:{','.join(named)}")
    return ("next", band.name, str(band.min_score), None if share is None else str(share))


def rating_target(loaded: LoadedRubric, result: UnitResult) -> Target:
    """The target ``result``'s next rating was searched for under ``loaded`` (see ``rerate``)."""
    rubric = loaded.rubric
    band_index = _band_for(rubric, result.score, result.criteria, result.vetoed)
    return _target(rubric, band_index, result.vetoed)


def rerate(
    loaded: LoadedRubric,
    result: UnitResult,
    veto_names: tuple[str, ...],
    target: Target | None = None,
) -> UnitResult:
    """``result`` with its ``rating_fields`` decided by ``loaded`` instead; ``target`` is its
    ``rating_target`` under the rubric it was graded with, if known."""
    known = None if target is None else (target, result.next_rating, result.next_rating_note)
    fields = rating_fields(
        loaded,
        result.criteria,
        result.indicators,
        result.score,
        result.bonus - result.penalty,
        veto_names,
        known,
        blocked=blocked_ratings(result.band_conditions),
    )
    return dataclasses.replace(result, **fields)


def _by_points_lost(indicators: Iterable[IndicatorResult]) -> list[tuple[IndicatorResult, Decimal]]:
    """The indicators that lost points, with the points lost, most first (ties in rubric order)."""
    lost = [(r, r.max_score - r.score) for r in indicators if r.score is not None]
    return sorted((pair for pair in lost if pair[1] > 0), key=lambda pair: -pair[1])


_Item = tuple[str, Indicator, str, str, str, Decimal, Callable[[Any, Decimal], Outcome], Any]
"""One indicator as scoring reads it: criterion id, indicator, id, name, requirement, points,
the rule's ``score``, the indicator's ``linked`` declaration."""


class _Plan:
    """What scoring needs of a rubric, worked out once per rubric instead of once per unit."""

    __slots__ = (
        "categories",
        "criteria",
        "items",
    )

    def __init__(self, rubric: Rubric) -> None:
        self.items = tuple(
            (
                criterion.id,
                indicator,
                indicator.id,
                indicator.name,
                indicator.requirement,
                indicator.points,
                indicator.rule.score,
                indicator.linked,
            )
            for criterion, indicator in rubric.indicators()
        )
        self.categories = {
            i.id: category
            for _, i in rubric.indicators()
            for category in [gap_category(i)]
            if category != "own"
        }
        # Each criterion with the slice of ``items`` (and of a unit's results) that it holds.
        self.criteria: list[tuple[Criterion, int, int]] = []
        start = 0
        for criterion in rubric.criteria:
            self.criteria.append((criterion, start, start + len(criterion.indicators)))
            start += len(criterion.indicators)


def gap_category(indicator: Indicator) -> GapCategory:
    """Who can close a gap on ``indicator``, from what the rubric declares (see ``Gap``).

    A linked figure depends on the level below even where it is also long-term; a grade that an
    assessor or a higher body awards is theirs to give, whatever its cadence.
    """
    if indicator.linked is not None:
        return "lower_level"
    if indicator.awarded_by is not None or indicator.rule.assessor_grade:
        return "assessor"
    if indicator.long_term:
        return "long_term"
    return "own"


_plans: WeakKeyDictionary[LoadedRubric, _Plan] = WeakKeyDictionary()


def _plan(loaded: LoadedRubric) -> _Plan:
    plan = _plans.get(loaded)
    if plan is None:
        plan = _plans.setdefault(loaded, _Plan(loaded.rubric))
    return plan


_MEMO_LIMIT = 16384
"""Rule outcomes remembered per rubric: a batch repeats the same values (12 meetings, true,
本科, 93.5 %) thousands of times; the memo is emptied when full so that memory stays flat.
Measured on generated village files: about 0.5 KB an outcome, so at most about 9 MB; a third
of the misses of a 4,096-outcome memo (percentages with one decimal fill about 16,000)."""

_Remembered = tuple[Decimal, Status, str, str, str]
"""A rule outcome as scoring uses it: score, status, found, explanation, action."""

_memos: WeakKeyDictionary[LoadedRubric, dict[tuple[object, ...], _Remembered]] = WeakKeyDictionary()


def _status(score: Decimal, points: Decimal) -> Status:
    return "full" if score == points else "zero" if score == 0 else "partial"


def _score_indicators(
    loaded: LoadedRubric,
    plan: _Plan,
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
    rule = indicator.rule
    if isinstance(rule, ChangeRule) and rule.without_previous == "not_applicable":
        remark = (
            "未提供上年结果（--previous），或上年结果中没有本单位该项的核算值、或该值自相矛盾；"
            "按细则规定作缺项处理"
        )
        return NotApplicable(WITHOUT_PREVIOUS, remark)
    return value


def _outcome(
    rubric: Rubric,
    memo: dict[tuple[object, ...], _Remembered],
    item: _Item,
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
    rubric: Rubric, plan: _Plan, indicators: tuple[IndicatorResult, ...]
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


def _scaled(raw: Decimal, applicable: Decimal, total: Decimal) -> Decimal:
    """Earned points on the total's scale: raw × total ÷ applicable, rounded once."""
    if applicable == total:
        return raw
    if applicable == 0:
        return ZERO
    # Exact: the same quotient as with Fractions, in whole numbers (applicable > 0).
    rn, rd = raw.as_integer_ratio()
    tn, td = total.as_integer_ratio()
    an, ad = applicable.as_integer_ratio()
    return round_ratio(rn * tn * ad, rd * td * an)


def _base_gain(raw: Decimal, applicable: Decimal, total: Decimal, lost: Decimal) -> Decimal:
    """What recovering ``lost`` indicator points adds to the base score, on the total's scale."""
    return _scaled(raw + lost, applicable, total) - _scaled(raw, applicable, total)


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


def _band_index(
    rubric: Rubric,
    score: Decimal,
    criteria: Iterable[CriterionResult],
    blocked: Mapping[str, str] = MappingProxyType({}),
) -> int:
    criteria = tuple(criteria)
    for index, band in enumerate(rubric.ratings):
        if band.name not in blocked and _meets(band, score, criteria):
            return index
    return len(rubric.ratings) - 1


def _meets(band: RatingBand, score: Decimal, criteria: tuple[CriterionResult, ...]) -> bool:
    if score < band.min_score:
        return False
    share = band.min_criterion_share
    return share is None or all(
        c.score >= share * c.max_score
        for c in criteria
        if c.max_score > 0 and band.share_applies(c.id)
    )


def _next_rating(
    rubric: Rubric,
    plan: _Plan,
    indicators: tuple[IndicatorResult, ...],
    criteria: tuple[CriterionResult, ...],
    band_index: int,
    adjustment: Decimal,
    veto_names: tuple[str, ...],
    score: Decimal,
) -> tuple[NextRating | None, str]:
    """Find the gaps to recover for the next better band: fewest items, then fewest points.

    Only gaps the unit can close itself are proposed (``gap_category`` "own"): never a linked
    figure, a grade someone else awards or a long-term indicator. The search itself is
    ``recovery.fewest_then_cheapest``.
    """
    if veto_names:
        names = "、".join(veto_names)
        return None, f"存在一票否决事项（{names}），无论得分均评为“{rubric.ratings[-1].name}”"
    if band_index == 0:
        return None, f"已是最高等级“{rubric.ratings[0].name}”"
    target = rubric.ratings[band_index - 1]
    categories = plan.categories
    # In rubric order: the search breaks ties by the candidates' order.
    lost_by = [
        (position, r, r.max_score - r.score)
        for position, r in enumerate(indicators)
        if r.score is not None
    ]
    gaps = [r for _, r, lost in lost_by if lost > 0]
    actionable = [(i, r, lost) for i, r, lost in lost_by if lost > 0 and r.id not in categories]
    # The criteria's sums add up to the indicator points earned and applicable (exact sums).
    raw = sum((c.score for c in criteria), ZERO)
    applicable = sum((c.max_score for c in criteria), ZERO)
    total = rubric.total_points
    floor = rubric.score_floor

    def total_after(cents: int) -> Decimal:
        base = _scaled(raw + Decimal(cents) / 100, applicable, total)
        return max(base + adjustment, floor)

    available = sum(_cents(lost) for _, _, lost in actionable)
    deficits: dict[str, int] = {}
    if target.min_criterion_share is not None:
        for criterion in criteria:
            if not target.share_applies(criterion.id):
                continue
            short = target.min_criterion_share * criterion.max_score - criterion.score
            deficits[criterion.id] = _cents_up(short)
    guess = _cents_guess(target.min_score - adjustment, raw, applicable, total, floor, target)
    needed = _least_cents(total_after, target.min_score, available, guess)
    candidates = [Candidate(r.id, r.criterion, _cents(lost)) for _, r, lost in actionable]
    chosen = None if needed is None else fewest_then_cheapest(candidates, deficits, needed)
    if chosen is None:
        others = any(r.id in categories for r in gaps)
        return None, _unreachable_note(target, total_after(available), others)
    recovered = sum(c.cents for c in chosen)
    order = {r.id: (-lost, i) for i, r, lost in actionable}
    ids = tuple(sorted((c.key for c in chosen), key=order.__getitem__))
    points_needed = max(ZERO, target.min_score - score)
    return NextRating(target.name, points_needed, ids, total_after(recovered)), ""


def _cents_guess(
    base: Decimal,
    raw: Decimal,
    applicable: Decimal,
    total: Decimal,
    floor: Decimal,
    target: RatingBand,
) -> int | None:
    """Roughly the cents the base score needs to reach ``base`` (``_least_cents`` checks it)."""
    if floor >= target.min_score:
        return 0
    if applicable == total:
        return max(0, _cents_up(base - raw))
    if applicable <= 0:
        return None
    # Rounded half up, a scaled base reaches ``base`` from half a cent below it.
    return max(0, _cents_up((base - CENT / 2) * applicable / total - raw))


def _cents(points: Decimal) -> int:
    return int(points * 100)


def _cents_up(points: Decimal) -> int:
    """Whole cents needed to cover ``points`` (which may have more than two decimals)."""
    return int((points * 100).to_integral_value(rounding=ROUND_CEILING))


def _least_cents(
    total_after: Callable[[int], Decimal], goal: Decimal, most: int, guess: int | None = None
) -> int | None:
    """The fewest recovered cents that lift the total to ``goal`` (it never falls as they grow).

    A ``guess`` is taken when it is checked to be that least number (it reaches ``goal``, one
    cent less does not); otherwise the search halves the range as usual.
    """
    if total_after(most) < goal:
        return None
    if (
        guess is not None
        and 0 <= guess <= most
        and total_after(guess) >= goal
        and (guess == 0 or total_after(guess - 1) < goal)
    ):
        return guess
    low, high = 0, most
    while low < high:
        middle = (low + high) // 2
        if total_after(middle) >= goal:
            high = middle
        else:
            low = middle + 1
    return low


def _unreachable_note(target: RatingBand, best: Decimal, others: bool) -> str:
    """Why no recovery reaches ``target``: the total, or a criterion's share.

    ``others`` is whether some gaps are not the unit's own to close; the reports list them
    beside this note (取决于下级 / 由考评人员评定 / 长期工作), so it does not repeat them.
    """
    what = "即使本单位自身能改进的差距全部做到" if others else "即使补齐全部差距"
    if best < target.min_score:
        return (
            f"{what}，总分也只能达到{fmt(best)}分，仍达不到“{target.name}”"
            f"（{fmt(target.min_score)}分）" + ("" if others else "，主要受扣分项影响")
        )
    share = target.min_criterion_share or Decimal(0)
    return f"{what}，仍有考评项目得分率达不到“{target.name}”要求的{fmt(share * 100)}%"
