"""``lianchuang template``: write an evidence template for a rubric (YAML text or an xlsx workbook)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from lianchuang_cli.commands.common import echo_problems, load_rubric_or_exit
from lianchuang_cli.commands.output import write_new_file

if TYPE_CHECKING:
    from lianchuang_cli.errors import Problem
    from lianchuang_cli.model.rubric import Rubric


@click.command(options_metavar="[选项]")
@click.argument("level", metavar="细则")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["yaml", "xlsx"]),
    default="yaml",
    show_default=True,
    help="yaml 文本模板；xlsx 供 Excel/WPS 填写的工作簿（须配合 --output）。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入此文件，而不是打印到屏幕。",
)
def template(level: str, output_format: str, output: Path | None) -> None:
    """生成佐证材料模板（细则可以是 village 等内置细则，或细则文件路径）。"""
    rubric = load_rubric_or_exit(level).rubric
    notes: list[Problem] = []
    if output_format == "xlsx":
        if output is None:
            raise click.UsageError(
                "生成 xlsx 工作簿时请用 --output 指定文件名，如“--output 桃源村.xlsx”"
            )
        from lianchuang_cli.reports.xlsx_template import render_workbook

        content: bytes = render_workbook(rubric, notes=notes, name=str(output))
    else:
        from lianchuang_cli.reports.template import render_template

        text = render_template(rubric)
        if output is None:
            click.echo(text, nl=False)
            return
        content = text.encode("utf-8")
    write_new_file(output, content)
    echo_problems(notes)
    click.echo(f"已生成模板：{output}")
    if output_format == "yaml":
        write_schema_beside(output, rubric)


def write_schema_beside(output: Path, rubric: Rubric) -> None:
    """Write the JSON Schema the YAML template's first line names, unless it is already there."""
    from lianchuang_cli.reports.evidence_schema import render_schema, schema_file_name

    schema_path = output.parent / schema_file_name(rubric)
    if schema_path.exists():
        return
    try:
        schema_path.write_text(render_schema(rubric), encoding="utf-8")
    except OSError:
        return  # the template is written; editors simply go without completion
    click.echo(f"已生成编辑器用的 JSON Schema：{schema_path}")
