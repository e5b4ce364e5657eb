"""Command-line shell over the core: parse options, call the core, print, choose the exit code.

Core modules are imported inside the commands so that ``lianchuang --help`` stays fast: building
the pydantic models costs more than everything else at start-up.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lianchuang_cli import __version__, click_zh

if TYPE_CHECKING:
    from lianchuang_cli.results import UnitResult
    from lianchuang_cli.rubric import LoadedRubric

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_INPUT_ERROR = 2
EXIT_INTERNAL_ERROR = 3

FORMATS = ("table", "json")

click_zh.install()


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width() -> int:
    if sys.stdout.isatty():
        return max(60, shutil.get_terminal_size((100, 24)).columns)
    return 120


def _echo_problems(problems: object) -> None:
    from lianchuang_cli.report_table import render_problems

    click.echo(render_problems(problems), err=True, nl=False)  # type: ignore[arg-type]


def _load_rubric_or_exit(name: str) -> LoadedRubric:
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.rubric import load_rubric, resolve_rubric, shipped_rubric_ids

    path = resolve_rubric(name)
    if not path.is_file():
        shipped = "、".join(shipped_rubric_ids()) or "无"
        raise click.UsageError(f"找不到考评细则“{name}”；内置细则：{shipped}，或给出细则文件路径")
    try:
        return load_rubric(path)
    except InputError as exc:
        _echo_problems(exc.problems)
        click.echo("考评细则有误，无法继续。", err=True)
        sys.exit(EXIT_INPUT_ERROR)


def _parse_decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise click.BadParameter(f"“{value}”不是数字", param_hint="--fail-under") from None
    if not number.is_finite():
        raise click.BadParameter(f"“{value}”不是有限的数字", param_hint="--fail-under")
    return number


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]...",
)
@click.version_option(__version__, "-V", "--version", prog_name="lianchuang")
def main() -> None:
    """农村党的建设“三级联创”考评工具：按考评细则给佐证材料打分、定等级、列差距。

    \b
    常用：
      lianchuang template village -o 桃源村.yaml   生成佐证材料模板
      lianchuang validate 桃源村.yaml              只检查填写是否正确
      lianchuang score 桃源村.yaml                 打分、定等级、列出差距
      lianchuang rubric show village               查看考评细则

    退出码：0 全部评分（未设门槛，或均达到 --fail-under / --min-rating 门槛）；
    1 已评分但未达门槛；2 无法评分（材料有误、文件无法读取、用法错误）；3 程序内部错误。
    """


@main.command(options_metavar="[选项]")
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
    from lianchuang_cli.grading import grade_files
    from lianchuang_cli.report_json import render_json
    from lianchuang_cli.report_table import render_table
    from lianchuang_cli.results import FileFailure

    threshold = _parse_decimal(fail_under)
    rubric_path = _load_rubric_or_exit(rubric_name).path if rubric_name else None
    outcomes = grade_files(files, rubric_path=rubric_path)
    failures = [o for o in outcomes if isinstance(o, FileFailure)]
    graded = [o for o in outcomes if not isinstance(o, FileFailure)]
    gate_messages = [m for r in graded for m in _gate_failures(r, threshold, min_rating)]

    if output_format == "json":
        click.echo(render_json(outcomes, single=len(files) == 1), nl=False)
    else:
        if graded:
            click.echo(render_table(outcomes, width=_width(), color=_color()), nl=False)
        for failure in failures:
            _echo_problems(failure.problems)
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


def _gate_failures(
    result: UnitResult, threshold: Decimal | None, min_rating: str | None
) -> list[str]:
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


@main.command(options_metavar="[选项]")
@click.argument(
    "files", nargs=-1, required=True, metavar="文件...", type=click.Path(path_type=Path)
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件。")
def validate(files: tuple[Path, ...], rubric_name: str | None) -> None:
    """只检查佐证材料的填写：逐条列出所有错误（文件:行:列）。"""
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.grading import load_evidence

    rubric_path = _load_rubric_or_exit(rubric_name).path if rubric_name else None
    bad = 0
    for path in files:
        try:
            load_evidence(path, rubric_path=rubric_path)
        except InputError as exc:
            bad += 1
            _echo_problems(exc.problems)
            click.echo(f"{path}：发现{len(exc.problems)}处错误。", err=True)
        else:
            click.echo(f"{path}：填写正确。")
    if bad:
        sys.exit(EXIT_INPUT_ERROR)


@main.command(options_metavar="[选项]")
@click.argument("level", metavar="细则")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="写入此文件（UTF-8），而不是打印到屏幕。",
)
def template(level: str, output: Path | None) -> None:
    """生成佐证材料模板（细则可以是 village 等内置细则，或细则文件路径）。"""
    from lianchuang_cli.template import render_template

    text = render_template(_load_rubric_or_exit(level).rubric)
    if output is None:
        click.echo(text, nl=False)
        return
    if output.exists():
        raise click.UsageError(f"文件“{output}”已存在；为避免覆盖，请换一个文件名")
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.UsageError(f"无法写入“{output}”（{exc.strerror}）") from None
    click.echo(f"已生成模板：{output}")


@main.group(options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
def rubric() -> None:
    """查看考评细则。"""


@rubric.command("show", options_metavar="[选项]")
@click.argument("level", metavar="细则")
def rubric_show(level: str) -> None:
    """显示细则的考评项目、指标、分值、加扣分项和等级。"""
    from lianchuang_cli.rubric_view import render_rubric

    loaded = _load_rubric_or_exit(level)
    click.echo(render_rubric(loaded.rubric, width=_width(), color=_color()), nl=False)


def run() -> None:
    """Console-script entry point: any unexpected error becomes a short Chinese message."""
    for stream in (sys.stdout, sys.stderr):
        # A Windows console redirected to a file may use GBK, which lacks a few symbols we print.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")
    try:
        main(prog_name="lianchuang")
    except Exception as exc:  # last line of defence: never show a traceback
        click.echo(f"程序内部错误：{type(exc).__name__}: {exc}", err=True)
        click.echo("这不是您的操作问题；请把以上信息和所用文件发给维护人员。", err=True)
        sys.exit(EXIT_INTERNAL_ERROR)
