"""``lianchuang rubric show``: display a rubric."""

from __future__ import annotations

from pathlib import Path

import click

from lianchuang_cli.commands.common import color, load_rubric_or_exit, width
from lianchuang_cli.commands.output import check_output_path, emit, output_option, rubric_reads


@click.group(options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def rubric() -> None:
    """查看考评细则。"""


@rubric.command("show", options_metavar="[选项]")
@click.argument("level", metavar="细则")
@output_option
def rubric_show(level: str, output: Path | None) -> None:
    """显示细则的考评项目、指标、分值、加扣分项和等级。"""
    from lianchuang_cli.reports.rubric_view import render_rubric

    loaded = load_rubric_or_exit(level)
    if output is not None:
        check_output_path(output, [loaded.path, *rubric_reads(None)])
    emit(render_rubric(loaded.rubric, width=width(), color=color() and output is None), output)
