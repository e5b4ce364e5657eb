"""``lianchuang verify``: re-grade a publication pack's evidence with its own rubrics and compare."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_GATE_FAILED,
    EXIT_INPUT_ERROR,
    EXIT_INTERRUPTED,
    color,
    fail,
    width,
)
from lianchuang_cli.commands.reporting import jobs_option


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
    type=click.Choice(("table", "html")),
    default="table",
    show_default=True,
    help="复核表的格式（与 --unit 同用）：table 表格，html 可打印的网页（用 > 文件名.html 保存）。",
)
@jobs_option("批量评分的进程数（默认为全部CPU）；结果与进程数无关。")
def verify(
    pack: Path,
    evidence: Path | None,
    unit_code: str | None,
    output_format: str,
    jobs: int | None,
) -> None:
    """核对公示包：用包内的考评细则从材料重新评分，逐项比对公示的分数、等级、名次和差距。

    退出码：0 完全一致；1 有不一致（材料、包内文件或结果，逐项列出）；2 公示包无法读取。
    """
    from lianchuang_cli.engine import default_jobs
    from lianchuang_cli.publishing.verify import PackError
    from lianchuang_cli.publishing.verify import verify as check_pack
    from lianchuang_cli.reports.publication import verification_lines

    try:
        result = check_pack(pack, evidence=evidence, jobs=jobs or default_jobs())
    except PackError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("已中断。", EXIT_INTERRUPTED)
    lines = verification_lines(result)
    if unit_code is not None:
        _review(result, unit_code, output_format)
    for line in lines:
        click.echo(line, err=unit_code is not None and output_format == "html")
    if not result.identical:
        sys.exit(EXIT_GATE_FAILED)


def _review(result: object, code: str, output_format: str) -> None:
    """The 复核 sheet of one unit: its full recomputation, indicator by indicator."""
    from lianchuang_cli.publishing.regrade import RESULTS_JSON
    from lianchuang_cli.publishing.verify import Verification
    from lianchuang_cli.reports.publication import difference_line, review_heading

    assert isinstance(result, Verification)
    found = [r.result for r in result.regraded.units if r.result.unit_code == code]
    if not found:
        codes = "、".join(sorted({r.result.unit_code for r in result.regraded.units})[:20])
        fail(f"重新评分的结果中没有单位代码“{code}”；已评分的单位代码：{codes or '无'}")
    unit = found[0]
    published = _published_unit(result.pack / RESULTS_JSON, unit.file)
    if output_format == "html":
        from lianchuang_cli.reports.html_report import render_page, unit_sheet

        title = f"{unit.unit_name} · 复核表"
        click.echo(render_page(title=title, sheets=[unit_sheet(unit)]), nl=False)
        return
    from rich.console import RenderableType

    from lianchuang_cli.reports.publication import review_indicators
    from lianchuang_cli.reports.table import render_text, unit_panel

    sheet: list[RenderableType] = [
        review_heading(unit, published),
        unit_panel(unit),
        review_indicators(unit, published),
    ]
    click.echo(render_text(sheet, width=width(), color=color()), nl=False)
    mine = [d for d in result.differences if d.unit.endswith(f"，{unit.file}")]
    for difference in mine:
        click.echo(difference_line(difference))
    if not mine:
        click.echo("本单位的每个分数、等级、名次和差距与公示结果相同。")


def _published_unit(path: Path, file: str) -> object:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
        return next(u for u in data["results"] if u.get("file") == file)
    except (OSError, ValueError, KeyError, TypeError, StopIteration, AttributeError):
        return None


__all__ = ["EXIT_INPUT_ERROR"]
