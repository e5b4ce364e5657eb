"""A result's rendered line, re-used after re-rating: only the rating fields' text is replaced.

A batch renders every graded result with its format's render function (JSON: ``prerender``).
When ``grading_cache`` re-rates a stored result under an edited rubric, the next rating is
usually kept (``scoring.unit.rerate``), so only the rubric's identity and the rating change;
rendering the whole result again would cost more than everything else a re-grade does. Instead
the line rendered when the result was stored is kept as a ``Template``: the line cut at the text
of each rating field, which is filled in with the new values.

That is exact only for a render function that writes each of those fields once, as its JSON
text, and never otherwise. ``shape`` checks this once per function and process, by rendering a
result whose fields are sentinels (text no evidence file can hold: YAML forbids NUL): each must
appear exactly once as its JSON text, just after its key (``"id": ``; an anchor that JSON
structure alone can write), or not at all and with no trace. In a line, each field is then found
as its anchor and its text; a line where that text is not unique (an indicator with the rubric's
id as its id, say) gets no template, and a function that fails the check never gets one: such
results are simply rendered again.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from lianchuang_cli.reports.escaping import JSON_ESCAPE
from lianchuang_cli.results import UnitFacts, UnitResult

Render = Callable[[UnitResult], bytes]

FIELDS = ("file", "rubric_id", "rubric_title", "rubric_version", "rubric_sha256", "rating")
"""The fields a template may fill in, as text: the rating fields (``scoring.unit.rating_fields``)
and the file name (the same bytes may be stored under another name).

``ratings`` is a tuple and must not show at all; ``next_rating`` and ``next_rating_note`` are
never filled in: a template serves only a result whose next rating was kept."""

Template = tuple[bytes, list[tuple[int, int, str]]]
"""The stored line, and where each shown field's text is in it: (start, end, field)."""

_SENTINEL = "\x00lianchuang-{}:{}\x00"

_shapes: dict[Render, dict[str, bytes] | None] = {}

_ANCHOR = re.compile(rb'(?:\{|, |\x1f)(?:"[A-Za-z_][A-Za-z0-9_]*": )?\Z')
"""What may stand just before a field's text: the start of an object, a comma or the render
separator, then the field's key. JSON escapes quotes and control characters inside strings, so
this text can only be the line's own structure, never part of a value."""


def field_text(value: str) -> bytes:
    """A text field as JSON writes it (what ``shape`` checks the render function does)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", JSON_ESCAPE)


def shape(render: Render, sample: UnitResult) -> dict[str, bytes] | None:
    """The ``FIELDS`` that ``render`` shows, each with the text standing just before it, or None
    if it does not show each once, as JSON text after such an anchor (see the module)."""
    if render in _shapes:
        return _shapes[render]
    shown: dict[str, bytes] | None = None
    first: tuple[UnitResult, bytes] | None
    second: tuple[UnitResult, bytes] | None
    try:
        first = _probe(render, sample, "a")
        # Other sentinels, of another length: a field shown in any other way changes the rest.
        second = _probe(render, sample, "bb")
    except Exception:  # a render function that cannot take the probe gets no templates
        first = second = None
    if first is not None and second is not None:
        marked, line = first
        shown = {}
        slots: list[tuple[int, int, str]] = []
        for name in FIELDS:
            text = field_text(getattr(marked, name))
            start = line.find(text)
            if start < 0:
                continue
            anchor = _ANCHOR.search(line, 0, start)
            if anchor is None or line.find(text, start + 1) >= 0:
                shown = None
                break
            shown[name] = anchor.group()
            slots.append((start, start + len(text), name))
        if shown is not None and fill((line, sorted(slots)), second[0]) != second[1]:
            shown = None
    _shapes[render] = shown
    return shown


def _probe(render: Render, sample: UnitResult, tag: str) -> tuple[UnitResult, bytes]:
    """``sample`` with sentinels in ``FIELDS`` and ``ratings``, and its line."""
    marks: dict[str, Any] = {name: _SENTINEL.format(tag, name) for name in FIELDS}
    probe = dataclasses.replace(sample, ratings=(_SENTINEL.format(tag, "ratings"),), **marks)
    return probe, render(probe)


def make_template(line: bytes, result: UnitResult, shown: dict[str, bytes]) -> Template | None:
    """``line`` (``render(result)``) cut at each shown field's text; None when one is not unique."""
    slots: list[tuple[int, int, str]] = []
    for name, anchor in shown.items():
        text = anchor + field_text(getattr(result, name))
        found = line.find(text)
        if found < 0 or line.find(text, found + 1) >= 0:
            return None
        slots.append((found + len(anchor), found + len(text), name))
    slots.sort()
    for (_, end, _), (start, _, _) in pairwise(slots):
        if start < end:
            return None
    return line, slots


def fill(template: Template, result: UnitResult | UnitFacts) -> bytes:
    """The line of ``result``: the template with its fields' texts from ``result``."""
    line, slots = template
    parts: list[bytes] = []
    at = 0
    for start, end, name in slots:
        parts.append(line[at:start])
        parts.append(field_text(getattr(result, name)))
        at = end
    parts.append(line[at:])
    return b"".join(parts)


def encode_template(template: Template) -> tuple[bytes, str]:
    """The template as the cache stores it: the line, and its slots as JSON text."""
    line, slots = template
    return line, json.dumps(slots)


def decode_template(line: Any, slots_text: Any) -> Template | None:
    """A stored template, or None when it is malformed."""
    if not isinstance(line, bytes) or not isinstance(slots_text, str):
        return None
    try:
        slots = [(int(start), int(end), str(name)) for start, end, name in json.loads(slots_text)]
    except (ValueError, TypeError):
        return None
    at = 0
    for start, end, name in slots:
        if not at <= start <= end <= len(line) or name not in FIELDS:
            return None
        at = end
    return line, slots
