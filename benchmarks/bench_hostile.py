"""Benchmark: time and peak memory of ``lianchuang validate`` on hostile or damaged files.

Run with ``python benchmarks/bench_hostile.py`` (after ``pip install -e .``; Linux or macOS). Each
file is checked in a fresh process, several rounds; the report gives the median wall time and the
largest peak resident memory (of the whole process, start-up included) per file, so that
  * workbooks with one merged range over D20:XFD1048576, or a value at XFD1048576 in every
    sheet (issue 17 item 5; 4.7 GB and a hang, 34 s and 1.37 GB before the sheet-XML reader)
    stay under 2 s and 200 MB,
  * files just under the 4 MB cap (``[1,1,…]``, ``[{},{},…]``, a 3.9 MB one-line unit name) stay
    far below 200 MB, and
  * the time to find and locate N problems grows linearly with N (unknown top-level keys, unknown
    indicators), measured in process (after a warm-up, without start-up) and compared in the
    same run as ratios: twice the problems should cost about twice the time, not four times.
    (Above about 8,000 keys the file is first walked as events to count its values, so the step
    from 5,000 to 10,000 also pays that pass once.)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "examples" / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
LIMIT = 4 * 1024 * 1024 - 64


def hostile_files() -> dict[str, str]:
    """Name → text of each file measured."""
    ones = "x: [" + "1," * ((LIMIT - 8) // 2) + "1]\n"
    maps = "x: [" + "{}," * ((LIMIT - 8) // 3) + "{}]\n"
    long_name = BASE.replace("name: 桃源村党总支", "name: " + "桃" * 1_300_000, 1)
    files = {
        "normal file (taoyuan_excellent)": BASE,
        "4 MiB of [1,1,...]": ones,
        "4 MiB of [{},{},...]": maps,
        "3.9 MB one-line unit name": long_name,
        "4301-digit number in a note": BASE.replace("note: ", "note: " + "9" * 4301 + " #", 1),
    }
    for count in SCALING:
        files[f"{count} unknown top-level keys"] = many_problems("top-level", count)
    return files


SCALING = (5_000, 10_000, 20_000)


def many_problems(kind: str, count: int) -> str:
    """The example with ``count`` unknown top-level keys or unknown indicators added."""
    if kind == "top-level":
        return BASE + "".join(f"extra_key_{i}: 1\n" for i in range(count))
    bare = "".join(f"  bogus_{i}: 5\n" for i in range(count))
    return BASE.replace("indicators:\n", "indicators:\n" + bare)


def in_process_seconds(path: Path, rounds: int) -> float:
    """Median seconds of ``grade_file`` on one file, in this process (no start-up)."""
    from lianchuang_cli.grading.pipeline import grade_file

    grade_file(path)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        grade_file(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(path: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one ``validate`` run in a fresh process."""
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "lianchuang_cli", "validate", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes vs KiB
    return elapsed, usage.ru_maxrss / scale


def hostile_workbooks() -> dict[str, bytes]:
    """Name → bytes of each workbook measured (issue 17 item 5), built from the Taoyuan example."""
    from lianchuang_cli.grading.pipeline import rubric_for
    from lianchuang_cli.reading.yaml_reader import read_yaml
    from lianchuang_cli.reports.xlsx_template import render_workbook
    from xlsx_readers import hostile

    doc = read_yaml(ROOT / "examples" / "village" / "taoyuan_excellent.yaml")
    base = render_workbook(rubric_for(doc).rubric, doc)
    return {"normal workbook (taoyuan_excellent)": base, **hostile(base)}


def main() -> None:
    """Write the files, measure each, print a table and the scaling ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for name, text in hostile_files().items():
            path = Path(folder) / "unit.yaml"
            path.write_text(text, encoding="utf-8")
            runs = [measure(path) for _ in range(args.rounds)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            size = len(text.encode("utf-8")) / 1e6
            print(f"{name:36} {size:6.2f} MB  {seconds * 1e3:7.0f} ms  {peak:6.0f} MB peak")
        for name, content in hostile_workbooks().items():
            path = Path(folder) / "unit.xlsx"
            path.write_bytes(content)
            runs = [measure(path) for _ in range(args.rounds)]
            seconds = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            size = len(content) / 1e6
            print(f"{name:36} {size:6.2f} MB  {seconds * 1e3:7.0f} ms  {peak:6.0f} MB peak")
        print("in process (grade_file, no start-up):")
        for kind in ("top-level", "indicators"):
            timed: dict[int, float] = {}
            for count in SCALING:
                path = Path(folder) / f"{kind}-{count}.yaml"
                path.write_text(many_problems(kind, count), encoding="utf-8")
                timed[count] = in_process_seconds(path, args.rounds)
                print(f"  {count:6} unknown {kind:10} {timed[count] * 1e3:8.1f} ms")
            for small, large in itertools.pairwise(SCALING):
                ratio = timed[large] / timed[small]
                print(f"  {large} / {small} = {ratio:.2f}x (linear: 2x, quadratic: 4x)")


if __name__ == "__main__":
    main()
