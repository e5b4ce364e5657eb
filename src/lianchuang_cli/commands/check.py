"""``lianchuang check``: lint rubric files (and re-grade examples against their expected results)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR

FORMATS = ("text", "github", "junit")


def rubric_files(paths: tuple[Path, ...]) -> list[Path]:
    """The rubric files named, with folders expanded to their ``*.yaml``/``*.yml`` files."""
    from lianchuang_cli.model.rubric import shipped_rubrics_dir

    found: list[Path] = []
    for path in paths or (shipped_rubrics_dir(),):
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml")))
        else:
            found.append(path)
    return found


@click.command(options_metavar="[选项]")
@click.argument(
    "paths",
    nargs=-1,
    metavar="[细则文件或文件夹]...",
    type=click.Path(exists=True, path_type=Path),
)
@click.option("--strict", is_flag=True, help="警告也算不通过（退出码1）。")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="输出格式：text 每行一处问题；github 工作流注释；junit 测试报告 XML。",
)
def check(paths: tuple[Path, ...], strict: bool, output_format: str) -> None:
    """检查考评细则：分值合计、评分规则、等级、编号等，逐条列出问题（文件:行:列）。

    \b
    不给路径时检查全部内置细则。
    退出码：0 没有问题；1 发现问题（--strict 时警告也算）；2 无法检查。
    """
    from lianchuang_cli.lint.engine import lint_file
    from lianchuang_cli.reports.problems import PROBLEM_FORMATS, CheckedFile, failing

    files = rubric_files(paths)
    if not files:
        click.echo("没有找到细则文件（*.yaml）。", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    checked = [CheckedFile(str(path), lint_file(path).problems) for path in files]
    click.echo(PROBLEM_FORMATS[output_format](checked, strict=strict), nl=False)
    problems = [p for f in checked for p in f.problems]
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(
        f"检查了{len(checked)}个细则文件：错误{errors}处，警告{warnings}处。",
        err=True,
    )
    if any(failing(p, strict=strict) for p in problems):
        sys.exit(EXIT_GATE_FAILED)
