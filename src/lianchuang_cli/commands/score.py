"""``lianchuang score``: grade evidence files and print score, rating and gaps."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lianchuang_cli.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_INPUT_ERROR,
    color,
    echo_problems,
    load_rubric_or_exit,
    parse_decimal,
    width,
)

if TYPE_CHECKING:
    from lianchuang_cli.results import UnitResult

FORMATS = ("table", "json")


@click.command(options_metavar="[选项]")
@click.argument(
    "files", nargs=-1, required=True, metavar="文件...", type=click.Path(path_type=Path)
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
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="输出格式：table 表格，json 供程序读取。",
)
@click.option("--fail-under", metavar="分数", help="总分低于此分数时退出码为1。")
@click.option("--min-rating", metavar="等级", help="等级低于此等级（如 良好）时退出码为1。")
def score(
    files: tuple[Path, ...],
    rubric_name: str | None,
    output_format: str,
    fail_under: str | None,
    min_rating: str | None,
) -> None:
    """给一个或多个佐证材料文件打分，显示总分、等级、各项得分和差距。"""
    from lianchuang_cli import grading
    from lianchuang_cli.reports.json_report import render_json
    from lianchuang_cli.reports.table import render_table
    from lianchuang_cli.results import FileFailure

    threshold = parse_decimal(fail_under, "--fail-under")
    rubric_path = load_rubric_or_exit(rubric_name).path if rubric_name else None
    outcomes = grading.grade_files(files, rubric_path=rubric_path)
    failures = [o for o in outcomes if isinstance(o, FileFailure)]
    graded = [o for o in outcomes if not isinstance(o, FileFailure)]
    gate_messages = [m for r in graded for m in gate_failures(r, threshold, min_rating)]

    if output_format == "json":
        click.echo(render_json(outcomes, single=len(files) == 1), nl=False)
    else:
        if graded:
            click.echo(render_table(outcomes, width=width(), color=color()), nl=False)
        for failure in failures:
            echo_problems(failure.problems)
        if len(files) > 1:
            click.echo(
                f"共{len(files)}个文件：已评分{len(graded)}个，无法评分{len(failures)}个。",
                err=True,
            )
    for message in gate_messages:
        click.echo(f"未达门槛：{message}", err=True)
    if failures:
        sys.exit(EXIT_INPUT_ERROR)
    if gate_messages:
        sys.exit(EXIT_GATE_FAILED)


def gate_failures(
    result: UnitResult, threshold: Decimal | None, min_rating: str | None
) -> list[str]:
    """Why a graded unit fails the --fail-under / --min-rating gates (empty when it passes)."""
    from lianchuang_cli.decimals import fmt

    messages = []
    if threshold is not None and result.score < threshold:
        messages.append(
            f"{result.unit_name}总分{fmt(result.score)}，低于 --fail-under {fmt(threshold)}"
        )
    if min_rating is not None:
        if min_rating not in result.ratings:
            choices = "、".join(result.ratings)
            raise click.BadParameter(
                f"“{min_rating}”不是细则“{result.rubric_id}”的等级；可选：{choices}",
                param_hint="--min-rating",
            )
        if result.ratings.index(result.rating) > result.ratings.index(min_rating):
            messages.append(
                f"{result.unit_name}等级为“{result.rating}”，低于 --min-rating {min_rating}"
            )
    return messages
