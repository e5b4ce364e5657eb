"""The JSON report of ``grade-tree``: the core per-unit objects, extended with every level.

Each graded unit is the same object ``score --format json`` gives (``result_to_dict``), plus
``linked``: for each linked indicator, its value and where it came from (files and figure).
"""

from __future__ import annotations

import json
from typing import Any

from lianchuang_cli import __version__
from lianchuang_cli.reports.json_report import (
    failure_to_dict,
    number,
    problem_to_dict,
    result_to_dict,
)
from lianchuang_cli.results import UnitResult
from lianchuang_cli.tree.results import TownshipNode, TreeResult

TREE_SCHEMA_VERSION = 1


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


def unit_to_dict(result: UnitResult) -> dict[str, Any]:
    """The core per-result object plus ``linked``."""
    return {**result_to_dict(result), "linked": linked_to_dicts(result)}


def _township(node: TownshipNode) -> dict[str, Any]:
    base: dict[str, Any] = (
        unit_to_dict(node.result)
        if node.result is not None
        else {"file": node.file, "unit": {"code": node.code, "level": "township"}, "graded": False}
    )
    return {
        **base,
        "villages": [v.unit_code for v in node.villages],
        "villages_found": node.villages_found,
        "villages_graded": len(node.villages),
        "rating_distribution": dict(node.distribution),
    }


def tree_to_dict(tree: TreeResult) -> dict[str, Any]:
    """The whole tree as one JSON object."""
    villages = []
    for node in tree.townships:
        for rank, village in enumerate(node.villages, start=1):
            villages.append({**unit_to_dict(village), "township_code": node.code, "rank": rank})
    graded_villages = len(villages)
    return {
        "kind": "tree",
        "schema_version": TREE_SCHEMA_VERSION,
        "root": tree.root,
        "summary": {
            "county_graded": tree.county is not None,
            "townships": len(tree.townships),
            "townships_graded": sum(n.result is not None for n in tree.townships),
            "villages_graded": graded_villages,
            "unlinked": len(tree.unlinked),
            "invalid": len(tree.failures),
            "errors": len(tree.errors),
            "warnings": len(tree.problems) - len(tree.errors),
        },
        "previous": tree.previous_file or None,
        "county": unit_to_dict(tree.county) if tree.county is not None else None,
        "townships": [_township(node) for node in tree.townships],
        "villages": villages,
        "unlinked": [{**unit_to_dict(u.result), "reason": u.reason} for u in tree.unlinked],
        "problems": [problem_to_dict(p) for p in tree.problems],
        "invalid": [failure_to_dict(f) for f in tree.failures],
        "tool_version": __version__,
    }


def render_tree_json(tree: TreeResult) -> str:
    """Serialise the tree report."""
    return json.dumps(tree_to_dict(tree), ensure_ascii=False, indent=2) + "\n"
