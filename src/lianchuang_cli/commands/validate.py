"""``lianchuang validate``: check evidence files without grading them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import EXIT_INPUT_ERROR, load_rubric_or_exit, rubric_loader
from lianchuang_cli.commands.output import check_output_path, emit, output_option
from lianchuang_cli.reports.registry import VALIDATE_FORMATS, format_help


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
    type=click.Choice(list(VALIDATE_FORMATS)),
    default="text",
    show_default=True,
    help=format_help(VALIDATE_FORMATS),
)
@output_option
def validate(
    files: tuple[Path, ...], rubric_name: str | None, output_format: str, output: Path | None
) -> None:
    """只检查佐证材料的填写：逐条列出所有错误（文件:行:列，工作簿为 文件!工作表!单元格）。"""
    from lianchuang_cli.commands.output import rubric_reads
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.grading.pipeline import load_evidence
    from lianchuang_cli.reports.problems import CheckedFile

    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    if output is not None:
        check_output_path(output, [*files, *rubric_reads(rubric_path)])
    checked: list[CheckedFile] = []
    for path in files:
        try:
            load_evidence(path, rubric_path=rubric_path, loader=rubric_loader())
        except InputError as exc:
            checked.append(CheckedFile(str(path), tuple(exc.problems), total=exc.total))
        else:
            checked.append(CheckedFile(str(path), ()))
    # The findings are the product (as in yamllint): on stdout or in the output file, so that
    # ``validate x > 错误.txt`` keeps them; the exit code still says 2.
    emit(VALIDATE_FORMATS[output_format](checked), output)
    if any(f.problems for f in checked):
        sys.exit(EXIT_INPUT_ERROR)
