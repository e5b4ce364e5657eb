"""Benchmark: grading a whole county with ``grade-tree`` against the YAML parse floor.

Run with ``python benchmarks/bench_tree.py --townships 20 --villages 25`` (after ``pip install -e .``).

It builds a county in a temporary folder from ``examples/county-demo``: the county file, the demo's
township files copied to ``--townships`` townships (new codes) and, under each, ``--villages``
copies of the demo's village files (new codes, each naming its township), then measures on the
same files, medians over ``--rounds`` runs:

* the floor: reading every file with ``yaml.load(..., Loader=yaml.CSafeLoader)`` in this process;
* ``grade_tree`` in this process (read, validate, score three levels, compute linked figures);
* the command line end to end: ``lianchuang grade-tree FOLDER --format json`` to a file.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from lianchuang_cli.tree.grade import grade_tree, tree_files
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
            text = re.sub(r'  code: "\d+"', f'  code: "{code}{v + 1:03d}"', text, count=1)
            text = re.sub(r'township_code: "\d+"', f'township_code: "{code}"', text, count=1)
            (target / f"v{v + 1:03d}.yaml").write_text(text, encoding="utf-8")
            count += 1
    return count


def main() -> None:
    """Build the county, measure, print one line per figure."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--villages", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "county"
        folder.mkdir()
        files = build(folder, args.townships, args.villages)
        paths = tree_files(folder)

        def floor() -> None:
            for path in paths:
                with open(path, "rb") as handle:
                    yaml.load(handle, Loader=yaml.CSafeLoader)

        def in_process() -> None:
            tree = grade_tree(folder)
            assert not tree.failures, tree.failures[0]

        out = Path(tmp) / "out.json"

        def command() -> None:
            with open(out, "w", encoding="utf-8") as handle:
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "lianchuang_cli",
                        "grade-tree",
                        str(folder),
                        "--format",
                        "json",
                    ],
                    stdout=handle,
                    stderr=subprocess.DEVNULL,
                    check=True,
                )

        floor_s = median_time(floor, args.rounds)
        tree_s = median_time(in_process, args.rounds)
        cli_s = median_time(command, args.rounds)
    per_file = 1000 / files
    print(f"文件：{files}（1个县、{args.townships}个乡镇、{args.townships * args.villages}个村）")
    print(f"仅解析 YAML（CSafeLoader）：{floor_s:.2f} 秒（{floor_s * per_file:.2f} 毫秒/文件）")
    print(
        f"grade_tree（进程内）：{tree_s:.2f} 秒（{tree_s * per_file:.2f} 毫秒/文件，下限的 {tree_s / floor_s:.2f} 倍）"
    )
    print(f"lianchuang grade-tree --format json：{cli_s:.2f} 秒（下限的 {cli_s / floor_s:.2f} 倍）")


if __name__ == "__main__":
    main()
