"""The JSON report: a stable contract (documented in README.md), one object per file."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from lianchuang_cli import __version__
from lianchuang_cli.errors import Problem
from lianchuang_cli.results import FileFailure, FileOutcome, UnitResult


def number(value: Decimal | None) -> int | float | None:
    """Turn an exact score into a JSON number with at most two decimals."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(round(value, 2))


def failure_to_dict(failure: FileFailure) -> dict[str, Any]:
    """The JSON object standing in for a file that could not be graded."""
    return {
        "file": failure.file,
        "errors": [problem_to_dict(p) for p in failure.problems],
    }


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """A located problem as JSON; ``cell`` is null for text files."""
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "cell": problem.cell,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
    }


def result_to_dict(result: UnitResult) -> dict[str, Any]:
    """The JSON object for one graded file."""
    next_rating = result.next_rating
    return {
        "file": result.file,
        "unit": {
            "name": result.unit_name,
            "code": result.unit_code,
            "level": result.level,
            "year": result.year,
            "township": result.township,
            "county": result.county,
        },
        "rubric": {
            "id": result.rubric_id,
            "version": result.rubric_version,
            "sha256": result.rubric_sha256,
        },
        "score": number(result.score),
        "max_score": number(result.max_score),
        "rating": result.rating,
        "vetoed": result.vetoed,
        "veto_reasons": list(result.veto_reasons),
        "base_score": number(result.base_score),
        "bonus": number(result.bonus),
        "penalty": number(result.penalty),
        "floor": {
            "value": number(result.score_floor),
            "applied": result.floor_applied,
            "unfloored_score": number(result.unfloored_score),
        },
        "scaling": {
            "applied": result.scaled,
            "raw_score": number(result.raw_score),
            "applicable_points": number(result.applicable_points),
        },
        "criteria": [
            {
                "id": c.id,
                "name": c.name,
                "score": number(c.score),
                "max_score": number(c.max_score),
            }
            for c in result.criteria
        ],
        "indicators": [
            {
                "id": r.id,
                "criterion": r.criterion,
                "name": r.name,
                "score": number(r.score),
                "max_score": number(r.max_score),
                "status": r.status,
                "explanation": r.explanation,
                "self_score": number(r.self_score),
                "line": r.line,
            }
            for r in result.indicators
        ],
        "adjustments": [
            {
                "id": a.id,
                "name": a.name,
                "kind": a.kind,
                "count": a.count,
                "points": number(a.points),
                "capped": a.capped,
            }
            for a in result.adjustments
        ],
        "gaps": [
            {
                "indicator": g.indicator,
                "lost": number(g.lost),
                "gain": number(g.gain),
                "requirement": g.requirement,
                "found": g.found,
                "advice": g.advice,
                "line": g.line,
            }
            for g in result.gaps
        ],
        "next_rating": None
        if next_rating is None
        else {
            "rating": next_rating.rating,
            "points_needed": number(next_rating.points_needed),
            "indicators": list(next_rating.indicators),
        },
        "next_rating_note": result.next_rating_note,
        "tool_version": __version__,
    }


def outcome_to_dict(outcome: FileOutcome) -> dict[str, Any]:
    """The JSON object for a graded file or a failure."""
    if isinstance(outcome, FileFailure):
        return failure_to_dict(outcome)
    return result_to_dict(outcome)


def render_json(outcomes: list[FileOutcome], *, single: bool) -> str:
    """One object when a single file was given, otherwise an array, in input order."""
    payload: Any = (
        outcome_to_dict(outcomes[0]) if single else [outcome_to_dict(o) for o in outcomes]
    )
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
