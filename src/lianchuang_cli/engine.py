"""The grading engine shared by ``score`` and ``batch``: grade many files, in order, flat in memory.

Files are graded in chunks, in this process (``jobs=1``) or across a pool of worker processes;
results come back in input order whatever the worker count. Each graded result is appended to a
temporary spool file and only a compact summary row stays in memory; reporters read the spool
back through ``Report.results()``. With a ``render`` function (the output format's), each result
is also rendered where it was graded, in the workers, into a text spool that reporters read back
through ``Report.rendered()``. The spools are private to this run and deleted on close.
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
from lianchuang_cli.results import FileFailure, FileOutcome, UnitResult
from lianchuang_cli.scoring.summary import BatchSummary, Placement, SummaryBuilder

if TYPE_CHECKING:
    from lianchuang_cli.grading_cache import EvidenceCache

Progress = Callable[[int], None]
Render = Callable[[UnitResult], str]


def default_jobs() -> int:
    """All CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class GradedBatch:
    """Graded files: the summary in memory; full results and failures in spool files."""

    def __init__(
        self,
        spool: IO[bytes],
        summary: BatchSummary,
        invalid: FailureSpool,
        rendered: IO[str] | None = None,
    ):
        self._spool = spool
        self._rendered = rendered
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

    def rendered(self) -> Iterator[tuple[str, Placement]]:
        """Every graded unit's pre-rendered text in input order, with its placement."""
        if self._rendered is None:
            return
        self._rendered.seek(0)
        placements = self.summary.placements
        for line in self._rendered:
            index, _, text = line.partition("\t")
            yield text[:-1], placements[int(index)]

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
        self._spool.close()
        if self._rendered is not None:
            self._rendered.close()
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
) -> GradedBatch:
    """Grade ``files`` (``jobs`` processes) into a ``GradedBatch``; failures are recorded.

    Every unit is summarised against one rubric: the one given, or the first graded file's.
    A file asking for another rubric is recorded as a failure (grade such files separately).
    Quotas (percent per rating) are ``quotas``, over the rubric's own ``quotas:`` when
    ``rubric_quotas``; ``QuotaError`` is raised when one names a rating the rubric lacks.
    With ``cache_dir``, YAML files whose bytes were parsed before are not parsed again.
    ``render`` (a module-level function, one line of text per result) runs where each file is
    graded; its texts are spooled for ``Report.rendered()``.
    """
    # Closed by GradedBatch.close(), or below if grading fails or is interrupted.
    spool = tempfile.TemporaryFile(prefix="lianchuang-spool-")  # noqa: SIM115
    rendered = None
    try:
        if render is not None:
            rendered = tempfile.TemporaryFile(  # noqa: SIM115
                "w+", encoding="utf-8", newline="\n", prefix="lianchuang-rendered-"
            )
        builder = SummaryBuilder()
        invalid = FailureSpool(missing)
        done = 0
        with closing(_outcomes(files, rubric_path, jobs, cache_dir, render)) as outcomes:
            for index, (outcome, pickled, text) in enumerate(outcomes):
                if isinstance(outcome, UnitResult) and builder.rubric is not None:
                    outcome = _check_same_rubric(outcome, builder.rubric.id, builder.rubric.sha256)
                if isinstance(outcome, FileFailure):
                    invalid.append(outcome)
                else:
                    builder.add(index, outcome)
                    # Spool records: the index, then the result as pickled by whoever graded it.
                    pickle.dump(index, spool, protocol=pickle.HIGHEST_PROTOCOL)
                    spool.write(pickled or pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                    if rendered is not None and render is not None:
                        if text is None:
                            text = render(outcome)
                        rendered.write(f"{index}\t{text}\n")
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
        if rendered is not None:
            rendered.close()
        if "invalid" in locals():
            invalid.close()
        raise
    return GradedBatch(spool, summary, invalid, rendered)


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


def _grade_chunk(
    task: tuple[list[str], Path | None, Path | None, Render | None],
) -> list[FileFailure | tuple[bytes, str | None]]:
    """Grade in a worker; graded results come back pickled, as the spool stores them.

    The parent then unpickles each result once (for the summary) and never pickles it again.
    With ``render``, each result's text comes along, rendered here rather than in the parent.
    """
    paths, rubric_path, cache_dir, render = task
    cache = _open_cache(cache_dir)
    graded: list[FileFailure | tuple[bytes, str | None]] = []
    for path in paths:
        outcome = grade_file(path, rubric_path=rubric_path, cache=cache)
        if isinstance(outcome, FileFailure):
            graded.append(outcome)
        else:
            text = None if render is None else render(outcome)
            graded.append((pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL), text))
    return graded


def _open_cache(cache_dir: Path | None) -> EvidenceCache | None:
    if cache_dir is None:
        return None
    # Imported only when asked for: sqlite3 and json are start-up time ``score`` need not pay.
    from lianchuang_cli.grading_cache import EvidenceCache

    return EvidenceCache(cache_dir)


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
    files: Sequence[str],
    rubric_path: Path | None,
    jobs: int,
    cache_dir: Path | None,
    render: Render | None,
) -> Generator[tuple[FileOutcome, bytes | None, str | None], None, None]:
    """Each file's outcome in input order, with its pickled and rendered forms when a worker
    made them (in this process the caller renders: a result of another rubric is not kept)."""
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        cache = _open_cache(cache_dir)
        for path in files:
            yield grade_file(path, rubric_path=rubric_path, cache=cache), None, None
        return
    import multiprocessing

    # Small chunks keep every worker busy to the end; large ones cut the messaging cost.
    size = max(1, min(64, len(files) // (jobs * 8)))
    tasks = ((chunk, rubric_path, cache_dir, render) for chunk in _chunks(files, size))
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
                if isinstance(item, tuple):
                    pickled, text = item
                    yield pickle.loads(pickled), pickled, text
                else:
                    yield item, None, None
        pool.close()
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    finally:
        if pool is not None:
            pool.join()
