"""``lianchuang convert``: turn an evidence file into the other form (YAML ⇄ xlsx workbook)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_INPUT_ERROR,
    echo_problems,
    load_rubric_or_exit,
    rubric_loader,
)
from lianchuang_cli.commands.output import write_new_file


@click.command(options_metavar="[选项]")
@click.argument("file", metavar="文件", type=click.Path(path_type=Path))
@click.option(
    "--to",
    "target",
    type=click.Choice(["yaml", "xlsx"]),
    required=True,
    help="转换成 yaml 文本或 xlsx 工作簿。",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入此文件（默认：与原文件同名、换扩展名；已存在的文件不会被覆盖）。",
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件。")
def convert(file: Path, target: str, output: Path | None, rubric_name: str | None) -> None:
    """把佐证材料在 YAML 与 Excel 工作簿之间互相转换，内容不增不减。"""
    from lianchuang_cli.errors import InputError, Problem
    from lianchuang_cli.grading.pipeline import read_evidence, rubric_for

    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    source_form = "xlsx" if file.suffix.lower() in (".xlsx", ".xlsm") else "yaml"
    if source_form == target:
        raise click.UsageError(f"“{file}”已经是 {target} 格式；请用 --to 指定另一种格式")
    output = output or file.with_suffix(f".{target}")
    notes: list[Problem] = []
    try:
        doc = read_evidence(file)
        if doc.reading_problems:  # cells a workbook reader could not take would be lost
            raise InputError(doc.in_order(doc.reading_problems))
        loaded = rubric_for(doc, rubric_path=rubric_path, loader=rubric_loader())
        if target == "xlsx":
            from lianchuang_cli.reports.xlsx_template import render_workbook

            content = render_workbook(loaded.rubric, doc, notes=notes, name=str(output))
        else:
            from lianchuang_cli.reports.evidence_yaml import render_evidence_yaml

            text = render_evidence_yaml(doc.data, rubric=loaded.rubric, source=file.name)
            content = text.encode("utf-8")
    except InputError as exc:
        echo_problems(exc.problems)
        click.echo(f"{file}：无法转换，发现{len(exc.problems)}处错误。", err=True)
        sys.exit(EXIT_INPUT_ERROR)
    write_new_file(output, content)
    echo_problems(notes)
    click.echo(f"已转换：{output}")
