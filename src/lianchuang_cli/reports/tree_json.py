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

from lianchuang_cli.reports.json_report import (
    SCHEMA_VERSION,
    failure_to_dict,
    number,
    problem_to_dict,
    result_to_dict,
    summary_to_dict,
)
from lianchuang_cli.results import UnitResult
from lianchuang_cli.scoring.summary import SummaryBuilder
from lianchuang_cli.tree.results import TownshipNode, TreeResult


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


def _level_summary(results: Sequence[UnitResult], invalid: int) -> dict[str, Any]:
    builder = SummaryBuilder()
    for index, result in enumerate(results):
        builder.add(index, result)
    summary = builder.finish(files=len(results) + invalid, invalid=invalid, skipped=0, quotas={})
    return summary_to_dict(summary)


def _township(node: TownshipNode) -> dict[str, Any]:
    return {
        "code": node.code,
        "file": node.file,
        "graded": node.result is not None,
        "score": number(node.result.score) if node.result else None,
        "rating": node.result.rating if node.result else None,
        "villages": [v.unit_code for v in node.villages],
        "villages_found": node.villages_found,
        "villages_graded": len(node.villages),
        "rating_distribution": dict(node.distribution),
    }


def tree_to_dict(tree: TreeResult) -> dict[str, Any]:
    """The whole tree as one JSON object."""
    results: list[dict[str, Any]] = []
    if tree.county is not None:
        results.append(unit_to_dict(tree.county, linked_to=None))
    townships = [n.result for n in tree.townships if n.result is not None]
    results.extend(unit_to_dict(t, linked_to=tree.county_code) for t in townships)
    villages: list[UnitResult] = []
    for node in tree.townships:
        for rank, village in enumerate(node.villages, start=1):
            villages.append(village)
            results.append(unit_to_dict(village, linked_to=node.code, rank_in_township=rank))
    for item in tree.unlinked:
        results.append(unit_to_dict(item.result, linked_to=None, left_out=item.reason))
    failed_by_level: dict[str, int] = {}
    for level in tree.failed_levels:
        failed_by_level[level] = failed_by_level.get(level, 0) + 1
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
                "township": _level_summary(townships, failed_by_level.get("township", 0)),
                "village": _level_summary(villages, failed_by_level.get("village", 0)),
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
    return json.dumps(tree_to_dict(tree), ensure_ascii=False, indent=2, default=_decimal) + "\n"


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(type(value).__name__)
