"""The grading engine shared by ``score`` and ``batch``: grade many files, in order, flat in memory.

Files are graded in chunks, in this process (``jobs=1``) or across a pool of worker processes;
results come back in input order whatever the worker count. Each graded result is appended to a
temporary spool file and only a compact summary row stays in memory; reporters read the spool
back through ``Report.results()``. The spool is private to this run and deleted on close.
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
from typing import IO, Any

from lianchuang_cli.errors import Problem
from lianchuang_cli.failure_spool import FailureSpool
from lianchuang_cli.grading import grade_file
from lianchuang_cli.grading_cache import EvidenceCache
from lianchuang_cli.model.rubric import load_rubric, shipped_rubrics_dir
from lianchuang_cli.report import RankedResult, Report, ReportOptions
from lianchuang_cli.results import FileFailure, FileOutcome, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, SummaryBuilder

Progress = Callable[[int], None]


def default_jobs() -> int:
    """All CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class GradedBatch:
    """Graded files: the summary in memory; full results and failures in spool files."""

    def __init__(self, spool: IO[bytes], summary: BatchSummary, invalid: FailureSpool):
        self._spool = spool
        self.summary = summary
        self.invalid = invalid

    def results(self) -> Iterator[RankedResult]:
        """Every graded unit in input order, with its placement; may be called more than once."""
        self._spool.seek(0)
        placements = self.summary.placements
        while True:
            try:
                index = pickle.load(self._spool)
            except EOFError:
                return
            yield RankedResult(pickle.load(self._spool), placements[index])

    def report(self, options: ReportOptions | None = None) -> Report:
        """The batch as reporters take it."""
        return Report(self.summary, self.results, self.invalid, options or ReportOptions())

    def close(self) -> None:
        """Delete the spools."""
        self._spool.close()
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
) -> GradedBatch:
    """Grade ``files`` (``jobs`` processes) into a ``GradedBatch``; failures are recorded.

    Every unit is summarised against one rubric: the one given, or the first graded file's.
    A file asking for another rubric is recorded as a failure (grade such files separately).
    Quotas (percent per rating) are ``quotas``, over the rubric's own ``quotas:`` when
    ``rubric_quotas``; ``QuotaError`` is raised when one names a rating the rubric lacks.
    With ``cache_dir``, YAML files whose bytes were parsed before are not parsed again.
    """
    # Closed by GradedBatch.close(), or below if grading fails or is interrupted.
    spool = tempfile.TemporaryFile(prefix="lianchuang-spool-")  # noqa: SIM115
    try:
        builder = SummaryBuilder()
        invalid = FailureSpool(missing)
        done = 0
        with closing(_outcomes(files, rubric_path, jobs, cache_dir)) as outcomes:
            for index, (outcome, pickled) in enumerate(outcomes):
                if isinstance(outcome, UnitResult) and builder.rubric is not None:
                    outcome = _check_same_rubric(outcome, builder.rubric.id, builder.rubric.sha256)
                if isinstance(outcome, FileFailure):
                    invalid.append(outcome)
                else:
                    builder.add(index, outcome)
                    # Spool records: the index, then the result as pickled by whoever graded it.
                    pickle.dump(index, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    spool.write(pickled or pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                done += 1
                if on_progress is not None:
                    on_progress(done)
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
        spool.close()
        if "invalid" in locals():
            invalid.close()
        raise
    return GradedBatch(spool, summary, invalid)


def declared_quotas(rubric_id: str, rubric_path: Path | None) -> dict[str, Decimal]:
    """The quotas a rubric declares (its file was already loaded and checked while grading)."""
    path = rubric_path or shipped_rubrics_dir() / f"{rubric_id}.yaml"
    return {quota.rating: quota.max_percent for quota in load_rubric(path).rubric.quotas}


def _check_same_rubric(result: UnitResult, rubric_id: str, sha256: str) -> FileOutcome:
    if result.rubric_id == rubric_id and result.rubric_sha256 == sha256:
        return result
    message = (
        f"本批文件按考评细则“{rubric_id}”汇总排名，此文件使用细则“{result.rubric_id}”"
        f"（{result.rubric_version}版）；不同细则的文件请分开评分，"
        "村、乡镇、县三级材料在同一文件夹时请用 lianchuang grade-tree"
    )
    return FileFailure(result.file, (Problem(result.file, 1, 1, message, code="mixed-rubric"),))


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _grade_chunk(task: tuple[list[str], Path | None, Path | None]) -> list[FileFailure | bytes]:
    """Grade in a worker; graded results come back pickled, as the spool stores them.

    The parent then unpickles each result once (for the summary) and never pickles it again.
    """
    paths, rubric_path, cache_dir = task
    cache = None if cache_dir is None else EvidenceCache(cache_dir)
    graded: list[FileFailure | bytes] = []
    for path in paths:
        outcome = grade_file(path, rubric_path=rubric_path, cache=cache)
        if isinstance(outcome, FileFailure):
            graded.append(outcome)
        else:
            graded.append(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    return graded


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


def _outcomes(
    files: Sequence[str], rubric_path: Path | None, jobs: int, cache_dir: Path | None
) -> Generator[tuple[FileOutcome, bytes | None], None, None]:
    """Each file's outcome in input order, with its pickled form when a worker made one."""
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        cache = None if cache_dir is None else EvidenceCache(cache_dir)
        for path in files:
            yield grade_file(path, rubric_path=rubric_path, cache=cache), None
        return
    import multiprocessing

    # Small chunks keep every worker busy to the end; large ones cut the messaging cost.
    size = max(1, min(64, len(files) // (jobs * 8)))
    tasks = ((chunk, rubric_path, cache_dir) for chunk in _chunks(files, size))
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
        for graded in pool.imap(_grade_chunk, tasks):
            for item in graded:
                if isinstance(item, bytes):
                    yield pickle.loads(item), item
                else:
                    yield item, None
        pool.close()
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.join()
