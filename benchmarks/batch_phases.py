"""Phase breakdown of ``batch --jobs N``: wall and CPU time of each phase, parent and workers.

The machine these benchmarks run on is shared, so the wall-clock speed-up of ``--jobs 2`` over
``--jobs 1`` is not reliable there. This module runs the command line under a tracer instead (the
tool itself is not changed: the tracer wraps a few engine functions from outside, in the
benchmark's child process) and records, on the one monotonic clock all processes share:

* the parent: interpreter start, start-up until the files are found, the pool started, the first
  and the last chunk received, the pool joined, the batch summarised, the report written, exit;
  its CPU time at each of those points;
* each worker (forked): when it started, and for every chunk when it began and ended and the
  worker's CPU time by then. Spawned workers (``LIANCHUANG_TRACE_START_METHOD=spawn``, the
  Windows path) are not traced: their CPU is the process tree's beyond the parent's, shared
  evenly, and "first chunk" is when the parent received it.

From those figures ``predict`` derives the wall time a machine with ``jobs`` idle cores would
show: the parent's CPU before the pool and after the last chunk is serial; in between, the
workers' CPU and the parent's own share the cores. ``bench_batch.py --phases`` prints it.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

TRACER = r"""
import atexit, json, os, sys, time
marks = [("process start", time.monotonic(), time.process_time())]
trace_path = sys.argv[1]
def mark(name):
    marks.append((name, time.monotonic(), time.process_time()))
def save():
    mark("exit")
    with open(trace_path + ".parent", "w") as out:
        json.dump(marks, out)
atexit.register(save)

import multiprocessing.pool
from lianchuang_cli.batching import discovery, engine
from lianchuang_cli.commands import batch as batch_command
mark("imported")

def wrap(module, name, before, after):
    function = getattr(module, name)
    def wrapper(*args, **kwargs):
        mark(before)
        try:
            return function(*args, **kwargs)
        finally:
            mark(after)
    setattr(module, name, wrapper)

wrap(discovery, "find_evidence", "discovery start", "discovery end")
wrap(engine, "grade_batch", "grade_batch start", "grade_batch end")
wrap(batch_command, "write_report", "report start", "report end")

pool_init = multiprocessing.pool.Pool.__init__
def traced_pool_init(self, *args, **kwargs):
    mark("pool start")
    pool_init(self, *args, **kwargs)
    mark("pool started")
multiprocessing.pool.Pool.__init__ = traced_pool_init

chunks = engine.graded_chunks
def traced_chunks(*args, **kwargs):
    mark("chunks start")
    for chunk in chunks(*args, **kwargs):
        mark("chunk")
        yield chunk
    mark("chunks end")
engine.graded_chunks = traced_chunks

# In forked workers: one line per chunk into a file of their own. (Pickled by reference as the
# engine's own functions: a spawned worker finds the originals.)
grade_chunk = engine._grade_chunk
def traced_grade_chunk(task):
    start = time.monotonic()
    result = grade_chunk(task)
    line = [os.getpid(), start, time.monotonic(), time.process_time(), len(task[1])]
    with open(f"{trace_path}.worker.{os.getpid()}", "a") as out:
        out.write(json.dumps(line) + "\n")
    return result
traced_grade_chunk.__module__ = grade_chunk.__module__
traced_grade_chunk.__qualname__ = grade_chunk.__qualname__
engine._grade_chunk = traced_grade_chunk

init_worker = engine._init_worker
def traced_init_worker(*args):
    with open(f"{trace_path}.worker.{os.getpid()}", "a") as out:
        out.write(json.dumps([os.getpid(), time.monotonic(), None, time.process_time(), 0]) + "\n")
    init_worker(*args)
traced_init_worker.__module__ = init_worker.__module__
traced_init_worker.__qualname__ = init_worker.__qualname__
engine._init_worker = traced_init_worker
# Spawned workers import the engine afresh and so run the untraced functions: their CPU is what
# the process tree used beyond the parent's (``phases``).
engine.START_METHOD = os.environ.get("LIANCHUANG_TRACE_START_METHOD") or None

from lianchuang_cli.entry import run
sys.argv = ["lianchuang", *sys.argv[2:]]
sys.exit(run())
"""


@dataclass(frozen=True)
class Worker:
    started: float  # wall, relative to the command's launch
    first_chunk: float
    last_end: float
    cpu: float  # CPU seconds when its last chunk was done
    chunks: int
    files: int


@dataclass(frozen=True)
class Trace:
    """One traced run: the parent's marks (name → (wall, CPU)) and its workers."""

    marks: dict[str, tuple[float, float]]
    chunk_marks: list[tuple[float, float]]
    workers: list[Worker]
    wall: float  # launch to the process's end, seen from outside
    cpu: float  # parent and workers, from the kernel's accounting of the process tree
    jobs: int


def trace(
    argv: Sequence[str],
    *,
    cwd: Path,
    stdout: Path,
    scratch: Path,
    env: dict[str, str] | None = None,
) -> Trace:
    """Run ``lianchuang ARGV`` under the tracer (in ``env``) and collect its marks."""
    base = scratch / f"trace-{time.monotonic_ns()}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    launch = time.monotonic()
    with open(stdout, "wb") as out:
        subprocess.run(
            [sys.executable, "-c", TRACER, str(base), *argv],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.DEVNULL,
            env=env,
            check=False,
        )
    wall = time.monotonic() - launch
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    raw = json.loads(Path(f"{base}.parent").read_text())
    marks: dict[str, tuple[float, float]] = {}
    chunk_marks = []
    for name, at, used in raw:
        if name == "chunk":
            chunk_marks.append((at - launch, used))
        else:
            marks.setdefault(name, (at - launch, used))
    workers = []
    for path in sorted(scratch.glob(f"{base.name}.worker.*")):
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        init = [line for line in lines if line[2] is None]
        chunks = [line for line in lines if line[2] is not None]
        if not chunks:
            continue
        workers.append(
            Worker(
                started=(init[0][1] if init else chunks[0][1]) - launch,
                first_chunk=chunks[0][1] - launch,
                last_end=chunks[-1][2] - launch,
                cpu=chunks[-1][3],
                chunks=len(chunks),
                files=sum(line[4] for line in chunks),
            )
        )
        path.unlink()
    Path(f"{base}.parent").unlink()
    jobs = int(argv[list(argv).index("--jobs") + 1]) if "--jobs" in argv else 1
    return Trace(marks, chunk_marks, workers, wall, cpu, jobs)


@dataclass(frozen=True)
class Phases:
    """A traced run in phases (seconds): wall and the parent's CPU, with the workers' CPU."""

    startup_wall: float  # launch → the workers forked (or the first chunk, in process)
    startup_cpu: float
    pool_start_wall: float  # the workers forked → the first worker begins a chunk
    grading_wall: float  # → the last chunk received by the parent
    grading_parent_cpu: float
    worker_cpu: tuple[float, ...]
    tail_wall: float  # last chunk received → pool joined → summary → report → exit
    tail_cpu: float
    join_wall: float
    report_wall: float
    exit_wall: float
    wall: float
    cpu: float
    worker_spread: float  # last worker's end − first worker's end


def phases(run: Trace) -> Phases:
    """Cut a traced run into start-up, grading (parallel) and tail (serial)."""
    marks = run.marks
    last_chunk = run.chunk_marks[-1]
    worker_cpu = tuple(w.cpu for w in run.workers)
    if run.workers:
        # Forking the workers is serial: the parent forks them one by one before any task goes out.
        begin = marks["pool started"]
        first_work = min(w.first_chunk for w in run.workers)
        ends = [w.last_end for w in run.workers]
        spread = max(ends) - min(ends)
    elif "pool started" in marks:  # spawned workers, untraced: from the parent's side
        begin = marks["pool started"]
        first_work = run.chunk_marks[0][0]  # the first chunk received, not begun
        spread = float("nan")
        # Shared evenly (the chunks shrink towards the end); the parent's teardown counts in.
        worker_cpu = ((run.cpu - marks["exit"][1]) / run.jobs,) * run.jobs
    else:  # in process: grading starts with the chunks
        begin = marks["chunks start"]
        first_work = begin[0]
        spread = 0.0
    exit_mark = marks["exit"]
    return Phases(
        startup_wall=begin[0],
        startup_cpu=begin[1],
        pool_start_wall=first_work - begin[0],
        grading_wall=last_chunk[0] - begin[0],
        grading_parent_cpu=last_chunk[1] - begin[1],
        worker_cpu=worker_cpu,
        tail_wall=run.wall - last_chunk[0],
        tail_cpu=exit_mark[1] - last_chunk[1],
        join_wall=marks["chunks end"][0] - last_chunk[0],
        report_wall=marks["report end"][0] - marks["report start"][0],
        exit_wall=run.wall - marks["report end"][0],
        wall=run.wall,
        cpu=run.cpu,
        worker_spread=spread,
    )


def predict(phase: Phases, cores: int) -> float:
    """Wall seconds on a machine with ``cores`` idle cores: serial start-up (the parent's CPU from
    its launch until the workers are forked) and tail, then the grading shared by the workers and
    the parent: no shorter than the busiest worker, nor than all of its CPU spread over the cores.
    Waiting for the pool to join after the last chunk counts too: the parent summarises only then,
    and spawned workers take their interpreter down first. Other waiting is not counted."""
    if not phase.worker_cpu:
        return phase.cpu
    # What the kernel counted beyond the marks is taken as serial: mostly the interpreter's
    # teardown after the last mark (about 0.02 s), and the workers' exit.
    work = sum(phase.worker_cpu) + phase.grading_parent_cpu
    grading = max(max(phase.worker_cpu), work / cores)
    accounted = (
        phase.startup_cpu + phase.grading_parent_cpu + sum(phase.worker_cpu) + phase.tail_cpu
    )
    unaccounted = max(0.0, phase.cpu - accounted)
    return phase.startup_cpu + grading + phase.join_wall + phase.tail_cpu + unaccounted


def median_phases(runs: list[Phases]) -> Phases:
    """The median of each figure over runs."""
    workers = max(len(r.worker_cpu) for r in runs)

    def med(name: str) -> float:
        return statistics.median(float(getattr(r, name)) for r in runs)

    return Phases(
        **{name: med(name) for name in Phases.__dataclass_fields__ if name != "worker_cpu"},
        worker_cpu=tuple(
            statistics.median(r.worker_cpu[i] for r in runs if len(r.worker_cpu) > i)
            for i in range(workers)
        ),
    )


def report(label: str, by_jobs: dict[int, list[Trace]]) -> float:
    """Print each run's phases (medians) and return the speed-up two idle cores would give."""
    print(
        f"\nphases of {label} (median of {len(by_jobs[1])}; seconds from launch; CPU: the parent's):"
    )
    predicted: dict[int, float] = {}
    for jobs, runs in by_jobs.items():
        cut = [phases(run) for run in runs]
        p = median_phases(cut)
        predicted[jobs] = statistics.median(predict(one, jobs) for one in cut)
        workers = " + ".join(f"{c:.2f}" for c in p.worker_cpu)
        apart = "?" if p.worker_spread != p.worker_spread else f"{p.worker_spread:.3f}"  # NaN
        during = f"workers {workers} CPU (ends {apart} apart), " if workers else ""
        print(
            f"  --jobs {jobs}: start-up {p.startup_wall:.3f} wall / {p.startup_cpu:.3f} CPU; "
            f"first chunk +{p.pool_start_wall:.3f}; grading {p.grading_wall:.2f} wall, "
            f"{during}parent {p.grading_parent_cpu:.3f} CPU; tail {p.tail_wall:.3f} wall / "
            f"{p.tail_cpu:.3f} CPU (join {p.join_wall:.3f}, report {p.report_wall:.3f}, exit "
            f"{p.exit_wall:.3f}); total {p.wall:.2f} wall / {p.cpu:.2f} CPU (all processes)"
        )
    speed_up = predicted[1] / predicted[2]
    one, two = (
        median_phases([phases(r) for r in by_jobs[1]]),
        median_phases([phases(r) for r in by_jobs[2]]),
    )
    print(
        f"  the workers' CPU together = {sum(two.worker_cpu) / one.grading_parent_cpu:.2f}x the "
        "grading CPU of --jobs 1 (above 1: the workers' own start, and contention for the cores' "
        "caches, which other work on the machine adds to)"
    )
    print(
        f"  on 2 idle cores (from the phases): --jobs 1 {predicted[1]:.2f} s, --jobs 2 "
        f"{predicted[2]:.2f} s, speed-up {speed_up:.2f}x (target ≥ 1.7: "
        f"{'met' if speed_up >= 1.7 else 'NOT met'})"
    )
    return speed_up


def measure(
    folder: Path, scratch: Path, *, rounds: int, builds: dict[str, dict[str, str] | None]
) -> None:
    """Trace ``batch . --jobs 1`` and ``--jobs 2 --format json`` over ``folder`` for each build
    (label → environment; None: this one), taking turns round by round, and print the phases."""
    runs: dict[str, dict[int, list[Trace]]] = {label: {1: [], 2: []} for label in builds}
    for _ in range(rounds):
        for label, env in builds.items():
            for jobs in (1, 2):
                argv = ["batch", ".", "--jobs", str(jobs), "--format", "json"]
                runs[label][jobs].append(
                    trace(argv, cwd=folder, stdout=scratch / "out.json", scratch=scratch, env=env)
                )
    for label, by_jobs in runs.items():
        report(label, by_jobs)
