"""Every rule kind describes itself, and every form built from those descriptions takes it in."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any, get_args

import jsonschema
import openpyxl
import pytest
from pydantic import BaseModel

from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model import fast_path
from lianchuang_cli.model.rubric import Indicator, Rubric
from lianchuang_cli.model.rules import RULE_CLASS_BY_KIND, RULE_CLASSES, RULE_KIND_NAMES, RuleBase
from lianchuang_cli.model.rules.base import QuickRead
from lianchuang_cli.reading.xlsx_reader import parse_workbook
from lianchuang_cli.reading.yaml_reader import parse_yaml
from lianchuang_cli.reports.evidence_schema import evidence_schema
from lianchuang_cli.reports.xlsx_template import render_workbook
from tests.conftest import ROOT, RUBRICS
from tests.xlsx_fill import columns, rows_by_id

DECLARED = ("kind_name", "value_schema", "cells", "quick_read", "cell_checks")
"""What a kind must declare itself: RuleBase has no default for these."""


def _samples() -> dict[str, tuple[Rubric, Indicator]]:
    """One indicator of each rule kind from the shipped rubrics."""
    found: dict[str, tuple[Rubric, Indicator]] = {}
    for path in sorted(RUBRICS.glob("*.yaml")):
        rubric = load_rubric(path).rubric
        for _, indicator in rubric.indicators():
            found.setdefault(indicator.rule.kind, (rubric, indicator))
    return found


SAMPLES = _samples()


def test_the_shipped_rubrics_use_every_kind() -> None:
    """The loops below see every registered kind through a real indicator."""
    assert set(SAMPLES) == set(RULE_CLASS_BY_KIND) == set(RULE_KIND_NAMES)
    assert len(RULE_CLASSES) == len(RULE_CLASS_BY_KIND)


@pytest.mark.parametrize("rule_class", RULE_CLASSES, ids=lambda c: c.__name__)
def test_a_kind_declares_everything_itself(rule_class: type[RuleBase]) -> None:
    """Name, value schema, workbook cells and their validation, fast reading: on the kind itself."""
    own = [c for c in rule_class.__mro__ if issubclass(c, RuleBase) and c is not RuleBase]
    for name in DECLARED:
        assert any(name in vars(c) for c in own), f"{rule_class.__name__} 缺少 {name}"
    assert rule_class.kind_name
    assert rule_class.quick_read in get_args(QuickRead)
    cells = rule_class.cells
    assert cells.inputs
    assert set(cells.inputs) <= set(layout.INDICATOR_COLUMNS)
    assert set(cells.field_columns.values()) <= set(cells.inputs)
    if cells.fields and layout.COL_VALUE not in cells.field_columns.values():
        assert cells.misplaced  # what to say about a value typed in 填写值 instead


def test_kind_names_are_distinct() -> None:
    """Each kind's Chinese name reads back to the kind in a workbook's 评分方式 column."""
    assert len(set(RULE_KIND_NAMES.values())) == len(RULE_KIND_NAMES)
    assert {layout.KINDS_BY_NAME[name] for name in RULE_KIND_NAMES.values()} == set(RULE_KIND_NAMES)


@pytest.mark.parametrize("kind", sorted(RULE_KIND_NAMES))
def test_a_kind_has_hints_checks_and_a_memo_key(kind: str) -> None:
    """Fill hints in both forms; validation on its input cells only; equal values, equal keys."""
    _, indicator = SAMPLES[kind]
    rule = indicator.rule
    assert rule.value_hint
    assert rule.cell_hint(indicator.points)
    checks = rule.cell_checks(indicator.points)
    assert checks
    assert {c.column for c in checks} <= set(rule.cells.inputs)
    numbers = {f.column for f in rule.cells.fields if f.reading != "text"}
    if rule.cells.value_cell:
        numbers.add(layout.COL_VALUE)
    assert numbers <= {c.column for c in checks}
    value = _example(rule, indicator)
    key = rule.value_key(value)
    assert key == rule.value_key(_example(rule, indicator))
    if key is not None:
        hash(key)


def _example(rule: Any, indicator: Indicator) -> Any:
    """The kind's own example, validated as evidence checking would."""
    text = f"value: {rule.example(indicator.points)}\n"
    return rule.value_schema.validate_python(parse_yaml(text, name="x.yaml").data["value"])


def _filled_workbook(rubric: Rubric, kinds: list[str]) -> bytes:
    lines = [
        f"rubric: {rubric.id}",
        "unit: {name: 测试党支部, code: '01', year: 2026}",
        "indicators:",
    ]
    for kind in kinds:
        _, indicator = SAMPLES[kind]
        lines.append(f"  {indicator.id}: {{value: {indicator.rule.example(indicator.points)}}}")
    return render_workbook(rubric, parse_yaml("\n".join(lines) + "\n", name="x.yaml"))


def _by_rubric() -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for kind, (rubric, _) in SAMPLES.items():
        grouped.setdefault(rubric.id, []).append(kind)
    return grouped


@pytest.mark.parametrize(("rubric_id", "kinds"), sorted(_by_rubric().items()))
def test_each_kinds_example_survives_the_workbook(rubric_id: str, kinds: list[str]) -> None:
    """Written into a filled template and read back, each kind's example is the same value."""
    rubric = SAMPLES[kinds[0]][0]
    raw = _filled_workbook(rubric, kinds)
    read = parse_workbook(raw, name="x.xlsx")
    assert not read.reading_problems
    sheet = openpyxl.load_workbook(io.BytesIO(raw))[layout.SHEET_INDICATORS]
    cols, rows = columns(sheet), rows_by_id(sheet)
    for kind in kinds:
        _, indicator = SAMPLES[kind]
        rule = indicator.rule
        value = read.data["indicators"][indicator.id]["value"]
        assert rule.value_schema.validate_python(value) == _example(rule, indicator), kind
        where = read.location(["indicators", indicator.id, "value"])
        assert where.line == rows[indicator.id]
        assert where.column in {cols[c] for c in rule.cells.inputs}, kind


@pytest.mark.parametrize("kind", sorted(RULE_KIND_NAMES))
def test_each_kinds_example_fits_its_schema_and_fast_reader(kind: str) -> None:
    """The JSON Schema for editors accepts the example; the fast reader reads it or declines."""
    rubric, indicator = SAMPLES[kind]
    schema = evidence_schema(rubric)["properties"]["indicators"]["properties"][indicator.id]
    text = f"value: {indicator.rule.example(indicator.points)}\n"
    raw = parse_yaml(text, name="x.yaml").data["value"]
    jsonschema.validate({"value": _plain(raw)}, schema)
    read = fast_path.reader(indicator)({"value": raw})
    assert read is fast_path.DECLINED or read == _example(indicator.rule, indicator)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return float(value) if isinstance(value, Decimal) else value


def test_readme_lists_every_kind_with_its_name() -> None:
    """README's table of rule kinds has one row per registered kind, in order, with its name."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| kind | 名称（“评分方式”）") :].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+?) \|", table, flags=re.MULTILINE)
    assert rows == list(RULE_KIND_NAMES.items())


@pytest.mark.parametrize("kind", sorted(RULE_KIND_NAMES))
def test_a_kind_says_whether_it_scores_a_figure_from_below(kind: str) -> None:
    """A linked figure becomes a value the kind's own schema takes; other kinds are refused."""
    _, indicator = SAMPLES[kind]
    rule = indicator.rule
    data = indicator.model_dump(mode="json", exclude_none=True)
    data["linked"] = {"figure": "share_rated", "of": "village"}
    if not rule.scores_figures:
        with pytest.raises(ValueError, match=f"不能用“{rule.kind_name}”评分"):
            Indicator.model_validate(data)
        return
    assert Indicator.model_validate(data).linked is not None
    for part, whole in ((None, None), (2, 3)):
        value = rule.figure_value(Decimal("66.67"), part, whole, Decimal(50))
        plain = value.model_dump() if isinstance(value, BaseModel) else value
        assert rule.value_schema.validate_python(plain) == value
        assert rule.check_value(value, indicator.points) is None
    assert rule.compares_previous == (kind == "change")
    assert rule.not_applicable_without_previous() == (
        kind == "change" and getattr(rule, "without_previous") == "not_applicable"  # noqa: B009
    )
