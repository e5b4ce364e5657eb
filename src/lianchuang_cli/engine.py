"""The grading engine shared by ``score`` and ``batch``: grade many files, in order, flat in memory.

Files are graded in chunks, in this process (``jobs=1``) or across a pool of worker processes;
results come back in input order whatever the worker count. Whoever grades a file also
summarises it (``scoring.summary``: a ranking key, an encoded ranking row, the chunk's sums) and,
with a ``render`` function (the output format's), renders it; it pickles the full result only
when the report will read full results back (``keep_results``). The parent process thus never
unpickles a full result: it checks the rubric, ranks, and appends ready-made bytes to temporary
spool files, which reporters read back through ``Report.results()`` and ``Report.rendered()``.
Only a few numbers per unit stay in memory. The spools are private to this run and deleted on
close (they are unlinked from the start, so even an interrupted run leaves nothing behind).
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from lianchuang_cli.errors import Problem
from lianchuang_cli.failure_spool import FailureSpool
from lianchuang_cli.grading import grade_file
from lianchuang_cli.model.rubric import load_rubric, shipped_rubrics_dir
from lianchuang_cli.report import RankedResult, Report, ReportOptions
from lianchuang_cli.results import FileFailure
from lianchuang_cli.scoring.summary import (
    BatchSummary,
    Placement,
    RowStore,
    RubricInfo,
    SummaryBuilder,
    Tally,
    UnitKey,
    encode_row,
    unit_key,
)

if TYPE_CHECKING:
    from lianchuang_cli.grading_cache import EvidenceCache

Progress = Callable[[int], None]
Render = Callable[[Any], bytes]  # UnitResult -> one line of UTF-8 text, without its newline

RubricKey = tuple[str, str]  # (rubric id, sha256)
# A graded unit as its grader hands it over: rubric, ranking key, encoded ranking row, rendered
# line (with its newline) and pickled result (each None when not asked for).
Graded = tuple[RubricKey, UnitKey, bytes, bytes | None, bytes | None]
Chunk = tuple[list[FileFailure | Graded], dict[RubricKey, Tally]]

SPOOL_BUFFER = 1 << 18
"""Spool files are written in pieces this large (a rendered result is about 17 KB)."""


def default_jobs() -> int:
    """All CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _spool(prefix: str) -> IO[bytes]:
    # Closed by GradedBatch.close(), or by grade_batch if grading fails or is interrupted.
    return tempfile.TemporaryFile(prefix=prefix, buffering=SPOOL_BUFFER)


class GradedBatch:
    """Graded files: the summary in memory; rows, results and failures in spool files."""

    def __init__(
        self,
        summary: BatchSummary,
        invalid: FailureSpool,
        spools: list[IO[bytes]],
        results: IO[bytes] | None,
        rendered: IO[bytes] | None,
    ):
        self.summary = summary
        self.invalid = invalid
        self._spools = spools
        self._results = results
        self._rendered = rendered

    def results(self) -> Iterator[RankedResult]:
        """Every graded unit in input order, with its placement; may be called more than once."""
        if self._results is None:
            raise RuntimeError("grade_batch(keep_results=False): full results were not kept")
        spool = self._results
        spool.seek(0)
        for placement in self.summary.placements.in_input_order():
            yield RankedResult(pickle.load(spool), placement)

    def rendered(self) -> Iterator[tuple[bytes, Placement]]:
        """Every graded unit's pre-rendered line (no newline) in input order, with its placement."""
        if self._rendered is None:
            return
        spool = self._rendered
        spool.seek(0)
        for line, placement in zip(spool, self.summary.placements.in_input_order(), strict=True):
            yield line[:-1], placement

    def report(self, options: ReportOptions | None = None) -> Report:
        """The batch as reporters take it."""
        return Report(
            self.summary,
            self.results,
            self.invalid,
            options or ReportOptions(),
            rendered=None if self._rendered is None else self.rendered,
        )

    def close(self) -> None:
        """Delete the spools."""
        for spool in self._spools:
            spool.close()
        self.invalid.close()

    def __enter__(self) -> GradedBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grade_batch(
    files: Sequence[str],
    *,
    rubric_path: Path | None = None,
    jobs: int = 1,
    skipped: int = 0,
    missing: Sequence[FileFailure] = (),
    quotas: Mapping[str, Decimal] | None = None,
    rubric_quotas: bool = False,
    on_progress: Progress | None = None,
    cache_dir: Path | None = None,
    render: Render | None = None,
    keep_results: bool = True,
) -> GradedBatch:
    """Grade ``files`` (``jobs`` processes) into a ``GradedBatch``; failures are recorded.

    Every unit is summarised against one rubric: the one given, or the first graded file's.
    A file asking for another rubric is recorded as a failure (grade such files separately).
    Quotas (percent per rating) are ``quotas``, over the rubric's own ``quotas:`` when
    ``rubric_quotas``; ``QuotaError`` is raised when one names a rating the rubric lacks.
    With ``cache_dir``, YAML files whose bytes were parsed before are not parsed again.
    ``render`` (a module-level function, one line per result) runs where each file is graded;
    its lines are spooled for ``Report.rendered()``. Without ``keep_results`` full results are
    not spooled and ``Report.results()`` must not be called (a writer that only needs the
    summary and the rendered lines).
    """
    rows = _spool("lianchuang-rows-")
    results = _spool("lianchuang-spool-") if keep_results else None
    rendered = _spool("lianchuang-rendered-") if render is not None else None
    spools = [spool for spool in (rows, results, rendered) if spool is not None]
    invalid = FailureSpool(missing)
    try:
        builder = SummaryBuilder(RowStore(rows))
        batch: RubricKey | None = None
        index = 0
        chunks = _graded_chunks(files, rubric_path, jobs, cache_dir, render, keep_results)
        with closing(chunks):
            for items, tallies in chunks:
                for item in items:
                    if isinstance(item, FileFailure):
                        invalid.append(item)
                    else:
                        rubric, key, row, text, pickled = item
                        if batch is None:
                            batch = rubric
                        if rubric != batch:
                            invalid.append(_mixed_rubric(key[4], batch[0], tallies[rubric].rubric))
                        else:
                            builder.add_unit(index, key, row, file=files[index])
                            if results is not None and pickled is not None:
                                results.write(pickled)
                            if rendered is not None and text is not None:
                                rendered.write(text)
                    index += 1
                    if on_progress is not None:
                        on_progress(index)
                if batch is not None and batch in tallies:
                    builder.merge(tallies[batch])
        caps = dict(quotas or {})
        if rubric_quotas and builder.rubric is not None:
            caps = {**declared_quotas(builder.rubric.id, rubric_path), **caps}
        summary = builder.finish(
            files=len(files) + len(missing),
            invalid=len(invalid),
            skipped=skipped,
            quotas=caps,
        )
    except BaseException:
        for spool in spools:
            spool.close()
        invalid.close()
        raise
    return GradedBatch(summary, invalid, spools, results, rendered)


def declared_quotas(rubric_id: str, rubric_path: Path | None) -> dict[str, Decimal]:
    """The quotas a rubric declares (its file was already loaded and checked while grading)."""
    path = rubric_path or shipped_rubrics_dir() / f"{rubric_id}.yaml"
    return {quota.rating: quota.max_percent for quota in load_rubric(path).rubric.quotas}


def _mixed_rubric(file: str, batch_rubric: str, rubric: RubricInfo) -> FileFailure:
    message = (
        f"本批文件按考评细则“{batch_rubric}”汇总排名，此文件使用细则“{rubric.id}”"
        f"（{rubric.version}版）；不同细则的文件请分开评分，"
        "村、乡镇、县三级材料在同一文件夹时请用 lianchuang grade-tree"
    )
    return FileFailure(file, (Problem(file, 1, 1, message, code="mixed-rubric"),))


class _Grader:
    """Grades files and summarises each graded unit where it was graded (worker or parent)."""

    def __init__(
        self,
        rubric_path: Path | None,
        cache_dir: Path | None,
        render: Render | None,
        keep_results: bool,
    ) -> None:
        self.rubric_path = rubric_path
        self.cache = _open_cache(cache_dir)
        self.render = render
        self.keep_results = keep_results

    def grade(self, paths: list[str]) -> Chunk:
        """Each file's failure or graded unit, in order, and the sums of the units by rubric."""
        items: list[FileFailure | Graded] = []
        tallies: dict[RubricKey, Tally] = {}
        render = self.render
        for path in paths:
            line = None
            if self.cache is None:
                result = grade_file(path, rubric_path=self.rubric_path)
            else:  # the cache may have the line already (re-rated results)
                result, line = self.cache.grade_rendered(
                    path, rubric_path=self.rubric_path, render=render
                )
            if isinstance(result, FileFailure):
                items.append(result)
                continue
            rubric = (result.rubric_id, result.rubric_sha256)
            tally = tallies.get(rubric)
            if tally is None:
                tally = tallies[rubric] = Tally.of(result)
            tally.add(result)
            items.append(
                (
                    rubric,
                    unit_key(result),
                    encode_row(result),
                    None if render is None else (line or render(result)) + b"\n",
                    pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                    if self.keep_results
                    else None,
                )
            )
        return items, tallies


def _open_cache(cache_dir: Path | None) -> EvidenceCache | None:
    if cache_dir is None:
        return None
    # Imported only when asked for: sqlite3 and json are start-up time ``score`` need not pay.
    from lianchuang_cli.grading_cache import EvidenceCache

    return EvidenceCache(cache_dir)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _grade_chunk(
    task: tuple[list[str], Path | None, Path | None, Render | None, bool],
) -> Chunk:
    """Grade one chunk in a worker process."""
    paths, rubric_path, cache_dir, render, keep_results = task
    return _Grader(rubric_path, cache_dir, render, keep_results).grade(paths)


def _init_worker(parent: int) -> None:
    # Ctrl-C is handled once, by the parent, which then stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent that leaves at once (a second Ctrl-C, or the command line's immediate exit) cannot
    # stop a worker the pool was just restarting; such a worker must not wait for work forever.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


IN_PROCESS_CHUNK = 16
"""Files graded in this process between two hand-overs to the summary (``jobs=1``)."""


def _graded_chunks(
    files: Sequence[str],
    rubric_path: Path | None,
    jobs: int,
    cache_dir: Path | None,
    render: Render | None,
    keep_results: bool,
) -> Generator[Chunk, None, None]:
    """The files graded in chunks, in input order."""
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        grader = _Grader(rubric_path, cache_dir, render, keep_results)
        for chunk in _chunks(files, IN_PROCESS_CHUNK):
            yield grader.grade(chunk)
        return
    import multiprocessing

    # Small chunks keep every worker busy to the end; large ones cut the messaging cost.
    size = max(1, min(64, len(files) // (jobs * 8)))
    tasks = (
        (chunk, rubric_path, cache_dir, render, keep_results) for chunk in _chunks(files, size)
    )
    context: Any = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    # Workers must never see Ctrl-C (the parent stops them): block SIGINT while forking, so a
    # worker starts with it blocked and then ignores it; the parent gets a pending one on unblock.
    # The pending Ctrl-C arrives as soon as SIGINT is unblocked, so the pool must already be in
    # the hands of the ``try`` that terminates it (else its workers would wait for work forever).
    blocking = hasattr(signal, "pthread_sigmask")
    pool = None
    try:
        if blocking:
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pool = context.Pool(jobs, initializer=_init_worker, initargs=(os.getpid(),))
        finally:
            if blocking:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        yield from pool.imap(_grade_chunk, tasks)
        pool.close()
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.join()
