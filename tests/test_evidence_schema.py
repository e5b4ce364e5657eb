"""The evidence JSON Schema: shipped examples pass it, broken ones fail where the tool fails."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.model.rubric import resolve_rubric, shipped_rubric_ids
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.evidence_schema import evidence_schema
from tests.conftest import EXAMPLES


def schema_of(rubric_id: str) -> dict[str, Any]:
    """The schema of a shipped rubric."""
    return evidence_schema(load_rubric(resolve_rubric(rubric_id)).rubric)


@pytest.mark.parametrize("rubric_id", shipped_rubric_ids())
def test_schema_is_valid_json_schema(rubric_id: str) -> None:
    """Each shipped rubric's schema is itself a valid 2020-12 schema naming every indicator."""
    schema = schema_of(rubric_id)
    jsonschema.Draft202012Validator.check_schema(schema)
    rubric = load_rubric(resolve_rubric(rubric_id)).rubric
    assert set(schema["properties"]["indicators"]["properties"]) == {
        i.id for _, i in rubric.indicators()
    }


@pytest.mark.parametrize(
    "path", sorted((EXAMPLES / "village").glob("*.yaml")), ids=lambda p: p.stem
)
def test_valid_examples_pass(path: Path) -> None:
    """What the tool accepts, the editor does not underline."""
    data = read_yaml(path).data
    jsonschema.validate(data, schema_of(data["rubric"]))


@pytest.mark.parametrize(
    "name", ["unknown_key_yes_no", "wrong_value_types", "misspelt_indicator_id"]
)
def test_broken_examples_fail(name: str) -> None:
    """Unknown keys, wrong types, bad choices and misspelt ids are caught while typing."""
    data = read_yaml(EXAMPLES / "invalid" / f"{name}.yaml").data
    validator = jsonschema.Draft202012Validator(schema_of("village"))
    assert list(validator.iter_errors(data))


def test_values_carry_choices_ranges_and_chinese() -> None:
    """A choice lists its options, a bounded number its range, each entry its Chinese name."""
    indicators = schema_of("village")["properties"]["indicators"]["properties"]
    appraisal = indicators["secretary_appraisal"]
    assert "优秀" in appraisal["properties"]["value"]["enum"]
    assert appraisal["title"] == "书记年度考核（3分）"
    approval = indicators["secretary_approval"]["properties"]["value"]
    assert (approval["type"], approval["minimum"], approval["maximum"]) == ("number", 0.0, 100.0)


def test_schema_command(tmp_path: Path) -> None:
    """schema prints JSON, or writes it with -o."""
    printed = CliRunner().invoke(main, ["schema", "village"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["properties"]["rubric"] == {
        "const": "village",
        "description": "所用考评细则",
    }
    target = tmp_path / "s.json"
    assert CliRunner().invoke(main, ["schema", "township", "-o", str(target)]).exit_code == 0
    assert (
        json.loads(target.read_text(encoding="utf-8"))["properties"]["rubric"]["const"]
        == "township"
    )
