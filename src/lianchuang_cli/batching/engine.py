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
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import closing
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol, TypeVar

from msgspec import Struct

from lianchuang_cli.batching.batch_failures import duplicate_code, mixed_rubric, other_rubric
from lianchuang_cli.batching.failure_spool import FailureSpool
from lianchuang_cli.batching.spool import (
    Record,
    Shared,
    Spool,
    spool_record,
    spooled,
    temporary_spool,
)
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.grading.rubrics import PLAIN, RubricLoader
from lianchuang_cli.model.rubric import Rubric, shipped_rubrics_dir
from lianchuang_cli.reports.batch_report import RankedResult, Report, ReportOptions
from lianchuang_cli.reports.json_line import Render
from lianchuang_cli.scoring.placing import QUOTA_POOLS
from lianchuang_cli.scoring.ranking import Placement, UnitKey, unit_key
from lianchuang_cli.scoring.results import (
    FileFailure,
    FileOutcome,
    SkippedEntry,
    UnitFacts,
    UnitResult,
)
from lianchuang_cli.scoring.row_store import RowStore, encode_row
from lianchuang_cli.scoring.summary import BatchSummary, SummaryBuilder
from lianchuang_cli.scoring.tally import Tally

if TYPE_CHECKING:
    from lianchuang_cli.caching.grading_cache import EvidenceCache

Progress = Callable[[int], None]

RubricKey = tuple[str, str]  # (rubric id, sha256)
# A graded unit as its grader hands it over: rubric, ranking key, encoded ranking row, rendered
# line (no newline) and pickled result.
Graded = tuple[RubricKey, UnitKey, bytes, Record, Record]
# A chunk as its grader hands it over: each file's failure or graded unit, the units' sums by
# rubric, and how many cache entries the chunk's grading rejected (``cache_trust``).
Chunk = tuple[list[FileFailure | Graded], dict[RubricKey, Tally], int]

T = TypeVar("T", covariant=True)


def default_jobs() -> int:
    """All CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class GradedBatch:
    """Graded files: the summary in memory; rows, results and failures in spool files."""

    def __init__(
        self,
        summary: BatchSummary,
        invalid: FailureSpool,
        rows: IO[bytes],
        results: Spool | None,
        rendered: Spool | None,
        cache_rejected: int = 0,
    ):
        self.summary = summary
        self.invalid = invalid
        self.cache_rejected = cache_rejected
        """Cache entries that failed their seal and were graded afresh (say so once)."""
        self.duplicates: dict[int, str] = {}
        """Input index → unit code of the units whose code another unit of the batch has."""
        self._rows = rows
        self._results = results
        self._rendered = rendered

    def results(self) -> Iterator[RankedResult]:
        """Every graded unit in input order, with its placement; may be called more than once."""
        if self._results is None:
            raise RuntimeError("grade_batch(keep_results=False): full results were not kept")
        placements = self.summary.placements.in_input_order()
        for record, placement in zip(self._results, placements, strict=True):
            yield RankedResult(pickle.loads(record), placement)

    def rendered(self) -> Iterator[tuple[bytes, Placement]]:
        """Every graded unit's pre-rendered line (no newline) in input order, with its placement."""
        if self._rendered is None:
            return
        yield from zip(self._rendered, self.summary.placements.in_input_order(), strict=True)

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
        _close(self._rows, self._results, self._rendered, self.invalid)

    def __enter__(self) -> GradedBatch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grade_batch(
    files: Sequence[str],
    *,
    rubric_path: Path | None = None,
    jobs: int = 1,
    skipped: Sequence[SkippedEntry] = (),
    missing: Sequence[FileFailure] = (),
    quotas: Mapping[str, Decimal] | None = None,
    rubric_quotas: bool = False,
    on_progress: Progress | None = None,
    cache_dir: Path | None = None,
    render: Render | None = None,
    keep_results: bool = True,
    loader: RubricLoader = PLAIN,
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
    summary and the rendered lines). Rubrics are loaded by ``loader``, here and in the workers.
    """
    options = _Options(
        rubric_path, jobs, quotas, rubric_quotas, cache_dir, render, keep_results, loader
    )
    graded = _grade_batch(files, options, skipped, missing, on_progress)
    duplicates = graded.duplicates
    if not duplicates:
        return graded
    # One unit, one result: files sharing a unit code are errors, and the batch is summarised
    # again without them (rare, and a failed run anyway; the cache makes the second pass cheap).
    graded.close()
    failures = [duplicate_code(files, index, duplicates) for index in sorted(duplicates)]
    rest = [file for i, file in enumerate(files) if i not in duplicates]
    again = _grade_batch(rest, options, skipped, [*missing, *failures], None)
    again.cache_rejected += graded.cache_rejected
    return again


class _Options(Struct, frozen=True):
    rubric_path: Path | None
    jobs: int
    quotas: Mapping[str, Decimal] | None
    rubric_quotas: bool
    cache_dir: Path | None
    render: Render | None
    keep_results: bool
    loader: RubricLoader


def _grade_batch(
    files: Sequence[str],
    options: _Options,
    skipped: Sequence[SkippedEntry],
    missing: Sequence[FileFailure],
    on_progress: Progress | None,
) -> GradedBatch:
    rubric_path, jobs, cache_dir = options.rubric_path, options.jobs, options.cache_dir
    render, keep_results = options.render, options.keep_results
    rows = temporary_spool("lianchuang-rows-")
    results = Spool("lianchuang-spool-") if keep_results else None
    rendered = Spool("lianchuang-rendered-") if render is not None else None
    invalid = FailureSpool(missing)
    # Failures met before the batch's rubric is known wait here (on disk, in order): a file
    # that failed another rubric is then told what it is rather than what it lacks.
    waiting: FailureSpool | None = FailureSpool()
    try:
        builder = SummaryBuilder(RowStore(rows))
        batch: RubricKey | None = None
        index = 0
        spools = {"results": results, "rendered": rendered}
        if cache_dir is not None:  # UnsafeCacheFolder before forking: one clear refusal
            from lianchuang_cli.caching.cache_trust import folder_key

            folder_key(cache_dir)
        rejected = 0
        work = _BatchWork(rubric_path, cache_dir, render, keep_results, options.loader)
        chunks = graded_chunks(files, jobs=jobs, work=work, spools=spools)
        with closing(chunks):
            for items, tallies, chunk_rejected in chunks:
                rejected += chunk_rejected
                for item in items:
                    if isinstance(item, FileFailure):
                        if waiting is not None:
                            waiting.append(item)
                        else:
                            invalid.append(other_rubric(item, batch))
                    else:
                        rubric, key, row, text, pickled = item
                        if batch is None:
                            batch = rubric
                            _flush(waiting, invalid, batch)
                            waiting = None
                        if rubric != batch:
                            invalid.append(mixed_rubric(key[4], batch[0], tallies[rubric].rubric))
                        else:
                            builder.add_unit(index, key, row, file=files[index])
                            spool_record(results, pickled)
                            spool_record(rendered, text)
                    index += 1
                    if on_progress is not None:
                        on_progress(index)
                if batch is not None and batch in tallies:
                    builder.merge(tallies[batch])
        _flush(waiting, invalid, batch)
        waiting = None
        quotas, rubric_quotas = options.quotas, options.rubric_quotas
        caps = dict(quotas or {})
        duplicates = builder.duplicate_codes()
        ties, pool = "committee", ""
        if builder.rubric is not None and (rubric_quotas or caps):
            declared = _batch_rubric(builder.rubric.id, options)
            if rubric_quotas:
                caps = {**{q.rating: q.max_percent for q in declared.quotas}, **caps}
            if caps:  # the rubric's rule for ties at the cut-off, and the units its quotas count
                ties, pool = (
                    declared.quota_ties,
                    QUOTA_POOLS.get(("batch", declared.quota_scope), ""),
                )
        summary = builder.finish(
            files=len(files) + len(missing),
            invalid=len(invalid),
            skipped=len(skipped),
            skipped_entries=tuple(skipped),
            quotas=caps,
            quota_ties=ties,
            quota_pool=pool,
        )
        for spool in (results, rendered):
            if spool is not None:
                spool.file.flush()
    except BaseException:
        _close(rows, results, rendered, invalid, waiting)
        raise
    graded = GradedBatch(summary, invalid, rows, results, rendered, rejected)
    graded.duplicates = duplicates
    return graded


def _flush(waiting: FailureSpool | None, invalid: FailureSpool, batch: RubricKey | None) -> None:
    """Move the failures that waited for the batch's rubric into ``invalid``, in order."""
    if waiting is not None:
        for failure in waiting:
            invalid.append(other_rubric(failure, batch))
        waiting.close()


def _close(*spools: IO[bytes] | Spool | FailureSpool | None) -> None:
    for spool in spools:
        if spool is not None:
            spool.close()


def _batch_rubric(rubric_id: str, options: _Options) -> Rubric:
    """The batch's rubric (its file was already loaded and checked while grading)."""
    path = options.rubric_path or shipped_rubrics_dir() / f"{rubric_id}.yaml"
    return options.loader.load(path).rubric


class _Grader:
    """Grades files and summarises each graded unit where it was graded (worker or parent).

    In a forked worker given ``shared`` spools, the rendered lines and pickled results of a
    chunk are written straight into the parent's spool files (one write per chunk and spool)
    rather than sent through the pool's pipe for the parent to receive and write again.
    """

    def __init__(
        self,
        rubric_path: Path | None,
        cache_dir: Path | None,
        render: Render | None,
        keep_results: bool,
        loader: RubricLoader,
        shared: Shared | None = None,
    ) -> None:
        self.rubric_path = rubric_path
        self.loader = loader
        self.cache = open_cache(cache_dir, loader)
        self.render = render
        self.keep_results = keep_results
        self.shared = shared or {}

    def grade(self, paths: list[str]) -> Chunk:
        """Each file's failure or graded unit, in order, and the sums of the units by rubric."""
        items: list[FileFailure | Graded] = []
        tallies: dict[RubricKey, Tally] = {}
        render = self.render
        rejected_before = 0 if self.cache is None else self.cache.rejected
        if self.cache is not None:
            self.cache.read_ahead(paths)
        for path in paths:
            line = None
            result: FileOutcome | UnitFacts
            if self.cache is None:
                result = grade_file(path, rubric_path=self.rubric_path, loader=self.loader)
            else:  # the cache may have the line already (re-rated results)
                # Facts (no decoded result) will do unless the writer reads whole results.
                result, line = self.cache.grade_rendered(
                    path, rubric_path=self.rubric_path, render=render, facts=not self.keep_results
                )
            if isinstance(result, FileFailure):
                items.append(result)
                continue
            if line is None and render is not None:
                assert isinstance(result, UnitResult)  # facts always come with their line
                line = render(result).text
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
                    line,
                    pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
                    if self.keep_results
                    else None,
                )
            )
        if self.shared:
            items = self._write_shared(items)
        rejected = 0 if self.cache is None else self.cache.rejected - rejected_before
        return items, tallies, rejected

    def _write_shared(self, items: list[FileFailure | Graded]) -> list[FileFailure | Graded]:
        located: dict[int, list[Record]] = {}
        for field, name in ((3, "rendered"), (4, "results")):
            records = [item[field] for item in items if not isinstance(item, FileFailure)]
            blobs = [record for record in records if isinstance(record, bytes)]
            if name not in self.shared or not blobs:
                continue
            located[field] = spooled(self.shared, name, blobs)
        if not located:
            return items
        handed: list[FileFailure | Graded] = []
        graded = 0
        for item in items:
            if not isinstance(item, FileFailure):
                rubric, key, row, text, pickled = item
                text = located[3][graded] if 3 in located else text
                pickled = located[4][graded] if 4 in located else pickled
                item = (rubric, key, row, text, pickled)
                graded += 1
            handed.append(item)
        return handed


def open_cache(cache_dir: Path | None, loader: RubricLoader) -> EvidenceCache | None:
    """The evidence cache in ``cache_dir``, if one is given (loading rubrics by ``loader``)."""
    if cache_dir is None:
        return None
    # Imported only when asked for: sqlite3 and json are start-up time ``score`` need not pay.
    from lianchuang_cli.caching.grading_cache import EvidenceCache

    return EvidenceCache(cache_dir, loader)


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


POOL_CHUNK = 64
"""Most files a worker grades between two hand-overs (``jobs`` > 1)."""


def pool_chunks(files: Sequence[str], jobs: int) -> Iterator[list[str]]:
    """Chunks for a pool of ``jobs`` workers: large ones while much is left (each hand-over
    costs messaging), then smaller and smaller, so that the workers finish together rather
    than one grading a last large chunk while the others wait (measured on 2,000 files with
    fixed chunks of 64: one worker idle for 0.18–0.39 s at the end)."""
    start = 0
    while start < len(files):
        size = max(1, min(POOL_CHUNK, (len(files) - start) // (jobs * 4)))
        yield list(files[start : start + size])
        start += size


class Work(Protocol[T]):
    """What the graders do with the files, and their cache (picklable: sent to the workers)."""

    @property
    def cache_dir(self) -> Path | None: ...

    def grader(self, shared: Shared) -> Callable[[list[str]], T]:
        """A function that grades one chunk of files into what the parent takes in; ``shared``:
        the parent's spools, when it runs in a forked worker."""
        ...


class _BatchWork(Struct, frozen=True):
    """``batch``'s work: each file graded and summarised (``_Grader``)."""

    rubric_path: Path | None
    cache_dir: Path | None
    render: Render | None
    keep_results: bool
    loader: RubricLoader

    def grader(self, shared: Shared) -> Callable[[list[str]], Chunk]:
        return _Grader(
            self.rubric_path, self.cache_dir, self.render, self.keep_results, self.loader, shared
        ).grade


def _grade_chunk(task: tuple[Work[Any], list[str]]) -> Any:
    """Grade one chunk in a worker process."""
    work, paths = task
    return work.grader(_shared)(paths)


_shared: Shared = {}
"""In a forked worker: the parent's spool files the worker writes into."""


def _init_worker(parent: int, shared: Shared, spawned: bool) -> None:
    global _shared
    _shared = shared
    # Ctrl-C is handled once, by the parent, which then stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from lianchuang_cli.batching.worker_pool import settle_worker

    settle_worker(parent, spawned=spawned)


START_METHOD: str | None = None
"""How worker processes start; None: ``start_method()`` decides (tests set "spawn" to run the
Windows path on Linux)."""


def start_method() -> str:
    """``fork`` where the platform has it: workers then write into the parent's spool files.
    ``spawn`` elsewhere (Windows): workers send their records through the pool's pipe, one chunk
    at a time, and the parent appends them to the spools, so memory stays flat either way."""
    if START_METHOD is not None:
        return START_METHOD
    return "fork" if hasattr(os, "fork") and hasattr(os, "pwrite") else "spawn"


IN_PROCESS_CHUNK = 16
"""Files graded in this process between two hand-overs to the summary (``jobs=1``)."""


def graded_chunks(
    files: Sequence[str], *, jobs: int, work: Work[T], spools: Mapping[str, Spool | None]
) -> Generator[T, None, None]:
    """The files graded by ``work`` in chunks (``jobs`` processes), in input order; forked
    workers may write records straight into ``spools`` (``spooled``)."""
    jobs = max(1, min(jobs, len(files)))
    if jobs == 1:
        grader = work.grader({})
        for chunk in _chunks(files, IN_PROCESS_CHUNK):
            yield grader(chunk)
        return
    import multiprocessing

    from lianchuang_cli.batching.worker_pool import WorkerPool

    tasks = ((work, chunk) for chunk in pool_chunks(files, jobs))
    method = start_method()
    forking = method == "fork"
    context: Any = multiprocessing.get_context(method)
    # Forked workers inherit the spool files and write into them (see ``_Grader``).
    shared: Shared = {}
    if forking:
        for name, spool in spools.items():
            if spool is not None:
                spool.file.flush()
                shared[name] = (spool.file.fileno(), context.Value("q", 0))
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
            pool = WorkerPool(
                jobs, _init_worker, (os.getpid(), shared, not forking), context=context
            )
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
    if work.cache_dir is not None:  # two workers closing at once each leave the log: fold it in
        from lianchuang_cli.caching.cache_store import fold_log

        fold_log(work.cache_dir)
