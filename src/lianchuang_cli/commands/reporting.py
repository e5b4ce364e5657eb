"""What ``score`` and ``batch`` share: writing a report (atomically), gates, progress, Ctrl-C; and
the options ``batch``, ``grade-tree`` and ``publish`` share (``--jobs``, ``--cache``, ``--quota``)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from lianchuang_cli.commands.common import EXIT_INTERRUPTED
from lianchuang_cli.commands.output import check_output_path, output_stream, rubric_reads

if TYPE_CHECKING:
    from lianchuang_cli.reports.batch_report import Report
    from lianchuang_cli.scoring.summary import BatchSummary

__all__ = ["EXIT_INTERRUPTED", "check_output_path", "rubric_reads"]


CACHE_HELP = (
    "把解析和评分结果缓存到此文件夹：内容未改动的文件不再重新解析，只改了细则等级门槛等时也不再"
    "重新评分（结果与不用缓存时相同）；缓存按文件内容和工具版本区分，可随时删除。"
    "文件夹须只有自己可写；每条缓存带校验码，未通过校验的不用。"
)


def jobs_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--jobs/-j N``: worker processes for the grading engine; each command says what it means."""
    return click.option(
        "--jobs", "-j", type=click.IntRange(min=1), metavar="进程数", help=help_text
    )


def cache_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--cache DIR``: parsed evidence and graded results kept between runs (``grading_cache``)."""
    return click.option(
        "--cache",
        "cache_dir",
        type=click.Path(path_type=Path, file_okay=False),
        metavar="文件夹",
        help=CACHE_HELP,
        callback=_trusted_cache_folder,
    )(command)


def parse_quotas(texts: tuple[str, ...]) -> dict[str, Decimal]:
    """Read ``优秀=10%`` (or ``优秀=10``) into rating → percent."""
    quotas: dict[str, Decimal] = {}
    for text in texts:
        name, sep, value = text.partition("=")
        name, value = name.strip(), value.strip().removesuffix("%").removesuffix("％")
        try:
            percent = Decimal(value)
        except InvalidOperation:
            percent = Decimal("NaN")
        if not sep or not name or not percent.is_finite() or not 0 < percent <= 100:
            raise click.BadParameter(
                f"“{text}”应写成 等级=比例，比例在0到100之间，如 优秀=10%", param_hint="--quota"
            )
        quotas[name] = percent
    return quotas


def _trusted_cache_folder(
    context: click.Context, parameter: click.Parameter, folder: Path | None
) -> Path | None:
    """Refuse a cache folder that someone else may write (``cache_trust``)."""
    if folder is not None:
        from lianchuang_cli.caching.cache_trust import UnsafeCacheFolder, folder_key

        try:
            folder_key(folder)
        except UnsafeCacheFolder as exc:
            raise click.BadParameter(str(exc), context, parameter) from None
    return folder


def echo_cache_rejected(count: int) -> None:
    """Say once that cache entries failed their check (they were graded afresh)."""
    if count:
        click.echo(
            f"提示：缓存中有{count}条记录未通过校验（可能被改动或已损坏），已弃用并重新评分；"
            "结果不受影响。",
            err=True,
        )


def recorded_time() -> datetime | None:
    """The creation time a workbook records: ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) when
    set, so that the same evidence gives the same bytes (reproducible-builds.org); else None (now)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch.isdigit():
        return None
    try:
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def write_report(name: str, report: Report, output: Path | None) -> None:
    """Write ``report`` in format ``name`` to ``output`` (atomically) or to stdout."""
    from lianchuang_cli.reports.registry import FORMATS

    spec = FORMATS[name]
    writer = spec.writer()
    if output is None:
        if spec.binary:
            raise click.UsageError(f"{name} 格式须用 --output 指定输出文件")
        writer(report, sys.stdout)
        sys.stdout.flush()
        return
    with output_stream(output, binary=spec.binary) as stream:
        writer(report, stream)


def gate_failures(
    summary: BatchSummary, threshold: Decimal | None, min_rating: str | None
) -> list[str]:
    """Why graded units fail --fail-under / --min-rating (final ratings), in input order."""
    from lianchuang_cli.decimals import fmt

    ratings = summary.rubric.ratings if summary.rubric else ()
    if min_rating is not None and ratings and min_rating not in ratings:
        choices = "、".join(ratings)
        rubric_id = summary.rubric.id if summary.rubric else ""
        raise click.BadParameter(
            f"“{min_rating}”不是细则“{rubric_id}”的等级；可选：{choices}",
            param_hint="--min-rating",
        )
    messages: list[str] = []
    if threshold is None and min_rating is None:
        return messages
    for ranked in summary.ranking.in_input_order():
        row, rating = ranked.row, ranked.placement.rating
        if threshold is not None and row.score < threshold:
            messages.append(
                f"{row.unit_name}总分{fmt(row.score)}，低于 --fail-under {fmt(threshold)}"
            )
        if min_rating is not None and ratings.index(rating) > ratings.index(min_rating):
            messages.append(f"{row.unit_name}等级为“{rating}”，低于 --min-rating {min_rating}")
    return messages


def echo_gate_failures(messages: list[str], *, limit: int | None = None) -> None:
    """Print gate failures to stderr, at most ``limit`` of them and a count of the rest."""
    shown = messages if limit is None else messages[:limit]
    for message in shown:
        click.echo(f"未达门槛：{message}", err=True)
    if len(messages) > len(shown):
        click.echo(f"未达门槛：……另有{len(messages) - len(shown)}条。", err=True)


@contextmanager
def progress_bar(total: int, *, enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar on stderr, or nothing (pipes, CI, few files)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    # No refresh thread: the pool forks its workers while the bar exists.
    progress = Progress(
        "评分中",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(file=sys.stderr),
        auto_refresh=False,
        transient=True,
    )
    task = progress.add_task("", total=total)
    step = max(1, total // 200)

    def advance(done: int) -> None:
        if done % step == 0 or done == total:
            progress.update(task, completed=done)
            progress.refresh()

    with progress:
        yield advance
