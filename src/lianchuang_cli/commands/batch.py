"""``lianchuang batch``: grade every evidence file in folders, rank them and summarise the batch."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lianchuang_cli.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_INPUT_ERROR,
    EXIT_INTERRUPTED,
    color,
    fail,
    load_rubric_or_exit,
    parse_decimal,
    rubric_loader,
    settle_heap_for_batch,
    width,
)
from lianchuang_cli.commands.reporting import (
    cache_option,
    check_output_path,
    echo_cache_rejected,
    echo_gate_failures,
    gate_failures,
    jobs_option,
    parse_quotas,
    progress_bar,
    recorded_time,
    rubric_reads,
    write_report,
)
from lianchuang_cli.reports.registry import FORMATS

if TYPE_CHECKING:
    from lianchuang_cli.scoring.results import FileFailure

PROBLEMS_SHOWN = 50
GATE_MESSAGES_SHOWN = 20


@click.command(options_metavar="[选项]")
@click.argument(
    "paths", nargs=-1, required=True, metavar="文件夹...", type=click.Path(path_type=Path)
)
@click.option("--recursive", "-r", is_flag=True, help="也评分子文件夹中的文件。")
@jobs_option("同时评分的进程数（默认为全部CPU；1 表示在本进程中逐个评分）。")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    help="输出格式："
    + "；".join(f"{name} {spec.help}" for name, spec in FORMATS.items())
    + "。默认按 --output 的扩展名（.xlsx .csv .json .jsonl .md .html）选择，否则为 table。",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="文件",
    help="写入文件（写完整后才替换，中断时不留半个文件）；xlsx 必须指定。",
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件。")
@click.option("--fail-under", metavar="分数", help="有单位总分低于此分数时退出码为1。")
@click.option("--min-rating", metavar="等级", help="有单位等级低于此等级时退出码为1。")
@click.option(
    "--quota",
    "quota_texts",
    multiple=True,
    metavar="等级=比例",
    help="名额：某等级不超过参评单位的比例，如 优秀=10%；可重复；优先于细则中的 quotas。",
)
@cache_option
def batch(
    paths: tuple[Path, ...],
    recursive: bool,
    jobs: int | None,
    output_format: str | None,
    output: Path | None,
    rubric_name: str | None,
    fail_under: str | None,
    min_rating: str | None,
    quota_texts: tuple[str, ...],
    cache_dir: Path | None,
) -> None:
    """批量评分：评分文件夹中全部佐证材料（.yaml/.yml/.xlsx），排名并汇总。"""
    from lianchuang_cli.batching.discovery import find_evidence
    from lianchuang_cli.batching.engine import default_jobs, grade_batch
    from lianchuang_cli.reports.batch_report import ReportOptions
    from lianchuang_cli.reports.wording import counts_line
    from lianchuang_cli.scoring.quotas import QuotaError, check_quotas

    threshold = parse_decimal(fail_under, "--fail-under")
    quotas = parse_quotas(quota_texts)
    output_format = output_format or format_for(output)
    rubric_path = None
    if rubric_name:
        loaded = load_rubric_or_exit(rubric_name)
        rubric_path = loaded.path
        try:
            check_quotas(quotas, tuple(band.name for band in loaded.rubric.ratings))
        except QuotaError as exc:
            raise click.BadParameter(str(exc), param_hint="--quota") from None
    if FORMATS[output_format].binary and output is None:
        raise click.UsageError(f"{output_format} 格式须用 --output 指定输出文件")
    found = find_evidence(paths, recursive=recursive)
    if output is not None:
        check_output_path(output, [*found.files, *rubric_reads(rubric_path)])
    if not found.files and not found.missing:
        where = "、".join(str(p) for p in paths)
        hint = "" if recursive else "；要包括子文件夹请加 --recursive"
        fail(f"在{where}中没有找到佐证材料（.yaml/.yml/.xlsx 文件）{hint}。")
    total = len(found.files)
    show_progress = sys.stderr.isatty() and total > 1
    settle_heap_for_batch()
    try:
        with (
            progress_bar(total, enabled=show_progress) as advance,
            grade_batch(
                found.files,
                rubric_path=rubric_path,
                jobs=jobs or default_jobs(),
                skipped=found.skipped,
                missing=found.missing,
                quotas=quotas,
                rubric_quotas=True,
                on_progress=advance,
                cache_dir=cache_dir,
                render=FORMATS[output_format].renderer(),
                keep_results=FORMATS[output_format].reads_results,
                loader=rubric_loader(),
            ) as graded,
        ):
            summary = graded.summary
            gate_messages = gate_failures(summary, threshold, min_rating)
            options = ReportOptions(
                width=width(), color=color() and output is None, created=recorded_time()
            )
            write_report(output_format, graded.report(options), output)
            if output_format != "table" or output is not None:
                echo_some_problems(graded.invalid)
            echo_cache_rejected(graded.cache_rejected)
    except QuotaError as exc:
        raise click.BadParameter(str(exc), param_hint="--quota") from None
    except KeyboardInterrupt:
        fail("已中断，没有写出输出文件。", EXIT_INTERRUPTED)
    click.echo(counts_line(summary), err=True)
    if output is not None:
        click.echo(f"已写入{output}。", err=True)
    echo_gate_failures(gate_messages, limit=GATE_MESSAGES_SHOWN)
    if summary.invalid:
        sys.exit(EXIT_INPUT_ERROR)
    if gate_messages:
        sys.exit(EXIT_GATE_FAILED)


def echo_some_problems(invalid: Iterable[FileFailure]) -> None:
    """The first problems of the invalid files on stderr (all of them are in the output)."""
    from lianchuang_cli.reports.escaping import plain

    problems = (p for failure in invalid for p in failure.problems)
    for problem in islice(problems, PROBLEMS_SHOWN):
        click.echo(plain(str(problem)), err=True)
    rest = sum(1 for _ in problems)
    if rest:
        click.echo(f"……另有{rest}处错误，见输出。", err=True)


SUFFIX_FORMATS = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".md": "markdown",
    ".html": "html",
    ".htm": "html",
}


def format_for(output: Path | None) -> str:
    """The format an output file's extension asks for; table otherwise."""
    if output is None:
        return "table"
    return SUFFIX_FORMATS.get(output.suffix.lower(), "table")
