"""Benchmark: grading cost per file against merely parsing it, and CLI start-up time.

Run with ``python benchmarks/bench_score.py`` (after ``pip install -e .``). It copies the shipped
examples into a temporary folder N times, then reports medians over several rounds of:
  * parse only with yaml.CSafeLoader (the floor any grader pays),
  * parse only with the pure-Python yaml.SafeLoader (what we refuse to use),
  * the tool's full pipeline: read, YAML 1.2 values, validation, scoring (grade_file),
and the ratios between them measured in the same run, plus ``lianchuang --help`` start-up.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from lianchuang_cli.grading import grade_file
from lianchuang_cli.results import UnitResult

ROOT = Path(__file__).resolve().parents[1]


def median_seconds(action: Callable[[], object], rounds: int) -> float:
    """Median wall time of ``action`` over ``rounds`` runs."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Run the benchmark and print a small report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=200, help="copies of each example")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    examples = sorted((ROOT / "examples" / "village").glob("*.yaml"))
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for index in range(args.copies):
            for example in examples:
                target = Path(folder) / f"{example.stem}_{index}.yaml"
                shutil.copyfile(example, target)
                files.append(target)
        assert all(isinstance(grade_file(f), UnitResult) for f in files[: len(examples)])

        def parse_c() -> None:
            for f in files:
                yaml.load(f.read_bytes(), Loader=yaml.CSafeLoader)

        def parse_python() -> None:
            for f in files[: len(files) // 10]:
                yaml.load(f.read_bytes(), Loader=yaml.SafeLoader)

        def grade() -> None:
            for f in files:
                grade_file(f)

        grade()  # warm the rubric cache and pydantic's validators
        c_time = median_seconds(parse_c, args.rounds)
        py_time = median_seconds(parse_python, args.rounds) * 10
        grade_time = median_seconds(grade, args.rounds)

    n = len(files)
    print(f"files: {n} ({len(examples)} examples x {args.copies}), rounds: {args.rounds}")
    print(f"parse only, CSafeLoader : {c_time / n * 1e3:7.3f} ms/file")
    print(f"parse only, SafeLoader  : {py_time / n * 1e3:7.3f} ms/file")
    print(f"grade_file (full)       : {grade_time / n * 1e3:7.3f} ms/file")
    print(f"grade / CSafeLoader parse = {grade_time / c_time:.2f}x")
    print(f"SafeLoader / CSafeLoader  = {py_time / c_time:.2f}x")

    def start(*argv: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "lianchuang_cli", *argv], check=True, capture_output=True
        )

    help_time = median_seconds(lambda: start("--help"), args.rounds)
    score_time = median_seconds(lambda: start("score", str(examples[0])), args.rounds)
    bare = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), args.rounds
    )
    print(f"python -c pass          : {bare * 1e3:7.1f} ms")
    print(f"lianchuang --help       : {help_time * 1e3:7.1f} ms")
    print(f"lianchuang score (1 file): {score_time * 1e3:7.1f} ms")


if __name__ == "__main__":
    main()
