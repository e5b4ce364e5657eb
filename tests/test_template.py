"""``template``: a skeleton with a comment above every entry that validates once filled in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.pipeline import load_evidence
from lianchuang_cli.grading.rubrics import load_rubric
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


def test_template_writes_its_schema_beside_and_never_over_anything(tmp_path: Path) -> None:
    """The schema the template's first line names is written beside it once; a link or a file
    already there is left alone (a dangling link is not written through)."""
    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main
    from lianchuang_cli.reports.evidence_schema import schema_file_name

    name = schema_file_name(load_rubric(RUBRICS / "village.yaml").rubric)
    first = CliRunner().invoke(main, ["template", "village", "-o", str(tmp_path / "a.yaml")])
    assert first.exit_code == 0, first.output
    assert f"已生成编辑器用的 JSON Schema：{tmp_path / name}" in first.output
    assert (tmp_path / name).read_text("utf-8").startswith("{")
    elsewhere = tmp_path / "别处" / "x.json"
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / name).symlink_to(elsewhere)
    second = CliRunner().invoke(main, ["template", "village", "-o", str(tmp_path / "b" / "a.yaml")])
    assert second.exit_code == 0, second.output
    assert "JSON Schema" not in second.output
    assert not elsewhere.exists()


def test_a_schema_that_cannot_be_written_is_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure writing the schema (a full disk, say) is said in Chinese on stderr; the template
    is still written, exit 0, and no partial schema is left."""
    import errno
    import os

    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main

    real_open = os.open

    def full_disk(path: str, flags: int, mode: int = 0o777) -> int:
        if str(path).endswith(".schema.json"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", full_disk)
    result = CliRunner().invoke(main, ["template", "village", "-o", str(tmp_path / "a.yaml")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "a.yaml").is_file()
    assert "未能生成编辑器用的 JSON Schema" in result.stderr
    assert "磁盘空间已满" in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["a.yaml"]
