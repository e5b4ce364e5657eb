"""``lianchuang grade-tree``: grade a whole county bottom-up (三级联创) and report all three levels."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_INPUT_ERROR,
    color,
    echo_problems,
    rubric_loader,
    settle_heap_for_batch,
    width,
)
from lianchuang_cli.commands.output import (
    check_output_path,
    emit_pieces,
    files_under,
    output_option,
)
from lianchuang_cli.commands.reporting import cache_option, jobs_option, parse_quotas
from lianchuang_cli.reports.registry import TREE_FORMATS, format_help


@click.command("grade-tree", options_metavar="[选项]")
@click.argument(
    "folder",
    metavar="文件夹",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--previous",
    "previous_path",
    metavar="上年结果.json",
    type=click.Path(path_type=Path),
    help="上年 grade-tree --format json 的输出，用于“逐年提高”类指标。",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(TREE_FORMATS)),
    default="table",
    show_default=True,
    help=format_help(TREE_FORMATS),
)
@click.option(
    "--quota",
    "quota_texts",
    multiple=True,
    metavar="等级=比例",
    help=(
        "名额：村和乡镇的某等级不超过同级参评单位的比例，如 优秀=20%；可重复；优先于各级细则中的"
        " quotas。村的名额按村级细则的 quota_scope 计算（默认全县）；上一级按名额后的等级核算。"
    ),
)
@jobs_option("同时评分的进程数（默认为全部CPU；1 表示在本进程中逐个评分）。")
@cache_option
@output_option
def grade_tree(
    folder: Path,
    previous_path: Path | None,
    output_format: str,
    quota_texts: tuple[str, ...],
    jobs: int | None,
    cache_dir: Path | None,
    output: Path | None,
) -> None:
    """评分整个县：先评各村，再用各村结果核算并评各乡镇，最后评县。

    文件夹中放一个县级材料、各乡镇材料和各村材料（子文件夹随意）；村用 township_code、
    乡镇用 county_code 指明上级的单位代码。
    """
    from lianchuang_cli.batching.discovery import EVIDENCE_SUFFIXES
    from lianchuang_cli.batching.engine import default_jobs
    from lianchuang_cli.commands.output import rubric_reads
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.scoring.quotas import QuotaError
    from lianchuang_cli.tree.grade import grade_tree as grade
    from lianchuang_cli.tree.previous import (
        PreviousFigures,
        check_against,
        load_previous,
        top_township_rating,
    )

    quotas = parse_quotas(quota_texts)
    if output is not None:  # every file the run may read: evidence, last year's, rubrics
        previous_file: list[Path] = [previous_path] if previous_path is not None else []
        reads: Iterable[str | Path] = chain(
            files_under(folder, EVIDENCE_SUFFIXES), previous_file, rubric_reads(None)
        )
        check_output_path(output, reads)
    loader = rubric_loader()
    previous: PreviousFigures = {}
    previous_year: int | None = None
    top_rating = ""
    if previous_path is not None:
        try:
            top_rating = top_township_rating(loader=loader)
            previous, previous_year = load_previous(previous_path, top_rating=top_rating)
        except InputError as exc:
            echo_problems(exc.problems)
            sys.exit(EXIT_INPUT_ERROR)
    settle_heap_for_batch()  # as batch: hundreds of files, a fifth faster
    try:
        tree = grade(
            folder,
            previous=previous,
            previous_file=str(previous_path) if previous_path else "",
            previous_year=previous_year,
            quotas=quotas,
            jobs=jobs or default_jobs(),
            cache_dir=cache_dir,
            keep_results=TREE_FORMATS[output_format].reads_results,
            render=TREE_FORMATS[output_format].renderer(),
            part=TREE_FORMATS[output_format].part_renderer(),
            loader=loader,
        )
    except QuotaError as exc:
        raise click.BadParameter(str(exc), param_hint="--quota") from None
    if previous_path is not None:  # its contradictions, its units against this year's tree
        tree = check_against(tree, previous_path, top_rating=top_rating)
    with tree:
        layout = {"width": width(), "color": color() and output is None}
        emit_pieces(TREE_FORMATS[output_format].pieces(tree, **layout), output)
    echo_problems(tree.problems)
    for failure in tree.failures:
        echo_problems(failure.problems)
    if output_format != "json":
        graded = sum(len(n.villages) for n in tree.townships)
        click.echo(
            f"共评分：县{1 if tree.county else 0}个，乡镇{sum(n.result is not None for n in tree.townships)}个，"
            f"村{graded}个；无法评分的文件{len(tree.failures)}个，一致性问题{len(tree.errors)}个。",
            err=True,
        )
    if output is not None:
        click.echo(f"已写入{output}。", err=True)
    if tree.failures or tree.errors:
        sys.exit(EXIT_INPUT_ERROR)
