"""The JSON report (contract v2, ``schemas/report.schema.json``) and its line-per-result twin, jsonl.

One object ``{schema_version, summary, results, invalid}`` whatever the number of files; results are
written one at a time as they are read back, so a province-sized batch streams.

Naming rule: an object that *is* an indicator (in ``indicators``, ``gaps``,
``self_score_differences``, ``summary.common_problems``) names it with ``id``, ``name`` and
``criterion``; lists that only refer to indicators hold their ids (``next_rating.indicators``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import IO, Any

from lianchuang_cli import __version__
from lianchuang_cli.decimals import json_number
from lianchuang_cli.errors import Problem
from lianchuang_cli.reports.batch_report import RankedResult, Report
from lianchuang_cli.reports.escaping import JSON_ESCAPE
from lianchuang_cli.reports.json_line import (
    Fields,
    LineWriter,
    RenderedLine,
    dumps_line,
    next_rating_value,
)
from lianchuang_cli.scoring.ranking import Placement, RankedRow
from lianchuang_cli.scoring.results import NOT_PROPOSED, FileFailure, FileOutcome, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary

SCHEMA_VERSION = 2


number = json_number
"""A score as a JSON number (``decimals.json_number``)."""


def failure_to_dict(failure: FileFailure) -> dict[str, Any]:
    """The JSON object of a file that could not be graded."""
    return {
        "file": failure.file,
        "status": "invalid",
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
    """The core JSON object for one graded file (without its place in a batch)."""
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
        "rating_reason": result.rating_reason,
        "vetoed": result.vetoed,
        "veto_reasons": list(result.veto_reasons),
        "not_applicable_policy": result.not_applicable_policy,
        "rounding": "per_indicator",
        "not_applicable": [
            {
                "id": n.indicator,
                "name": n.name,
                "criterion": n.criterion,
                "points": number(n.points),
                "situation": n.situation,
                "remark": n.remark,
                "line": n.line,
                "cell": n.cell,
            }
            for n in result.not_applicable
        ],
        "base_score": number(result.base_score),
        "bonus": number(result.bonus),
        "bonus_capped": result.bonus_capped,
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
                "percent": None if not c.max_score else number(c.score * 100 / c.max_score),
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
                "cell": r.cell,
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
                "note": a.note,
                "limited": a.limited,
            }
            for a in result.adjustments
        ],
        "gaps": [
            {
                "id": g.indicator,
                "name": g.name,
                "criterion": g.criterion,
                "lost": number(g.lost),
                "gain": number(g.gain),
                "requirement": g.requirement,
                "found": g.found,
                "explanation": g.explanation,
                "advice": g.advice,
                "line": g.line,
                "long_term": g.long_term,
                "category": g.category,
                "cell": g.cell,
            }
            for g in result.gaps
        ],
        "next_rating": next_rating_value(result.next_rating),
        "next_rating_note": result.next_rating_note,
        "band_conditions": [
            {
                "rating": c.rating,
                "condition": c.condition,
                "value": number(c.value),
                "met": c.met,
                "decided": c.decided,
                "description": c.description,
            }
            for c in result.band_conditions
        ],
        "not_proposed": {
            category: [g.indicator for g in result.gaps if g.category == category]
            for category in NOT_PROPOSED
        },
        "self_score_differences": [
            {
                "id": d.indicator,
                "name": d.name,
                "self_score": number(d.self_score),
                "score": number(d.score),
            }
            for d in result.self_score_differences
        ],
        "tool_version": __version__,
    }


def outcome_to_dict(outcome: FileOutcome) -> dict[str, Any]:
    """The core JSON object of a graded file, or of a file that could not be graded."""
    if isinstance(outcome, FileFailure):
        return failure_to_dict(outcome)
    return result_to_dict(outcome)


def ranked_to_dict(ranked: RankedResult) -> dict[str, Any]:
    """A graded file with its place in the batch: rank, status, rating after quotas."""
    payload = result_to_dict(ranked.result)
    payload.update(placement_to_dict(ranked.placement, ranked.result.rating))
    return payload


RENDER_SEPARATOR = b"\x1f"
"""Splits a pre-rendered result; compact JSON escapes every control character, so never in it."""

RATING_FIELDS: Fields = {
    "file": "file",
    "rubric": {"id": "rubric_id", "version": "rubric_version", "sha256": "rubric_sha256"},
    "rating_reason": "rating_reason",
    "next_rating": "next_rating",
    "next_rating_note": "next_rating_note",
}
"""Where ``result_to_dict`` puts the fields re-rating may change (``json_line.FIELDS``), beside
``rating``, which ``prerender`` writes apart."""


def prerender(result: UnitResult) -> RenderedLine:
    """A result's compact JSON line (UTF-8), rendered where it was graded, without its placement,
    and where its rating fields are in it (``json_line``).

    Three parts joined by ``RENDER_SEPARATOR``: the object's text up to its ``rating`` key, the
    rating by score (JSON), and the keys after ``rating``. ``join_rendered`` adds the placement,
    giving exactly ``dumps_line(ranked_to_dict(...))``: in a batch the parent process then only
    ranks and stitches bytes, while the workers of ``--jobs N`` do the JSON encoding in parallel.
    """
    return rendered_line(result_to_dict(result), result.rating)


def rendered_line(payload: dict[str, Any], rating: str) -> RenderedLine:
    """``payload`` (a result's object, with its ``rating``) as ``prerender`` renders a result:
    ``grade-tree`` renders its villages' objects, which add ``linked``, the same way."""
    head: dict[str, Any] = {}
    tail: dict[str, Any] = {}
    part = head
    for key, value in payload.items():
        if key == "rating":
            part = tail
        else:
            part[key] = value
    out = LineWriter()
    out.raw("{")
    out.items(head, RATING_FIELDS)
    out.raw("\x1f")
    out.field("rating", rating)
    out.raw("\x1f")
    out.items(tail, RATING_FIELDS)
    return out.line()


def _json_bytes(text: str) -> bytes:
    # Not remembered: a memo measured no gain (bench_mechanisms.py, 2026-12-07: 0.98x).
    return dumps_line(text).encode("utf-8", JSON_ESCAPE)


def join_rendered(text: bytes, placement: Placement) -> bytes:
    """The compact JSON line of a pre-rendered result with its place in the batch."""
    return b"".join(_rendered_parts(text, placement))


def _rendered_parts(text: bytes, placement: Placement) -> tuple[bytes | memoryview, ...]:
    """``join_rendered`` in pieces, the long ones views of ``text`` (nothing copied yet)."""
    first = text.index(RENDER_SEPARATOR)
    second = text.index(RENDER_SEPARATOR, first + 1)
    view = memoryview(text)
    return (
        view[:first],
        b', "rating": ',
        _json_bytes(placement.rating),
        b", ",
        view[second + 1 :],
        b', "rank": %d, "status": ' % placement.rank,
        _json_bytes(placement.status),
        b', "rating_by_score": ',
        view[first + 1 : second],
        b', "quota_note": ',
        _json_bytes(placement.quota_note),
        b"}",
    )


def placement_to_dict(placement: Placement, rating_by_score: str) -> dict[str, Any]:
    """The keys a batch adds to a result; ``rating`` is the final one, after quotas."""
    return {
        "rank": placement.rank,
        "status": placement.status,
        "rating": placement.rating,
        "rating_by_score": rating_by_score,
        "quota_note": placement.quota_note,
    }


def ranking_row_to_dict(r: RankedRow) -> dict[str, Any]:
    """One unit's line in the summary's ranking."""
    return {
        "rank": r.placement.rank,
        "file": r.row.file,
        "unit": r.row.unit_name,
        "code": r.row.unit_code,
        "township": r.row.township,
        "score": number(r.row.score),
        "rating": r.placement.rating,
        "status": r.placement.status,
        "criteria": [number(s) for s in r.row.criterion_scores],
        "gaps": r.row.gap_count,
        "quota_note": r.placement.quota_note,
    }


def summary_to_dict(summary: BatchSummary, *, ranking: bool = True) -> dict[str, Any]:
    """The batch summary: counts, ranking, ratings, statistics, 共性问题, vetoes, quotas.

    Without ``ranking`` the ranking list is left empty (a streaming writer fills it row by row).
    """
    rubric = summary.rubric
    stats = summary.stats
    return {
        "rubric": None
        if rubric is None
        else {
            "id": rubric.id,
            "title": rubric.title,
            "version": rubric.version,
            "sha256": rubric.sha256,
        },
        "files": {
            "total": summary.files,
            "graded": summary.graded,
            "vetoed": summary.vetoed,
            "invalid": summary.invalid,
            "skipped": summary.skipped,
        },
        "skipped": [{"path": e.path, "reason": e.reason} for e in summary.skipped_entries],
        "tie_rule": summary.tie_rule,
        "ranking": [ranking_row_to_dict(r) for r in summary.ranking] if ranking else [],
        "ratings": [
            {"rating": c.rating, "count": c.count, "percent": number(c.percent)}
            for c in summary.ratings
        ],
        "score": None
        if stats is None
        else {
            "mean": number(stats.mean),
            "median": number(stats.median),
            "min": number(stats.minimum),
            "max": number(stats.maximum),
        },
        "criteria": [
            {"id": c.id, "name": c.name, "mean": number(c.mean), "max_score": number(c.max_score)}
            for c in summary.criteria
        ],
        "common_problems": [
            {
                "id": p.id,
                "name": p.name,
                "criterion": p.criterion,
                "units": p.units,
                "lost": number(p.lost),
            }
            for p in summary.common_problems
        ],
        "vetoed": [
            {
                "rank": r.placement.rank,
                "file": r.row.file,
                "unit": r.row.unit_name,
                "reasons": list(r.row.veto_reasons),
            }
            for r in summary.vetoed_ranking()
        ],
        "quotas": [
            {
                "rating": q.rating,
                "percent": number(q.percent),
                "cap": q.cap,
                "demoted": q.demoted,
                "tied": q.tied,
                **({"group": q.group} if q.group else {}),  # grade-tree, quota_scope: township
            }
            for q in summary.quotas
        ],
        "quota_rule": summary.quota_rule,
    }


PRETTY_RESULTS = 20
"""Up to this many results are indented for reading; a larger batch gets one result (and one
ranking row) per line, because indenting forces the standard library's pure-Python encoder
(about three times slower, a fifth of a whole batch's time). Whitespace is not part of the JSON
contract."""


def _dumps(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=2)


class _ByteSink:
    """Writes a text stream's content as UTF-8 bytes, gathered into large writes.

    A stream with a UTF-8 binary buffer underneath (a file, standard output) gets the bytes
    directly, so pre-rendered results are never decoded and encoded again; any other text
    stream gets them decoded.
    """

    LIMIT = 1 << 20

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._buffer: IO[bytes] | None = None
        buffer = getattr(stream, "buffer", None)
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if buffer is not None and encoding == "utf8" and os.linesep == "\n":
            stream.flush()
            self._buffer = buffer
        self._parts: list[bytes | memoryview] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= self.LIMIT:
            self.flush()

    def extend(self, parts: Iterable[bytes | memoryview]) -> None:
        """Write pieces (views of larger bytes are joined, copied once, at the next flush)."""
        for part in parts:
            self._parts.append(part)
            self._size += len(part)
        if self._size >= self.LIMIT:
            self.flush()

    def text(self, text: str) -> None:
        self.write(text.encode("utf-8", JSON_ESCAPE))

    def flush(self) -> None:
        data = b"".join(self._parts)
        self._parts.clear()
        self._size = 0
        if self._buffer is not None:
            self._buffer.write(data)
        else:
            self._stream.write(data.decode("utf-8", "surrogateescape"))


def write_json(report: Report, stream: IO[str]) -> None:
    """Write the whole report as one JSON object, streaming the results."""
    pretty = report.summary.graded <= PRETTY_RESULTS
    out = _ByteSink(stream)
    out.text(f'{{\n  "schema_version": {SCHEMA_VERSION},\n  "summary": {{')
    separator = "\n    "
    # The summary is written key by key so that its ranking, one row per unit, streams too:
    # building it whole held several kilobytes per unit until the end.
    for key, value in summary_to_dict(report.summary, ranking=False).items():
        out.text(f"{separator}{json.dumps(key)}: ")
        if key == "ranking":
            rows = (ranking_row_to_dict(r) for r in report.summary.ranking)
            _write_list(out, rows, pretty, "      ")
        else:
            out.text(_dumps(value).replace("\n", "\n    "))
        separator = ",\n    "
    out.text("\n  }" if separator != "\n    " else "}")
    out.text(',\n  "results": ')
    if report.rendered is not None:
        if pretty:
            lines = (join_rendered(*item) for item in report.rendered())
            _write_list(out, (json.loads(line) for line in lines), pretty, "    ")
        else:
            _write_lines(out, report.rendered(), "    ")
    else:
        results = (ranked_to_dict(ranked) for ranked in report.results())
        _write_list(out, results, pretty, "    ")
    out.text(',\n  "invalid": ')
    invalid = [failure_to_dict(f) for f in report.invalid]
    out.text(_dumps(invalid).replace("\n", "\n  "))
    out.text("\n}\n")
    out.flush()


def _write_list(out: _ByteSink, items: Iterable[Any], pretty: bool, indent: str) -> None:
    """A JSON list written item by item: indented items, or one compact item per line."""
    out.text("[")
    separator = f"\n{indent}"
    for item in items:
        if pretty:
            out.text(separator + _dumps(item).replace("\n", f"\n{indent}"))
        else:
            out.text(separator + dumps_line(item))
        separator = f",\n{indent}"
    out.text(f"\n{indent[:-2]}]" if separator != f"\n{indent}" else "]")


def _write_lines(out: _ByteSink, rendered: Iterable[tuple[bytes, Placement]], indent: str) -> None:
    """``_write_list`` of pre-rendered results, each joined with its placement."""
    out.text("[")
    first, separator = f"\n{indent}".encode(), f",\n{indent}".encode()
    for text, placement in rendered:
        out.write(first)
        out.extend(_rendered_parts(text, placement))
        first = separator
    out.text(f"\n{indent[:-2]}]" if first == separator else "]")


def write_jsonl(report: Report, stream: IO[str]) -> None:
    """One compact JSON object per line: each graded result, then each invalid file."""
    out = _ByteSink(stream)
    if report.rendered is not None:
        for text, placement in report.rendered():
            out.extend(_rendered_parts(text, placement))
            out.write(b"\n")
    else:
        for ranked in report.results():
            out.text(dumps_line(ranked_to_dict(ranked)) + "\n")
    for failure in report.invalid:
        out.text(dumps_line(failure_to_dict(failure)) + "\n")
    out.flush()
