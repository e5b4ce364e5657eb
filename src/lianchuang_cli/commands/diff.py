"""``lianchuang diff``: compare two rubric versions, and what the change does to a corpus."""

from __future__ import annotations

from pathlib import Path

import click

from lianchuang_cli.commands.common import color, load_rubric_or_exit, width
from lianchuang_cli.commands.output import check_output_path, emit, output_option, rubric_reads
from lianchuang_cli.reports.registry import DIFF_FORMATS, format_help


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
    type=click.Choice(list(DIFF_FORMATS)),
    default="table",
    show_default=True,
    help=format_help(DIFF_FORMATS),
)
@output_option
def diff(
    old: str, new: str, corpus: tuple[Path, ...], output_format: str, output: Path | None
) -> None:
    """比较两版考评细则：新增、删除、分值和规则调整、等级变化。

    \b
    给出 --corpus 时，用两版细则分别评分，列出等级变化矩阵、分数变化最大的单位
    及其原因、各项变化的总影响。退出码：0 比较完成；2 细则有误或无法读取。
    """
    from lianchuang_cli.diffing.corpus import corpus_files, diff_corpus
    from lianchuang_cli.diffing.structure import diff_rubrics
    from lianchuang_cli.reports.wording import rubric_name

    before = load_rubric_or_exit(old)
    after = load_rubric_or_exit(new)
    files = corpus_files(corpus) if corpus else []
    if output is not None:
        check_output_path(output, [before.path, after.path, *files, *rubric_reads(None)])
    labels = tuple(
        rubric_name(loaded.rubric.id, loaded.rubric.version, loaded.sha256)
        for loaded in (before, after)
    )
    structure = diff_rubrics(before.rubric, after.rubric, labels=(labels[0], labels[1]))
    effect = diff_corpus(before, after, files) if corpus else None
    render = DIFF_FORMATS[output_format]
    emit(render(structure, effect, width=width(), color=color() and output is None), output)
