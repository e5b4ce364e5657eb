"""A graded unit's rating: the band its score and criteria reach, why not the better one, the
next rating to aim at; and re-rating a result under a rubric that differs only in its bands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from msgspec import structs

from lianchuang_cli.decimals import fmt
from lianchuang_cli.model.rubric import LoadedRubric, RatingBand, Rubric
from lianchuang_cli.scoring.conditions import blocked_ratings
from lianchuang_cli.scoring.next_rating import find_next_rating
from lianchuang_cli.scoring.plan import scoring_plan
from lianchuang_cli.scoring.results import CriterionResult, IndicatorResult, NextRating, UnitResult


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
    band_index = band_for(rubric, score, criteria, bool(veto_names), blocked)
    target = rubric.ratings[band_index - 1] if band_index > 0 and not veto_names else None
    # A condition on the units below is theirs to meet; the total and the criterion shares are
    # the unit's own: they are searched as for any band, and the condition is said beside them.
    condition = ""
    if target is not None and target.name in blocked:
        condition = f"“{target.name}”还须满足等级条件（取决于下级单位）：{blocked[target.name]}"
    if condition and target is not None and _meets(target, score, criteria):
        next_rating, note = None, condition
    elif (
        not condition
        and known is not None
        and known[0] == _target(rubric, band_index, bool(veto_names))
    ):
        next_rating, note = known[1], known[2]
    else:
        next_rating, note = find_next_rating(
            rubric,
            scoring_plan(loaded),
            indicators,
            criteria,
            band_index,
            adjustment,
            veto_names,
            score,
        )
        if condition:
            note = f"{note}；{condition}" if note else condition
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
    band_index = band_for(rubric, score, criteria, vetoed)
    if _target(rubric, band_index, vetoed) != target:
        return None
    return _band_fields(loaded, band_index, score, criteria, vetoed)


def band_for(
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
    """All ``find_next_rating`` reads of the rating bands: the band it aims at, or the name it quotes."""
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
    band_index = band_for(rubric, result.score, result.criteria, result.vetoed)
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
    return structs.replace(result, **fields)


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
