"""``lianchuang validate``: check evidence files without grading them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import EXIT_INPUT_ERROR, echo_problems, load_rubric_or_exit


@click.command(options_metavar="[选项]")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="文件...",
    type=click.Path(path_type=Path, readable=False),
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件。")
def validate(files: tuple[Path, ...], rubric_name: str | None) -> None:
    """只检查佐证材料的填写：逐条列出所有错误（文件:行:列，工作簿为 文件!工作表!单元格）。"""
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.grading import load_evidence

    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    bad = 0
    for path in files:
        try:
            load_evidence(path, rubric_path=rubric_path)
        except InputError as exc:
            bad += 1
            echo_problems(exc.problems)
            click.echo(f"{path}：发现{exc.total}处错误。", err=True)
        else:
            click.echo(f"{path}：填写正确。")
    if bad:
        sys.exit(EXIT_INPUT_ERROR)
