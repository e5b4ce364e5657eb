"""Benchmark: what a publication pack costs over grading the same folder with ``batch``.

Run with ``python benchmarks/bench_publish.py --files 2000`` (after ``pip install -e .``).

It writes N varied village evidence files (as ``bench_batch.py`` does, no invalid ones), then
times in turns, in one run and on the same files, each command in a fresh process:

* ``batch FOLDER -r --format json -o out.json`` (the grading alone, JSON written);
* ``publish FOLDER -o PACK`` (mode detection, grading, JSON + HTML + xlsx, digests, copies);
* ``verify PACK`` (digests, re-grading with the pack's rubrics, comparison, byte checks);

and the county demo (``examples/county-demo`` with last year's results): ``grade-tree --format
json``, ``publish`` and ``verify``. Times are medians over ``--rounds``; ratios are between
figures of this same run.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench_batch import generate, lianchuang

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "county-demo"


def timed(argv: list[str], cwd: Path) -> float:
    """Wall seconds of one command (its output discarded); it must succeed."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(label: str, commands: dict[str, list[str]], work: Path, rounds: int) -> None:
    """Run ``commands`` in turns ``rounds`` times; print medians and ratios to the first."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            shutil.rmtree(work / "pack", ignore_errors=True) if name == "publish" else None
            times[name].append(timed(argv, work))
    first = statistics.median(next(iter(times.values())))
    print(f"\n{label} ({rounds} rounds, medians)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<10} {median:7.2f} s   {median / first:5.2f}× {next(iter(times))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    cli = lianchuang()
    jobs = ["--jobs", str(args.jobs)]
    with tempfile.TemporaryDirectory(prefix="bench-publish-") as temporary:
        work = Path(temporary)
        folder = work / "villages"
        folder.mkdir()
        generate(folder, args.files, seed=8, invalid_every=0)
        batch = [*cli, "batch", str(folder), "-r", "--format", "json", "-o", "out.json", *jobs]
        measure(
            f"{args.files} village files, --jobs {args.jobs}",
            {
                "batch": batch,
                "publish": [*cli, "publish", str(folder), "-o", "pack", *jobs],
                "verify": [*cli, "verify", "pack", *jobs],
            },
            work,
            args.rounds,
        )
        previous = ["--previous", str(DEMO / "last-year-2025.json")]
        tree = [*cli, "grade-tree", str(DEMO), "--format", "json", *previous]
        measure(
            "county demo (17 files)",
            {
                "grade-tree": tree,
                "publish": [*cli, "publish", str(DEMO), "-o", "pack", *previous],
                "verify": [*cli, "verify", "pack"],
            },
            work,
            args.rounds,
        )


if __name__ == "__main__":
    main()
