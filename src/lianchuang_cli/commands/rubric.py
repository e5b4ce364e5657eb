"""``lianchuang rubric show``: display a rubric."""

from __future__ import annotations

import click

from lianchuang_cli.commands.common import color, load_rubric_or_exit, width


@click.group(options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def rubric() -> None:
    """查看考评细则。"""


@rubric.command("show", options_metavar="[选项]")
@click.argument("level", metavar="细则")
def rubric_show(level: str) -> None:
    """显示细则的考评项目、指标、分值、加扣分项和等级。"""
    from lianchuang_cli.reports.rubric_view import render_rubric

    loaded = load_rubric_or_exit(level)
    click.echo(render_rubric(loaded.rubric, width=width(), color=color()), nl=False)
