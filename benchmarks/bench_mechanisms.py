"""Benchmark: what each performance mechanism is worth, measured by switching it off in one process.

Run with ``python benchmarks/bench_mechanisms.py --files 1000`` (after ``pip install -e .``). It
generates village files the way ``bench_batch.py`` does and measures CPU seconds (medians of
``--rounds``; the variants take turns round by round, so other work on the machine weighs on
all of them alike):

* **batch**: what ``batch --jobs 1 --format json`` does after start-up, in this process
  (``grade_batch`` with the JSON line renderer, the report written to the null device), with
  everything on and with one mechanism off at a time:
  ``yaml_fast`` (the line reader declines every file, libyaml reads all), ``fast_path``
  (validation's fast path declines every entry, pydantic validates all), ``outcome memo``
  (scoring remembers no rule outcome), ``gc settings`` (no ``settle_heap_for_batch``) and the
  small process-wide memos one at a time (``json_number``, ``fmt``'s texts, the typed YAML
  scalars, the parsed same-count places; see ``MEMOS``; the JSON bytes of ratings were
  remembered too until this measured 0.98x);
* **re-grade**: the same after a rating threshold edit (80 → 81), from a cache that a
  ``batch --cache`` run filled, with everything on, with ``facts`` off (every stored result
  decoded and re-rated; lines still re-filled) and with ``line re-fill`` off (results decoded,
  re-rated and rendered again), and without the cache at all;
* **start-up**: ``score ONE_FILE`` in new processes, with everything on and with the rubric
  cache off (``LIANCHUANG_CACHE_HOME=``), every command module imported (no lazy commands) and
  Python's own garbage-collector thresholds (no ``START_GC_THRESHOLD``).

Switching off is done here by replacing a module attribute for the measurement only; the
package has no switches of its own.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from bench_batch import generate
from lianchuang_cli import decimals
from lianchuang_cli.batching.engine import grade_batch
from lianchuang_cli.caching import grading_cache
from lianchuang_cli.commands.common import settle_heap_for_batch
from lianchuang_cli.model import fast_path, same_counts
from lianchuang_cli.model.rubric import shipped_rubrics_dir
from lianchuang_cli.reading import yaml_fast
from lianchuang_cli.reports import json_line, json_report
from lianchuang_cli.reports.json_report import prerender, write_json
from lianchuang_cli.scoring import unit

RUN = "import sys; from lianchuang_cli.entry import run; sys.exit(run())"
COMMANDS = ("batch", "check", "convert", "diff", "grade_tree", "publish", "rubric", "schema")


class _NeverKept(dict[Any, Any]):
    """Stands for a memo dict that remembers nothing."""

    def __setitem__(self, key: Any, value: Any) -> None:
        return None


def _unwrapped(function: Any) -> Any:
    """A ``functools`` cached function without its cache."""
    return function.__wrapped__


MEMOS: dict[str, list[tuple[object, str, object]]] = {
    "json_number memo off": [
        (json_report, "number", _unwrapped(decimals.json_number)),
        (json_line, "json_number", _unwrapped(decimals.json_number)),
    ],
    "fmt texts memo off": [(decimals, "_SHOWN", _NeverKept())],
    "typed scalars memo off": [(yaml_fast, "_TYPED", _NeverKept())],
    "same-count places memo off": [(same_counts, "_parsed", _unwrapped(same_counts._parsed))],
}
"""Each small memo, switched off where its callers find it (a module attribute)."""


class _NoMemo:
    """Stands for scoring's memo table: every rubric gets a new, empty memo each time."""

    def get(self, _key: object) -> None:
        return None

    def setdefault(self, _key: object, default: dict[Any, Any]) -> dict[Any, Any]:
        return default


@contextmanager
def replaced(target: object, name: str, value: object) -> Iterator[None]:
    """``target.name`` is ``value`` inside the block."""
    before = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, before)


@contextmanager
def heap(settled: bool) -> Iterator[None]:
    """The collector as ``batch`` sets it (``settled``) or as Python starts."""
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    gc.collect()
    if settled:
        settle_heap_for_batch()
    try:
        yield
    finally:
        gc.unfreeze()


def batch(files: list[str], rubric: Path, cache: Path | None = None) -> None:
    """``batch --jobs 1 --format json`` after start-up."""
    with (
        grade_batch(
            files, rubric_path=rubric, cache_dir=cache, render=prerender, keep_results=False
        ) as graded,
        open(os.devnull, "w", encoding="utf-8", newline="") as out,
    ):
        write_json(graded.report(), out)


def cpu(action: Callable[[], object]) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def interleaved(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median of each variant's seconds, the variants taking turns."""
    for measure in variants.values():
        measure()  # warm: rubric loaded, memo and caches as in any real run
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, measure in variants.items():
            times[name].append(measure())
    return {name: statistics.median(values) for name, values in times.items()}


def child_cpu(argv: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(argv, capture_output=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def show(title: str, timed: dict[str, float], base: str, per: int = 1) -> None:
    print(f"\n{title}")
    for name, seconds in timed.items():
        ratio = seconds / timed[base]
        print(f"  {name:34s} {seconds / per * 1e3:9.3f} ms   {ratio:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--startup-rounds", type=int, default=10)
    parser.add_argument("--skip", default="", help="comma-separated: batch, regrade, startup")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    print(f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}, load before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        os.environ["LIANCHUANG_CACHE_HOME"] = str(scratch / "rubric-cache")
        folder = scratch / "evidence"
        folder.mkdir()
        generate(folder, args.files, seed=8, invalid_every=200)
        files = sorted(str(path) for path in folder.glob("*.yaml"))
        n = len(files)
        village = shipped_rubrics_dir() / "village.yaml"
        edited = scratch / "village_edited.yaml"
        text = village.read_text(encoding="utf-8")
        edited.write_text(
            text.replace("{name: 良好, min_score: 80}", "{name: 良好, min_score: 81}"),
            encoding="utf-8",
        )
        print(f"files: {n}, rounds: {args.rounds}; CPU per file (median), and × all on")

        def pipeline(*switched: tuple[object, str, object], settled: bool = True) -> float:
            def measure() -> float:
                with heap(settled):
                    if not switched:
                        return cpu(lambda: batch(files, village))
                    with ExitStack() as stack:
                        for target, name, value in switched:
                            stack.enter_context(replaced(target, name, value))
                        return cpu(lambda: batch(files, village))

            return measure()

        if "batch" not in skip:
            timed = interleaved(
                {
                    "all on": lambda: pipeline(),
                    "yaml_fast off": lambda: pipeline((yaml_fast, "scan", lambda text: None)),
                    "fast_path off": lambda: pipeline((fast_path, "readers", lambda loaded: {})),
                    "outcome memo off": lambda: pipeline((unit, "_memos", _NoMemo())),
                    "gc settings off": lambda: pipeline(settled=False),
                    **{name: partial(pipeline, *switched) for name, switched in MEMOS.items()},
                },
                args.rounds,
            )
            show("batch --jobs 1 --format json, in process", timed, "all on", n)

        if "regrade" not in skip:
            cache = scratch / "cache"
            tool = [sys.executable, "-c", RUN, "batch", str(folder), "--jobs", "1"]
            subprocess.run(
                [*tool, "--format", "json", "--rubric", str(village), "--cache", str(cache)],
                capture_output=True,
                check=False,
            )

            def regrade(
                name: str | None = None, value: object = None, *, cached: bool = True
            ) -> Callable[[], float]:
                def measure() -> float:
                    with heap(True):
                        folder_ = cache if cached else None
                        if name is None:
                            return cpu(lambda: batch(files, edited, folder_))
                        with replaced(grading_cache, name, value):
                            return cpu(lambda: batch(files, edited, folder_))

                return measure

            timed = interleaved(
                {
                    "all on": regrade(),
                    "facts off": regrade("_refilled", lambda *a: None),
                    "line re-fill off": regrade("decode_line", lambda *a: None),
                    "no cache (a fresh grade)": regrade(cached=False),
                },
                args.rounds,
            )
            show("re-grade after a threshold edit, in process", timed, "all on", n)
            shutil.rmtree(cache, ignore_errors=True)

        if "startup" not in skip:
            example = files[0]
            env = dict(os.environ)
            no_cache = {**env, "LIANCHUANG_CACHE_HOME": ""}
            eager = "import importlib; " + "; ".join(
                f"importlib.import_module('lianchuang_cli.commands.{m}')" for m in COMMANDS
            )
            default_gc = "import gc; gc.set_threshold = lambda *a: None; "
            variants = {
                "python -c pass": ([sys.executable, "-c", "pass"], env),
                "all on": ([sys.executable, "-c", RUN, "score", example], env),
                "rubric cache off": ([sys.executable, "-c", RUN, "score", example], no_cache),
                "every command imported": (
                    [
                        sys.executable,
                        "-c",
                        f"import gc; gc.set_threshold(100_000, 10, 10); {eager}; {RUN}",
                        "score",
                        example,
                    ],
                    env,
                ),
                "START_GC_THRESHOLD off": (
                    [sys.executable, "-c", default_gc + RUN, "score", example],
                    env,
                ),
            }
            timed = interleaved(
                {name: partial(child_cpu, *variant) for name, variant in variants.items()},
                args.startup_rounds,
            )
            show("score ONE_FILE, new processes (CPU)", timed, "all on")


if __name__ == "__main__":
    main()
