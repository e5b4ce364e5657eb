"""The JSON report of ``grade-tree``: the core contract extended with every level.

Like ``score --format json`` it is one object ``{schema_version, summary, results, invalid}``;
``results`` holds every graded unit of the three levels, each the core per-result object plus
``linked`` (each linked indicator's value and provenance: which files, which figure). A tree adds
``kind: "tree"``, per-level batch summaries, ``tree`` (how the units link: townships with their
ranked villages and rating distribution, units left out), ``problems`` and ``previous``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from lianchuang_cli.reports.escaping import JSON_ESCAPE, json_shown
from lianchuang_cli.reports.json_line import RenderedLine, dumps_line
from lianchuang_cli.reports.json_report import (
    SCHEMA_VERSION,
    failure_to_dict,
    join_rendered,
    number,
    placement_to_dict,
    problem_to_dict,
    rendered_line,
    result_to_dict,
    summary_to_dict,
)
from lianchuang_cli.scoring.placing import placed_alone
from lianchuang_cli.scoring.ranking import Placement
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.scoring.summary import BatchSummary
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


def prerender_village(result: UnitResult) -> RenderedLine:
    """A village's object (``unit_to_dict``) rendered where the village is graded, as a batch
    pre-renders its results (``json_report.prerender``); the writer adds its place in the tree."""
    return rendered_line(unit_to_dict(result), result.rating)


def _placed_line(line: bytes, placement: Placement, **extra: Any) -> bytes:
    """A pre-rendered village's compact object with its placement and ``extra`` keys after."""
    joined = join_rendered(line, placement)
    keys = b"".join(b", %s: %s" % (_compact(k), _compact(v)) for k, v in extra.items())
    return joined[:-1] + keys + b"}"


def _compact(value: Any) -> bytes:
    return dumps_line(value).encode("utf-8", JSON_ESCAPE)


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
    head, results, tail = _parts(tree)
    objects = [json.loads(r) if isinstance(r, bytes) else r for r in results]
    return {**head, "results": objects, **tail}


def _parts(
    tree: TreeResult,
) -> tuple[dict[str, Any], Iterator[dict[str, Any] | bytes], dict[str, Any]]:
    """The tree's object in three parts: the keys before ``results``, each result (villages read
    back from the tree's spool one at a time, as they are written), the keys after."""
    townships = [n.result for n in tree.townships if n.result is not None]
    villages = sum(len(n.villages) for n in tree.townships)
    township_summary, village_summary = tree.levels["township"], tree.levels["village"]
    head = {
        "schema_version": SCHEMA_VERSION,
        "kind": "tree",
        "summary": {
            "root": tree.root,
            "county_graded": tree.county is not None,
            "townships_graded": len(townships),
            "villages_graded": villages,
            "unlinked": len(tree.unlinked),
            "invalid": len(tree.failures),
            "errors": len(tree.errors),
            "warnings": len(tree.problems) - len(tree.errors),
            "levels": {
                "township": summary_to_dict(township_summary),
                "village": summary_to_dict(village_summary),
            },
        },
    }
    tail = {
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
    return head, _results(tree, townships), tail


def _results(tree: TreeResult, townships: list[UnitResult]) -> Iterator[dict[str, Any] | bytes]:
    """Each result's object, or a village's compact JSON text when it was pre-rendered."""
    township_summary, village_summary = tree.levels["township"], tree.levels["village"]
    if tree.county is not None:
        placed = placement_to_dict(placed_alone(tree.county), tree.county.rating)
        yield unit_to_dict(tree.county, **placed, linked_to=None)
    for township, placed in zip(townships, _placed(townships, township_summary), strict=True):
        yield unit_to_dict(township, **placed, linked_to=tree.county_code or None)
    index = 0
    for node in tree.townships:
        for rank, village in enumerate(node.villages, start=1):
            placement = village_summary.placements[index]
            line = tree.line(village)
            if line is not None:
                yield _placed_line(line, placement, linked_to=node.code, rank_in_township=rank)
            else:
                placed = placement_to_dict(placement, village.rating)
                yield unit_to_dict(
                    tree.full(village), **placed, linked_to=node.code, rank_in_township=rank
                )
            index += 1
    for item in tree.unlinked:
        line = tree.line(item.result)
        if line is not None:
            placement = placed_alone(item.result)
            yield _placed_line(line, placement, linked_to=None, left_out=item.reason)
            continue
        result = tree.full(item.result)
        placed = placement_to_dict(placed_alone(result), result.rating)
        yield unit_to_dict(result, **placed, linked_to=None, left_out=item.reason)


def render_tree_json(tree: TreeResult) -> str:
    """Serialise the tree report."""
    return "".join(tree_json_pieces(tree))


def tree_json_pieces(tree: TreeResult) -> Iterator[str]:
    """The text of ``render_tree_json`` in pieces, one result at a time (a county's villages
    never all in memory): the same bytes as dumping ``tree_to_dict`` whole."""
    head, results, tail = _parts(tree)
    yield json_shown(_dumps(head)[: -len("\n}")])
    first = True
    for result in results:
        # A result nested two levels deep is its own dump indented by four more spaces (a
        # newline inside a JSON string is always escaped, so every newline starts a line).
        opening = ',\n  "results": [\n    ' if first else ",\n    "
        text = _indented(result) if isinstance(result, bytes) else _dumps(result)
        yield json_shown(opening + text.replace("\n", "\n    "))
        first = False
    yield ',\n  "results": []' if first else "\n  ]"
    yield json_shown(",\n" + _dumps(tail)[len("{\n") :]) + "\n"


def _dumps(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, decimals as ``number``."""
    compact = json.dumps(value, ensure_ascii=False, default=_decimal)
    return _indented(compact.encode("utf-8", JSON_ESCAPE))


def _indented(compact: bytes) -> str:
    """Compact JSON text laid out as ``json.dumps(..., indent=2)`` lays it out: msgspec only
    re-spaces the tokens, in C, where the standard library's indenting encoder is pure Python
    (2.3x faster for a county's villages; every token, numbers included, is kept as written)."""
    return msgspec.json.format(compact, indent=2).decode("utf-8")


def _decimal(value: Any) -> Any:
    if isinstance(value, Decimal):
        return number(value)
    raise TypeError(type(value).__name__)
