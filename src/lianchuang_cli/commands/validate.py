"""``lianchuang validate``: check evidence files without grading them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import EXIT_INPUT_ERROR, load_rubric_or_exit


@click.command(options_metavar="[选项]")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="文件...",
    type=click.Path(path_type=Path, readable=False),
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件。")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "github", "junit"]),
    default="text",
    show_default=True,
    help="输出格式：text 逐条列出；github 工作流注释；junit 测试报告 XML。",
)
def validate(files: tuple[Path, ...], rubric_name: str | None, output_format: str) -> None:
    """只检查佐证材料的填写：逐条列出所有错误（文件:行:列，工作簿为 文件!工作表!单元格）。"""
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.grading import load_evidence
    from lianchuang_cli.reports.problems import PROBLEM_FORMATS, CheckedFile
    from lianchuang_cli.reports.table import render_problems

    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    checked: list[CheckedFile] = []
    for path in files:
        try:
            load_evidence(path, rubric_path=rubric_path)
        except InputError as exc:
            checked.append(CheckedFile(str(path), tuple(exc.problems)))
            if output_format == "text":
                # The findings are the product (as in yamllint): on stdout, so that
                # ``validate x > 错误.txt`` keeps them; the exit code still says 2.
                click.echo(render_problems(exc.problems), nl=False)
                click.echo(f"{path}：发现{exc.total}处错误。")
        else:
            checked.append(CheckedFile(str(path), ()))
            if output_format == "text":
                click.echo(f"{path}：填写正确。")
    if output_format != "text":
        click.echo(PROBLEM_FORMATS[output_format](checked), nl=False)
    if any(f.problems for f in checked):
        sys.exit(EXIT_INPUT_ERROR)
