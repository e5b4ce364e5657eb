"""The registry of rubric lint checks: code → check. Adding a check is one module and one line here.

Codes are a stable contract (README lists them): never rename one, retire it instead.
"""

from __future__ import annotations

from lianchuang_cli.lint.base import Check
from lianchuang_cli.lint.checks import (
    adjustment_caps,
    band_conditions,
    bonus_groups,
    choice_options,
    clause_cited,
    criteria_total,
    duplicate_ids,
    indicator_sum,
    level_event_overlap,
    linked_level,
    not_applicable,
    not_applicable_cap,
    penalty_veto_overlap,
    practice_marked,
    quota_rating,
    rating_coverage,
    rating_order,
    rating_reachable,
    rule_best,
    rule_worst,
    same_counts,
    shipped_modified,
    tiers_order,
    tiers_range,
)

CHECKS: dict[str, Check] = {
    check.code: check
    for check in (
        criteria_total.CHECK,
        indicator_sum.CHECK,
        rule_best.CHECK,
        rule_worst.CHECK,
        duplicate_ids.CHECK,
        choice_options.CHECK,
        tiers_order.CHECK,
        tiers_range.CHECK,
        rating_order.CHECK,
        rating_coverage.CHECK,
        rating_reachable.CHECK,
        band_conditions.CHECK,
        not_applicable.CHECK,
        not_applicable_cap.CHECK,
        adjustment_caps.CHECK,
        bonus_groups.CHECK,
        penalty_veto_overlap.CHECK,
        level_event_overlap.CHECK,
        clause_cited.CHECK,
        practice_marked.CHECK,
        linked_level.CHECK,
        quota_rating.CHECK,
        same_counts.CHECK,
        shipped_modified.CHECK,
    )
}
