"""``lianchuang diff``: compare two rubric versions, and what the change does to a corpus."""

from __future__ import annotations

from pathlib import Path

import click

from lianchuang_cli.commands.common import color, load_rubric_or_exit, width

FORMATS = ("table", "json", "markdown")


@click.command(options_metavar="[选项]")
@click.argument("old", metavar="旧细则")
@click.argument("new", metavar="新细则")
@click.option(
    "--corpus",
    multiple=True,
    metavar="文件夹",
    type=click.Path(exists=True, path_type=Path),
    help="用两版细则分别给此文件夹（含子文件夹）中的材料评分并比较（可重复）。",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="输出格式：table 表格；json 供程序读取；markdown 可贴到代码评审中。",
)
def diff(old: str, new: str, corpus: tuple[Path, ...], output_format: str) -> None:
    """比较两版考评细则：新增、删除、分值和规则调整、等级变化。

    \b
    给出 --corpus 时，用两版细则分别评分，列出等级变化矩阵、分数变化最大的单位
    及其原因、各项变化的总影响。退出码：0 比较完成；2 细则有误或无法读取。
    """
    from lianchuang_cli.diffing.corpus import corpus_files, diff_corpus
    from lianchuang_cli.diffing.structure import diff_rubrics
    from lianchuang_cli.reports.diff_view import (
        render_diff_json,
        render_diff_markdown,
        render_diff_table,
    )

    before = load_rubric_or_exit(old)
    after = load_rubric_or_exit(new)
    structure = diff_rubrics(before.rubric, after.rubric)
    effect = diff_corpus(before, after, corpus_files(corpus)) if corpus else None
    if output_format == "json":
        text = render_diff_json(structure, effect)
    elif output_format == "markdown":
        text = render_diff_markdown(structure, effect)
    else:
        text = render_diff_table(structure, effect, width=width(), color=color())
    click.echo(text, nl=False)
