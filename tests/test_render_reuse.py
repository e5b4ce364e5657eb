"""Rendered lines re-used after re-rating: only where the render function is known to allow it."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from lianchuang_cli import render_reuse
from lianchuang_cli.grading import grade_file
from lianchuang_cli.reports.json_report import prerender
from lianchuang_cli.results import UnitResult
from tests.conftest import EXAMPLES

GRADED = sorted((EXAMPLES / "village").glob("*.yaml"))


def graded(path: Path) -> UnitResult:
    result = grade_file(path)
    assert isinstance(result, UnitResult)
    return result


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_filled_template_equals_rendering_the_changed_result(path: Path) -> None:
    """New file name, rubric identity and rating in the JSON line: as if rendered afresh."""
    result = graded(path)
    shown = render_reuse.shape(prerender, result)
    assert shown is not None
    assert set(shown) == {"file", "rubric_id", "rubric_version", "rubric_sha256", "rating"}
    template = render_reuse.make_template(prerender(result), result, shown)
    assert template is not None
    changed = dataclasses.replace(
        result,
        file='其他/"村".yaml',
        rubric_id="village2",
        rubric_title="新标题",
        rubric_version="2027.1",
        rubric_sha256="0" * 64,
        rating="良\\好",
    )
    assert render_reuse.fill(template, changed) == prerender(changed)
    line, slots = render_reuse.encode_template(template)
    assert render_reuse.decode_template(line, slots) == template


def test_render_functions_that_do_not_fit_get_no_shape() -> None:
    """A field written twice, or in another form than its JSON text, rules templates out."""
    result = graded(GRADED[0])

    def twice(r: UnitResult) -> bytes:
        return json.dumps({"a": r.rating, "b": r.rating}, ensure_ascii=False).encode()

    def upper(r: UnitResult) -> bytes:
        return json.dumps({"title": r.rubric_title.upper()}, ensure_ascii=False).encode()

    def inside(r: UnitResult) -> bytes:
        return json.dumps({"note": f"等级：{r.rating}"}, ensure_ascii=False).encode()

    def fails(r: UnitResult) -> bytes:
        raise ValueError(r.file)

    for render in (twice, upper, inside, fails):
        assert render_reuse.shape(render, result) is None, render.__name__


def test_a_field_text_found_twice_gets_no_template() -> None:
    """When the anchor and text of a field also stand elsewhere, the line is not cut."""
    result = graded(GRADED[0])
    shown = render_reuse.shape(prerender, result)
    assert shown is not None
    first = result.criteria[0]
    clash = dataclasses.replace(
        result, criteria=(dataclasses.replace(first, id=result.rubric_id), *result.criteria[1:])
    )
    assert render_reuse.make_template(prerender(clash), clash, shown) is None


def test_malformed_stored_templates_are_refused() -> None:
    """Slots out of the line, out of order, or naming another field are not used."""
    line = b'{"file": "a.yaml"}'
    assert render_reuse.decode_template(line, '[[9, 17, "file"]]') == (line, [(9, 17, "file")])
    for slots in (
        '[[9, 99, "file"]]',
        '[[9, 17, "score"]]',
        '[[9, 17, "file"], [1, 2, "file"]]',
        "{",
        "[1]",
    ):
        assert render_reuse.decode_template(line, slots) is None, slots
    assert render_reuse.decode_template("text", "[]") is None
