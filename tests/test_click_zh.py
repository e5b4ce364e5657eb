"""click in Chinese: help measured in terminal cells, Chinese punctuation in headings and errors."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from rich.cells import cell_len

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.click_zh import chinese_punctuation


def help_text(*args: str, width: int = 80) -> str:
    """The help of a command at a given terminal width."""
    # CliRunner fixes click's help width at 80 unless the context is given another.
    result = CliRunner().invoke(
        main, [*args, "--help"], prog_name="lianchuang", terminal_width=width
    )
    assert result.exit_code == 0
    return result.stdout


def option_rows(text: str) -> list[str]:
    """The lines of the 选项 section that start an option."""
    section = text.split("选项：\n", 1)[1]
    return [line for line in section.splitlines() if line.startswith("  -")]


@pytest.mark.parametrize("command", [[], ["score"], ["validate"], ["template"], ["rubric", "show"]])
@pytest.mark.parametrize("width", [60, 80, 120])
def test_help_aligns_chinese_metavars_and_fits(command: list[str], width: int) -> None:
    """Every option's description starts in the same cell column, and no line is too wide."""
    text = help_text(*command, width=width)
    starts = set()
    for row in option_rows(text):
        match = re.match(r"(  \S.*?\S)  +(\S)", row)
        if match and cell_len(match.group(1)) <= 32:
            starts.add(cell_len(row[: match.start(2)]))
    assert len(starts) <= 1, text
    # Only an option with its metavar may be wider: "--format [table|json|...]" is one piece.
    too_wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert all(line.startswith("  -") for line in too_wide), too_wide


def test_headings_and_usage_use_chinese_punctuation() -> None:
    """“用法：lianchuang …”, “选项：”, “命令：”; the default in Chinese brackets."""
    text = help_text()
    assert text.startswith("用法：lianchuang ")
    assert "\n选项：\n" in text
    assert "\n命令：\n" in text
    assert "选项:" not in text
    assert "（默认：table）" in help_text("score", width=200)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score"], "错误：缺少参数“文件...”。"),
        (["score", "--format", "xml", "x"], "错误：“--format”的取值无效：“xml”不是可选项之一："),
        (["scor"], "错误：没有命令“scor”。是否想写“score”？"),
        (["score", "--bogus", "x"], "错误：没有选项“--bogus”。"),
        (["score", "--fail-under", "abc", "x"], "错误：“--fail-under”的取值无效：“abc”不是数字"),
    ],
)
def test_usage_errors_read_as_chinese(args: list[str], expected: str) -> None:
    """click's own sentences get Chinese quotes and punctuation, and no English full stop."""
    result = CliRunner().invoke(main, args, prog_name="lianchuang")
    assert result.exit_code == 2
    error = next(line for line in result.stderr.splitlines() if line.startswith("错误："))
    assert error.startswith(expected), error
    assert "'" not in error


def test_chinese_punctuation_leaves_our_own_messages_alone() -> None:
    """Text that is already Chinese passes through unchanged."""
    message = "错误：找不到考评细则“nope”；内置细则：village，或给出细则文件路径"
    assert chinese_punctuation(message) == message


def test_click_itself_is_left_alone() -> None:
    """Issue 15.8: no click module's gettext is rebound and no click class is patched; the CLI
    speaks Chinese through its own context, formatter and command classes."""
    import gettext

    import click.core
    import click.exceptions
    import click.types

    from lianchuang_cli.commands.click_zh import ChineseContext, HelpFormatter

    CliRunner().invoke(main, ["scor"])  # whatever has run in this process
    for module in (click.core, click.exceptions, click.types):
        assert module._ is gettext.gettext
    assert click.Context.formatter_class is click.HelpFormatter
    assert ChineseContext.formatter_class is HelpFormatter
    assert "chinese" not in vars(click.UsageError.show)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "No such option: --bogus  Did you mean --rubric?",
            "没有选项“--bogus”。  是否想写--rubric？",
        ),
        ("Missing argument '文件...'.", "缺少参数 '文件...'."),
        (
            "Invalid value for '--jobs': 0 is not in the range x>=1.",
            "'--jobs'的取值无效：0不在范围x>=1内。",
        ),
        ("找不到考评细则“nope”", "找不到考评细则“nope”"),
    ],
)
def test_translate_maps_click_templates_back(english: str, chinese: str) -> None:
    """click's sentences, alone or joined, come back in the catalogue's Chinese; ours pass."""
    from lianchuang_cli.commands.click_zh import translate

    assert translate(english) == chinese
