"""The next better rating: what a unit must recover to reach it, and why when it cannot.

This module states the problem in whole cents (the points the total needs, each criterion's
deficit against the band's share); ``recovery`` solves it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal

from lianchuang_cli.decimals import CENT, ZERO, fmt
from lianchuang_cli.model.rubric import RatingBand, Rubric
from lianchuang_cli.scoring.plan import ScoringPlan
from lianchuang_cli.scoring.recovery import Candidate, fewest_then_cheapest
from lianchuang_cli.scoring.results import CriterionResult, IndicatorResult, NextRating
from lianchuang_cli.scoring.scaling import scale_to_total


def find_next_rating(
    rubric: Rubric,
    plan: ScoringPlan,
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
        base = scale_to_total(raw + Decimal(cents) / 100, applicable, total)
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
