"""``lianchuang publish``: grade a folder into a publication pack (公示包) and print its digest."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lianchuang_cli.commands.common import (
    EXIT_INPUT_ERROR,
    EXIT_INTERRUPTED,
    echo_problems,
    fail,
    load_rubric_or_exit,
    rubric_loader,
)
from lianchuang_cli.commands.reporting import cache_option, jobs_option, parse_quotas


@click.command(options_metavar="[选项]")
@click.argument(
    "folder", metavar="材料文件夹", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--output",
    "-o",
    "pack",
    required=True,
    metavar="公示包",
    type=click.Path(path_type=Path),
    help="公示包文件夹（新建；已存在时不覆盖；不能在材料文件夹之内）。",
)
@click.option(
    "--quota",
    "quota_texts",
    multiple=True,
    metavar="等级=比例",
    help="名额，如 优秀=10%；可重复（同 batch；评分县文件夹时用于村和乡镇，同 grade-tree）。",
)
@click.option(
    "--previous",
    "previous_path",
    metavar="上年结果.json",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="上年 grade-tree --format json 的输出（评分县文件夹时用，同 grade-tree）；副本放入公示包。",
)
@click.option("--rubric", "rubric_name", metavar="细则", help="使用指定的细则文件（同 batch）。")
@jobs_option("评分的进程数（默认为全部CPU；县文件夹同样）；结果与进程数无关。")
@cache_option
def publish(
    folder: Path,
    pack: Path,
    quota_texts: tuple[str, ...],
    previous_path: Path | None,
    rubric_name: str | None,
    jobs: int | None,
    cache_dir: Path | None,
) -> None:
    """生成公示包：评分材料文件夹，把结果、所用细则和全部文件的摘要写入新的公示包文件夹。

    文件夹中有县级材料时按 grade-tree 评分整个县，否则按 batch --recursive 批量评分。
    最后一行是公示摘要（manifest.json 的 SHA-256），随公示通知一同公布；
    任何人可用 lianchuang verify 公示包 核对。
    """
    from lianchuang_cli.batching.engine import default_jobs
    from lianchuang_cli.errors import InputError
    from lianchuang_cli.publishing.pack import PublishError
    from lianchuang_cli.publishing.pack import publish as write_pack
    from lianchuang_cli.reports.publication import published_lines
    from lianchuang_cli.scoring.quotas import QuotaError

    quotas = parse_quotas(quota_texts)
    rubric = load_rubric_or_exit(rubric_name).path if rubric_name else None
    try:
        published = write_pack(
            folder,
            pack,
            quotas=quotas,
            rubric=rubric,
            previous=previous_path,
            jobs=jobs or default_jobs(),
            loader=rubric_loader(),
            cache_dir=cache_dir,
        )
    except PublishError as exc:
        fail(str(exc))
    except QuotaError as exc:
        raise click.BadParameter(str(exc), param_hint="--quota") from None
    except InputError as exc:  # an unreadable previous-year file
        echo_problems(exc.problems)
        fail("无法生成公示包。")
    except KeyboardInterrupt:
        fail("已中断，没有写出公示包。", EXIT_INTERRUPTED)
    for failure in published.regraded.invalid:
        echo_problems(failure.problems)
    for line in published_lines(published):
        click.echo(line, err=True)
    click.echo(f"公示摘要（SHA-256）：{published.digest}")
    if published.regraded.invalid:
        click.echo("有文件无法评分（见上）；公示包已写出，但请先改正材料再公示。", err=True)
        sys.exit(EXIT_INPUT_ERROR)
