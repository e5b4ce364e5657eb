"""The JSON report of ``grade-tree``: the core contract extended with every level.

Like ``score --format json`` it is one object ``{schema_version, summary, results, invalid}``;
``results`` holds every graded unit of the three levels, each the core per-result object plus
``linked`` (each linked indicator's value and provenance: which files, which figure). A tree adds
``kind: "tree"``, per-level batch summaries, ``tree`` (how the units link: townships with their
ranked villages and rating distribution, units left out), ``problems`` and ``previous``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lianchuang_cli.reports.escaping import json_shown
from lianchuang_cli.reports.json_report import (
    SCHEMA_VERSION,
    failure_to_dict,
    number,
    placement_to_dict,
    problem_to_dict,
    result_to_dict,
    summary_to_dict,
)
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, SummaryBuilder
from lianchuang_cli.tree.tree_result import TownshipNode, TreeResult


def linked_to_dicts(result: UnitResult) -> list[dict[str, Any]]:
    """Every linked indicator of ``result`` with its value and provenance."""
    items = []
    for indicator in result.indicators:
        provenance = indicator.provenance
        if provenance is None:
            continue
        items.append(
            {
                "indicator": indicator.id,
                "name": indicator.name,
                "figure": provenance.figure,
                "description": provenance.description,
                "source": provenance.source,
                "label": provenance.label,
                "value": number(provenance.value),
                "part": provenance.part,
                "whole": provenance.whole,
                "units_found": provenance.units_found,
                "units_counted": len(provenance.files),
                "files": list(provenance.files),
                "excluded": list(provenance.excluded),
                "previous": number(provenance.previous),
                "previous_source": provenance.previous_source,
                "declared": provenance.declared,
                "score": number(indicator.score),
                "max_score": number(indicator.max_score),
            }
        )
    return items


def unit_to_dict(result: UnitResult, **extra: Any) -> dict[str, Any]:
    """The core per-result object plus ``linked`` and any tree keys."""
    return {**result_to_dict(result), "linked": linked_to_dicts(result), **extra}


def _level_summary(results: Sequence[UnitResult]) -> BatchSummary:
    """A unit ranked alone (the county, a unit left out): no quota applies to one unit."""
    builder = SummaryBuilder()
    for index, result in enumerate(results):
        builder.add(index, result)
    return builder.finish(files=len(results), invalid=0, skipped=0, quotas={})


def _placed(results: Sequence[UnitResult], summary: BatchSummary) -> list[dict[str, Any]]:
    """Each unit with its place among the graded units of its level (``rank``, ``status``…)."""
    return [
        placement_to_dict(summary.placements[index], result.rating)
        for index, result in enumerate(results)
    ]


def _township(node: TownshipNode) -> dict[str, Any]:
    return {
        "code": node.code,
        "file": node.file,
        "graded": node.result is not None,
        "score": number(node.result.score) if node.result else None,
        "rating": node.placement.rating if node.placement else None,
        "villages": [v.unit_code for v in node.villages],
        "villages_found": node.villages_found,
        "villages_graded": len(node.villages),
        "rating_distribution": dict(node.distribution),
    }


def tree_to_dict(tree: TreeResult) -> dict[str, Any]:
    """The whole tree as one JSON object."""
    townships = [n.result for n in tree.townships if n.result is not None]
    villages = [v for n in tree.townships for v in n.villages]
    township_summary, village_summary = tree.levels["township"], tree.levels["village"]
    results: list[dict[str, Any]] = []
    if tree.county is not None:
        lone = _level_summary([tree.county])
        results.append(unit_to_dict(tree.county, **_placed([tree.county], lone)[0], linked_to=None))
    for township, placed in zip(townships, _placed(townships, township_summary), strict=True):
        results.append(unit_to_dict(township, **placed, linked_to=tree.county_code or None))
    in_township = [
        (node.code, rank) for node in tree.townships for rank in range(1, len(node.villages) + 1)
    ]
    placements = _placed(villages, village_summary)
    for village, placed, (code, rank) in zip(villages, placements, in_township, strict=True):
        results.append(unit_to_dict(village, **placed, linked_to=code, rank_in_township=rank))
    for item in tree.unlinked:
        alone = _level_summary([item.result])
        placed = _placed([item.result], alone)[0]
        results.append(unit_to_dict(item.result, **placed, linked_to=None, left_out=item.reason))
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "tree",
        "summary": {
            "root": tree.root,
            "county_graded": tree.county is not None,
            "townships_graded": len(townships),
            "villages_graded": len(villages),
            "unlinked": len(tree.unlinked),
            "invalid": len(tree.failures),
            "errors": len(tree.errors),
            "warnings": len(tree.problems) - len(tree.errors),
            "levels": {
                "township": summary_to_dict(township_summary),
                "village": summary_to_dict(village_summary),
            },
        },
        "results": results,
        "invalid": [failure_to_dict(f) for f in tree.failures],
        "tree": {
            "county": {
                "code": tree.county.unit_code if tree.county else None,
                "file": tree.county_file or None,
            },
            "townships": [_township(node) for node in tree.townships],
        },
        "problems": [problem_to_dict(p) for p in tree.problems],
        "previous": tree.previous_file or None,
    }


def render_tree_json(tree: TreeResult) -> str:
    """Serialise the tree report."""
    text = json.dumps(tree_to_dict(tree), ensure_ascii=False, indent=2, default=_decimal)
    return json_shown(text) + "\n"


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(type(value).__name__)
