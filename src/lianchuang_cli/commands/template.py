"""``lianchuang template``: write an evidence template for a rubric (YAML text or an xlsx workbook)."""

from __future__ import annotations

import contextlib
import os
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
    """Write the JSON Schema the YAML template's first line names, unless something is already
    there (a file, a link, a device: never written over). A failure is said, not hidden: the
    template is written and only the editor's completion is missing."""
    from lianchuang_cli.reports.evidence_schema import render_schema, schema_file_name

    schema_path = output.parent / schema_file_name(rubric)
    if os.path.lexists(schema_path):
        return
    content = render_schema(rubric).encode("utf-8")
    try:
        # O_EXCL: nothing created there in the meantime (not even a link) is written through.
        descriptor = os.open(schema_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        _schema_not_written(schema_path, exc)
        return
    try:
        with open(descriptor, "wb") as stream:
            stream.write(content)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(schema_path)  # no half-written schema
        _schema_not_written(schema_path, exc)
        return
    click.echo(f"已生成编辑器用的 JSON Schema：{schema_path}")


def _schema_not_written(path: Path, exc: OSError) -> None:
    from lianchuang_cli.errors import os_reason
    from lianchuang_cli.reports.escaping import shown

    click.echo(
        f"提示：未能生成编辑器用的 JSON Schema“{shown(str(path))}”（{os_reason(exc)}）；模板已生成，"
        "只是编辑器没有自动补全，可用 lianchuang schema 命令另行生成。",
        err=True,
    )
