"""Benchmark: grading a whole county with ``grade-tree``, against the parse floor and ``batch``.

Run with ``python benchmarks/bench_tree.py --townships 10 --villages 30`` (after ``pip install -e .``).

It builds a county in a temporary folder from ``examples/county-demo``: the county file, the demo's
township files copied to ``--townships`` townships (new codes) and, under each, ``--villages``
copies of the demo's village files (new codes, each naming its township), then measures on the
same files, medians over ``--rounds`` runs:

* the floor: reading every file with ``yaml.load(..., Loader=yaml.CSafeLoader)`` in this process;
* the command line end to end, CPU seconds of the process tree (same run, so the ratio holds on a
  noisy machine): ``batch --jobs 1`` over the tree's village files against ``grade-tree`` over
  the tree, in each format (json, table, html); ``grade-tree --format json`` with ``--jobs 2``,
  and with ``--cache`` (first pass, re-grade);
* with ``--memory 250,1000,4000``: the peak resident memory of ``grade-tree --format json
  --jobs 1`` on trees of that many villages (``resource.getrusage(RUSAGE_CHILDREN)`` of a subprocess that runs
  the command: the largest single process), and of ``batch`` over the same villages.

``--src OTHER/src`` runs the commands with another checkout's code (before/after figures);
``--formats html`` compares only the formats named, ``--skip-engine`` leaves out the ``--jobs 2``
and ``--cache`` runs.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import yaml

from lianchuang_cli.batching.discovery import evidence_paths
from timing import median_seconds as median_time

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "county-demo"


def build(folder: Path, townships: int, villages: int) -> int:
    """Write the synthetic county; return how many files it holds."""
    shutil.copy(DEMO / "county.yaml", folder / "county.yaml")
    township_sources = sorted(DEMO.glob("*/township.yaml"))
    village_sources = sorted(p for p in DEMO.glob("*/*.yaml") if p.name != "township.yaml")
    count = 1
    for t in range(townships):
        code = f"330521{t + 1:03d}"
        target = folder / f"t{t + 1:03d}"
        target.mkdir()
        text = township_sources[t % len(township_sources)].read_text(encoding="utf-8")
        text = re.sub(r'  code: "\d+"', f'  code: "{code}"', text, count=1)
        (target / "township.yaml").write_text(text, encoding="utf-8")
        count += 1
        for v in range(villages):
            source = village_sources[(t * villages + v) % len(village_sources)]
            text = source.read_text(encoding="utf-8")
            text = re.sub(r'  code: "\d+"', f'  code: "{code}{v + 1:04d}"', text, count=1)
            text = re.sub(r'township_code: "\d+"', f'township_code: "{code}"', text, count=1)
            (target / f"v{v + 1:04d}.yaml").write_text(text, encoding="utf-8")
            count += 1
    return count


def village_files(folder: Path) -> list[str]:
    """The tree's village files, in the order ``grade-tree`` finds them."""
    return [str(p) for p in evidence_paths([folder]) if p.name.startswith("v")]


_MEASURE = """
import resource, subprocess, sys
with open(sys.argv[1], "wb") as out:
    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(code, usage.ru_maxrss, usage.ru_utime + usage.ru_stime)
"""


def measure(argv: Sequence[str], out: Path, src: str | None, rounds: int) -> tuple[float, float]:
    """Median CPU seconds and the largest peak RSS (MB) over ``rounds`` runs."""
    runs = [_once(argv, out, src) for _ in range(rounds)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def _once(argv: Sequence[str], out: Path, src: str | None) -> tuple[float, float]:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    command = [sys.executable, "-c", _MEASURE, str(out), sys.executable, "-m", "lianchuang_cli"]
    done = subprocess.run([*command, *argv], env=env, check=True, capture_output=True, text=True)
    code, peak_kb, cpu = done.stdout.split()
    # The generated county is valid throughout: any other exit (2: a file could not be graded,
    # e.g. --src code that finds no rubrics) would time something other than grading.
    if int(code) != 0:
        raise SystemExit(f"{' '.join(argv[:2])}… exited {code}: nothing was measured")
    return float(cpu), int(peak_kb) / 1024


def main() -> None:
    """Build the county, measure, print one line per figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--townships", type=int, default=10)
    parser.add_argument("--villages", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory", default="", help="village counts, e.g. 250,1000,4000")
    parser.add_argument("--src", default=None, help="run the commands with this code (PYTHONPATH)")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--formats", default="json,table,html", help="the formats compared")
    parser.add_argument("--skip-engine", action="store_true", help="no --jobs 2 and --cache runs")
    args = parser.parse_args()
    src = args.src
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        if not args.skip_speed:
            folder = Path(tmp) / "county"
            folder.mkdir()
            files = build(folder, args.townships, args.villages)
            paths = evidence_paths([folder])
            villages = village_files(folder)

            def floor() -> None:
                for path in paths:
                    with open(path, "rb") as handle:
                        yaml.load(handle, Loader=yaml.CSafeLoader)

            floor_s = median_time(floor, args.rounds)
            print(f"文件：{files}（1个县、{args.townships}个乡镇、{len(villages)}个村）")
            print(f"仅解析 YAML（CSafeLoader，进程内）：{floor_s:.2f} 秒")
            one = ["--jobs", "1"] if _has_option(src, "--jobs") else []
            for form in args.formats.split(","):
                batch = ["batch", "--jobs", "1", "--format", form, *villages]
                tree = ["grade-tree", str(folder), "--format", form, *one]
                # Interleaved rounds: batch and grade-tree see the same machine load.
                pairs = [
                    (_once(batch, out, src), _once(tree, out, src)) for _ in range(args.rounds)
                ]
                batch_cpu = statistics.median(b[0] for b, _ in pairs)
                tree_cpu = statistics.median(t[0] for _, t in pairs)
                ratio = statistics.median(t[0] / b[0] for b, t in pairs)
                print(
                    f"--format {form}：batch --jobs 1（{len(villages)}个村）CPU {batch_cpu:.2f} 秒，"
                    f"grade-tree {' '.join(one)} CPU {tree_cpu:.2f} 秒，"
                    f"为 batch 的 {ratio:.2f} 倍（同轮比值的中位数）"
                )
            tree = ["grade-tree", str(folder), "--format", "json"]
            if _has_option(src, "--jobs") and not args.skip_engine:
                jobs = [*tree, "--jobs", "2"]
                walls = [median_time(lambda: _once(jobs, out, src), 1) for _ in range(args.rounds)]
                ones = [median_time(lambda: _once(tree, out, src), 1) for _ in range(args.rounds)]
                print(
                    f"grade-tree --jobs 2：墙钟 {statistics.median(walls):.2f} 秒"
                    f"（--jobs 1：{statistics.median(ones):.2f} 秒）"
                )
                cache = Path(tmp) / "cache"
                first = _once([*tree, "--cache", str(cache)], out, src)[0]
                again = [_once([*tree, "--cache", str(cache)], out, src)[0] for _ in range(3)]
                print(
                    f"grade-tree --cache：首次 CPU {first:.2f} 秒，重评 CPU "
                    f"{statistics.median(again):.2f} 秒（快 {first / statistics.median(again):.1f} 倍）"
                )
        for count in [int(c) for c in args.memory.split(",") if c]:
            folder = Path(tmp) / f"county-{count}"
            folder.mkdir()
            townships = max(1, count // 100)
            build(folder, townships, count // townships)
            villages = village_files(folder)
            # The same one process as batch --jobs 1: grade-tree's default --jobs is every CPU,
            # whose workers' CPU (pickling units to the parent) would be counted too.
            one = ["--jobs", "1"] if _has_option(src, "--jobs") else []
            tree_cpu, tree_mb = measure(
                ["grade-tree", str(folder), "--format", "json", *one], out, src, 1
            )
            batch_cpu, batch_mb = measure(
                ["batch", "--jobs", "1", "--format", "json", *villages], out, src, 1
            )
            print(
                f"{len(villages)}个村：grade-tree 峰值内存 {tree_mb:.0f} MB（CPU {tree_cpu:.1f} 秒），"
                f"batch {batch_mb:.0f} MB（CPU {batch_cpu:.1f} 秒）"
            )
            shutil.rmtree(folder)


def _has_option(src: str | None, option: str) -> bool:
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = src
    shown = subprocess.run(
        [sys.executable, "-m", "lianchuang_cli", "grade-tree", "--help"],
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    return option in shown


if __name__ == "__main__":
    main()
