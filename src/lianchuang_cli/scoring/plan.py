"""What scoring needs of a rubric, worked out once per rubric instead of once per unit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from weakref import WeakKeyDictionary

from lianchuang_cli.model.rubric import Criterion, Indicator, LoadedRubric, Rubric
from lianchuang_cli.model.rules import Outcome
from lianchuang_cli.scoring.results import GapCategory

PlanItem = tuple[str, Indicator, str, str, str, Decimal, Callable[[Any, Decimal], Outcome], Any]
"""One indicator as scoring reads it: criterion id, indicator, id, name, requirement, points,
the rule's ``score``, the indicator's ``linked`` declaration."""


class ScoringPlan:
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


_plans: WeakKeyDictionary[LoadedRubric, ScoringPlan] = WeakKeyDictionary()
"""A pure memo: each (immutable) rubric's plan, built from it alone; gone with the rubric."""


def scoring_plan(loaded: LoadedRubric) -> ScoringPlan:
    plan = _plans.get(loaded)
    if plan is None:
        plan = _plans.setdefault(loaded, ScoringPlan(loaded.rubric))
    return plan
