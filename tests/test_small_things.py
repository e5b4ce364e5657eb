"""Issue 16.10, small things a new user hits: where findings go, titles, hints, help, diff labels."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import COMMANDS, main
from lianchuang_cli.commands.common import EXIT_INPUT_ERROR
from lianchuang_cli.diffing.corpus import FLOOR, ROUNDING, SCALING, _rest_label
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports.text_layout import break_lines
from lianchuang_cli.scoring.results import UnitResult
from tests.conftest import EXAMPLES

LIUXI = EXAMPLES / "village" / "liuxi_almost_excellent.yaml"
QINGSHAN = EXAMPLES / "village" / "qingshan_not_applicable.yaml"


def run(*args: str, width: int = 80) -> Result:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), terminal_width=width, catch_exceptions=False)


def test_validate_findings_go_to_stdout() -> None:
    """``validate x > 错误.txt`` keeps the findings (they went to stderr); the exit code is 2."""
    result = run("validate", str(EXAMPLES / "invalid" / "duplicate_key.yaml"))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "duplicate_key.yaml:43:5: 错误 [duplicate-key]" in result.stdout
    assert "发现2处错误" in result.stdout
    assert result.stderr == ""


def test_markdown_of_one_file_is_its_score_sheet() -> None:
    """``score one.yaml --format markdown`` was titled 批量评分汇总 and had no details."""
    text = run("score", str(LIUXI), "--format", "markdown").stdout
    assert text.startswith("# 柳溪村党支部（0571030503）")
    assert "批量评分汇总" not in text
    for part in ("**总分 96.84 / 100**", "## 各项得分", "## 差距（按失分从多到少）", "升级："):
        assert part in text
    assert "| 主导产业 | 第133行 | 2 |" in text
    two = run("score", str(LIUXI), str(QINGSHAN), "--format", "markdown").stdout
    assert two.count("## 各项得分") == 2
    assert "# 批量评分汇总" in two
    assert "## 缺项（请逐项复核）" in two


def test_template_hint_keeps_the_example_whole() -> None:
    """The hint read ``如“--output”桃源村.xlsx``: the example option and its value stay together."""
    result = run("template", "village", "--format", "xlsx")
    assert result.exit_code == 2
    assert "如“--output 桃源村.xlsx”" in result.stderr


def _every_help() -> list[list[str]]:
    return [[], *([name] for name in COMMANDS), ["rubric", "show"]]


@pytest.mark.parametrize("command", _every_help(), ids=lambda c: " ".join(c) or "lianchuang")
def test_help_has_no_english_extras(command: list[str]) -> None:
    """click's ``[x>=1]``, ``[required]`` and ``[default: …]`` appear in Chinese."""
    text = run(*command, "--help", width=200).stdout
    assert not re.search(r"\[(?:x[<>]|\d+<|required|default|env var)", text), text
    assert "required" not in text


def test_help_extras_in_chinese() -> None:
    """The range and the required flag read in Chinese next to the option."""
    assert "（不小于1）" in run("batch", "--help", width=200).stdout
    assert "（必填）" in run("convert", "--help", width=200).stdout


def _graded(path: Path) -> UnitResult:
    result = grade_file(path)
    assert isinstance(result, UnitResult)
    return result


def test_diff_names_what_moved_the_rest_of_a_total() -> None:
    """“缺项折算与最低分” was shown where neither applied; now the label says which did."""
    liuxi, qingshan = _graded(LIUXI), _graded(QINGSHAN)
    assert not liuxi.scaled
    assert not liuxi.floor_applied
    assert _rest_label(liuxi, liuxi) == ROUNDING
    assert qingshan.scaled
    assert _rest_label(qingshan, qingshan) == SCALING
    assert FLOOR not in _rest_label(qingshan, qingshan)


def test_paths_break_after_separators_not_inside_names() -> None:
    """``diff`` cut ``examples/vi|llage/baish|ui_failing.yaml``: paths break at / and _ first."""
    lines = break_lines("examples/village/baishui_failing.yaml", 14)
    assert lines == ["examples/", "village/", "baishui_", "failing.yaml"]
