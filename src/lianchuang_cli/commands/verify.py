"""``lianchuang verify``: re-grade a publication pack's evidence with its own rubrics and compare."""

from __future__ import annotations

import json
import sys
from itertools import chain
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_INPUT_ERROR,
    EXIT_INTERRUPTED,
    color,
    fail,
    rubric_loader,
    width,
)
from lianchuang_cli.commands.output import check_output_path, emit, files_under, output_option
from lianchuang_cli.commands.reporting import jobs_option
from lianchuang_cli.reports.registry import VERIFY_FORMATS, format_help


@click.command(options_metavar="[选项]")
@click.argument("pack", metavar="公示包", type=click.Path(path_type=Path))
@click.option(
    "--evidence",
    metavar="材料文件夹",
    type=click.Path(path_type=Path),
    help="从此文件夹重新评分（默认为清单记录的发布时的材料文件夹）。",
)
@click.option("--unit", "unit_code", metavar="单位代码", help="打印该单位逐项重新计算的复核表。")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(VERIFY_FORMATS)),
    default="table",
    show_default=True,
    help="复核表（与 --unit 同用）的" + format_help(VERIFY_FORMATS),
)
@output_option
@jobs_option("评分的进程数（默认为全部CPU；县文件夹同样）；结果与进程数无关。")
def verify(
    pack: Path,
    evidence: Path | None,
    unit_code: str | None,
    output_format: str,
    output: Path | None,
    jobs: int | None,
) -> None:
    """核对公示包：用包内的考评细则从材料重新评分，逐项比对公示的分数、等级、名次和差距。

    退出码：0 完全一致；1 有不一致（材料、包内文件或结果，逐项列出）；2 公示包无法读取。
    """
    from lianchuang_cli.batching.engine import default_jobs
    from lianchuang_cli.publishing.regrade import RESULTS_JSON
    from lianchuang_cli.publishing.verify import PackError
    from lianchuang_cli.publishing.verify import verify as check_pack
    from lianchuang_cli.reports.publication import verification_lines

    if output is not None:  # never over the pack's files or the evidence re-graded
        folders = [pack] if evidence is None else [pack, evidence]
        check_output_path(output, chain.from_iterable(files_under(f, ("",)) for f in folders))
    try:
        result = check_pack(
            pack, evidence=evidence, jobs=jobs or default_jobs(), loader=rubric_loader()
        )
    except PackError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("已中断。", EXIT_INTERRUPTED)
    summary = "".join(f"{line}\n" for line in verification_lines(result))
    if unit_code is None:
        emit(summary, output)
    else:
        found = [r.result for r in result.regraded.units if r.result.unit_code == unit_code]
        if not found:
            codes = "、".join(sorted({r.result.unit_code for r in result.regraded.units})[:20])
            fail(f"重新评分的结果中没有单位代码“{unit_code}”；已评分的单位代码：{codes or '无'}")
        unit = found[0]
        published = _published_unit(result.pack / RESULTS_JSON, unit.file)
        sheet = VERIFY_FORMATS[output_format](
            result, unit, published, width=width(), color=color() and output is None
        )
        if output_format == "html":  # the page alone on standard output (or -o); the summary beside
            emit(sheet, output)
            click.echo(summary, nl=False, err=True)
        else:
            emit(sheet + summary, output)
    if not result.identical:
        sys.exit(EXIT_GATE_FAILED)


def _published_unit(path: Path, file: str) -> object:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        return next(u for u in data["results"] if u.get("file") == file)
    except (OSError, ValueError, KeyError, TypeError, StopIteration, AttributeError):
        return None


__all__ = ["EXIT_INPUT_ERROR"]
