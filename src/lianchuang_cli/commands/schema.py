"""``lianchuang schema``: the JSON Schema of a rubric's evidence files, for YAML language servers."""

from __future__ import annotations

from pathlib import Path

import click

from lianchuang_cli.commands.common import load_rubric_or_exit
from lianchuang_cli.commands.output import check_output_path, emit, rubric_reads


@click.command(options_metavar="[选项]")
@click.argument("level", metavar="细则")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入此文件（UTF-8），而不是打印到屏幕。",
)
def schema(level: str, output: Path | None) -> None:
    """输出该细则佐证材料的 JSON Schema：编辑器（YAML 语言服务器）据此补全、检查填写。

    模板第一行“# yaml-language-server: $schema=细则-版本.schema.json”指向的就是它
    （版本见 lianchuang rubric show 细则），例如：

    \b
      lianchuang schema village -o village-版本.schema.json
    """
    from lianchuang_cli.reports.evidence_schema import render_schema

    loaded = load_rubric_or_exit(level)
    if output is not None:
        check_output_path(output, [loaded.path, *rubric_reads(None)])
    emit(render_schema(loaded.rubric), output)
    if output is not None:
        click.echo(f"已生成 JSON Schema：{output}")
