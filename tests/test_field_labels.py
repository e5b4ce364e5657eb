"""Messages name fields in Chinese, say plainly what a file should contain, and invent no position."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.model.field_labels import field_label
from lianchuang_cli.model.rules import RULE_KIND_NAMES, RULE_KINDS


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("unit", "name"), "单位名称（name）"),
        (("unit", "year"), "考评年度（year）"),
        (("rubric",), "考评细则（rubric）"),
        (("indicators", "team_study", "self_score"), "自评分（self_score）"),
        (("criteria", 0, "name"), "名称（name）"),
        (("indicators", "x", "mystery"), "“mystery”"),
    ],
)
def test_field_label(loc: tuple[str | int, ...], expected: str) -> None:
    """The Chinese label with the key beside it; a key without a label is quoted as it is."""
    assert field_label(loc) == expected


def validate(tmp_path: Path, text: str) -> str:
    """What ``validate`` prints about a file with ``text``."""
    path = tmp_path / "材料.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    return result.stdout


def test_empty_unit_name_is_named_in_chinese(tmp_path: Path) -> None:
    """“单位名称（name）未填写”, not “name”未填写."""
    text = 'rubric: village\nunit:\n  name: ""\n  code: "1"\n  year: 2026\n'
    assert ":3:9: 错误: 单位名称（name）未填写" in validate(tmp_path, text)


def test_missing_unit_name_is_named_in_chinese(tmp_path: Path) -> None:
    """A missing required key is named by its label too."""
    text = 'rubric: village\nunit:\n  code: "1"\n  year: 2026\n'
    assert "缺少必填项：单位名称（name）" in validate(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("", "文件是空的；"),
        ("- a\n", "整个文件是一个列表"),
        ("hello\n", "整个文件只有一个值“hello”"),
    ],
)
def test_a_file_that_is_not_key_value_lines_says_what_it_should_hold(
    tmp_path: Path, text: str, opening: str
) -> None:
    """No jargon ("顶层应为映射"): what the file is, and what it should contain."""
    shown = validate(tmp_path, text)
    assert opening in shown
    assert "所用细则（rubric）、考评对象（unit）和各项指标（indicators）" in shown
    assert "映射" not in shown


def test_a_missing_file_has_no_made_up_position(tmp_path: Path) -> None:
    """“path: 错误: 文件不存在…”, not “path:1:1: …”."""
    missing = tmp_path / "没有.yaml"
    result = CliRunner().invoke(main, ["validate", str(missing)])
    assert result.exit_code == 2
    assert f"{missing}: 错误: 文件不存在" in result.stdout


def test_rubric_show_names_rule_kinds_in_chinese() -> None:
    """Every rule kind has a Chinese name, and ``rubric show`` prints it, not the English kind."""
    assert set(RULE_KIND_NAMES) == set(RULE_KINDS)
    result = CliRunner().invoke(main, ["rubric", "show", "village"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for kind in ("count", "judgement", "percentage", "tiers"):
        assert f"　{kind}" not in result.stdout
        assert RULE_KIND_NAMES[kind] in result.stdout
