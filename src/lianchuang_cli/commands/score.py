"""``lianchuang score``: grade evidence files and print score, rating and gaps."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_INPUT_ERROR,
    color,
    echo_problems,
    fail,
    load_rubric_or_exit,
    parse_decimal,
    rubric_loader,
    settle_heap_for_batch,
    width,
)
from lianchuang_cli.commands.reporting import (
    EXIT_INTERRUPTED,
    cache_option,
    check_output_path,
    echo_cache_rejected,
    echo_gate_failures,
    gate_failures,
    recorded_time,
    rubric_reads,
    write_report,
)
from lianchuang_cli.reports.registry import FORMATS

PARALLEL_FROM = 16


@click.command(options_metavar="[选项]")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="文件...",
    type=click.Path(path_type=Path, readable=False),
)
@click.option(
    "--rubric",
    "rubric_name",
    metavar="细则",
    help="使用指定的细则文件（默认按文件中的 rubric 选用内置细则）。",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="table",
    show_default=True,
    help="输出格式：" + "；".join(f"{name} {spec.help}" for name, spec in FORMATS.items()) + "。",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="文件",
    help="写入文件（写完整后才替换，不会留下半个文件）；默认输出到屏幕。",
)
@click.option("--fail-under", metavar="分数", help="总分低于此分数时退出码为1。")
@click.option("--min-rating", metavar="等级", help="等级低于此等级（如 良好）时退出码为1。")
@cache_option
def score(
    files: tuple[Path, ...],
    rubric_name: str | None,
    output_format: str,
    output: Path | None,
    fail_under: str | None,
    min_rating: str | None,
    cache_dir: Path | None,
) -> None:
    """给一个或多个佐证材料文件打分，显示总分、等级、各项得分和差距。"""
    from lianchuang_cli.batching.engine import default_jobs, grade_batch
    from lianchuang_cli.reports.batch_report import ReportOptions

    threshold = parse_decimal(fail_under, "--fail-under")
    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    if output is not None:
        check_output_path(output, [*files, *rubric_reads(rubric_path)])
    # A handful of files grade faster in this process than a pool takes to start.
    jobs = 1 if len(files) < PARALLEL_FROM else default_jobs()
    if len(files) > 1:
        settle_heap_for_batch()
    try:
        with grade_batch(
            [str(f) for f in files],
            rubric_path=rubric_path,
            jobs=jobs,
            cache_dir=cache_dir,
            loader=rubric_loader(),
        ) as batch:
            summary = batch.summary
            gate_messages = gate_failures(summary, threshold, min_rating)
            options = ReportOptions(
                width=width(),
                color=color() and output is None,
                unit_panels=True,
                created=recorded_time(),
            )
            report = batch.report(options)
            if output_format != "table" or summary.graded:
                write_report(output_format, report, output)
            if output_format == "table":
                for failure in batch.invalid:
                    echo_problems(failure.problems)
            echo_cache_rejected(batch.cache_rejected)
    except KeyboardInterrupt:
        fail("已中断。", EXIT_INTERRUPTED)
    if output_format == "table" and len(files) > 1:
        click.echo(
            f"共{len(files)}个文件：已评分{summary.graded}个，无法评分{summary.invalid}个。",
            err=True,
        )
    echo_gate_failures(gate_messages)
    if summary.invalid:
        sys.exit(EXIT_INPUT_ERROR)
    if gate_messages:
        sys.exit(EXIT_GATE_FAILED)
