"""``template``: a skeleton with a comment above every entry that validates once filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lianchuang_cli.errors import InputError
from lianchuang_cli.grading import load_evidence
from lianchuang_cli.model.rubric import load_rubric
from lianchuang_cli.reports.template import render_template
from tests.conftest import MINI_RUBRIC, RUBRICS

RUBRIC_FILES = [*sorted(RUBRICS.glob("*.yaml")), MINI_RUBRIC]


def fill(template: str, rubric_path: Path) -> str:
    """Fill a template as a user would: the unit, and each value with its example."""
    rubric = load_rubric(rubric_path).rubric
    text = template
    for field, value in (("name", "桃源村党支部"), ("code", "0571001"), ("township", "桃源镇")):
        text = text.replace(f'  {field}: ""', f"  {field}: {value}", 1)
    for _, indicator in rubric.indicators():
        example = indicator.rule.example(indicator.points)
        if indicator.rule.kind == "judgement":
            example = example.replace('reason: ""', 'reason: "已核实"')
        marker = f"  {indicator.id}:\n    value:"
        assert marker in text
        text = text.replace(marker, f"{marker} {example}", 1)
    return text


@pytest.mark.parametrize("rubric_path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_filled_template_validates(rubric_path: Path, tmp_path: Path) -> None:
    """Every indicator appears with a comment; filled in, the file validates and scores."""
    rubric = load_rubric(rubric_path).rubric
    template = render_template(rubric)
    for _, indicator in rubric.indicators():
        assert f"# {indicator.name}（" in template
        assert f"评分标准：{indicator.requirement}" in template
    path = tmp_path / "filled.yaml"
    path.write_text(fill(template, rubric_path), encoding="utf-8")
    loaded, evidence = load_evidence(path, rubric_path=rubric_path)
    assert set(evidence.values) == set(loaded.indicator_index)
    assert evidence.unit.code == "0571001"


@pytest.mark.parametrize("rubric_path", RUBRIC_FILES, ids=lambda p: p.stem)
def test_unfilled_template_lists_every_missing_value(rubric_path: Path, tmp_path: Path) -> None:
    """An untouched template parses, and validation names every value still to fill."""
    rubric = load_rubric(rubric_path).rubric
    template = render_template(rubric)
    assert isinstance(yaml.safe_load(template), dict)
    path = tmp_path / "blank.yaml"
    path.write_text(template, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_evidence(path, rubric_path=rubric_path)
    messages = [p.message for p in caught.value.problems]
    unfilled = [m for m in messages if "未填写 value" in m]
    assert len(unfilled) == sum(1 for _ in rubric.indicators())
