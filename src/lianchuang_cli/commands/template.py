"""``lianchuang template``: write an evidence template for a rubric."""

from __future__ import annotations

from pathlib import Path

import click

from lianchuang_cli.commands.common import load_rubric_or_exit


@click.command(options_metavar="[选项]")
@click.argument("level", metavar="细则")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入此文件（UTF-8），而不是打印到屏幕。",
)
def template(level: str, output: Path | None) -> None:
    """生成佐证材料模板（细则可以是 village 等内置细则，或细则文件路径）。"""
    from lianchuang_cli.reports.template import render_template

    text = render_template(load_rubric_or_exit(level).rubric)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise click.UsageError(f"文件“{output}”已存在；为避免覆盖，请换一个文件名")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"无法写入“{output}”（{exc.strerror}）") from None
    click.echo(f"已生成模板：{output}")
