"""Benchmark: CPU time per file of each grading stage, in this process.

Run with ``python benchmarks/bench_stages.py --keep /tmp/bench5k`` (after ``pip install -e .``);
without ``--keep`` it generates ``--files`` village files into a temporary folder the way
``bench_batch.py`` does. For each round it times, with ``time.process_time`` and one stage after
another over the same files:

* read: ``read_evidence`` (the YAML reader with positions);
* check: ``rubric_for`` + ``check_evidence`` (all validation);
* score: ``score_unit``;
* json: ``outcome_to_dict`` + ``json.dumps`` of the result;

then prints the median ms/file of each stage (invalid files are read and checked, not scored).
Comparing two versions of the code: run it twice, with ``PYTHONPATH`` pointing at each.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench_batch import generate
from lianchuang_cli.errors import InputError
from lianchuang_cli.grading.pipeline import read_evidence, rubric_for
from lianchuang_cli.model.evidence import check_evidence
from lianchuang_cli.reports.json_report import outcome_to_dict
from lianchuang_cli.scoring.unit import score_unit


def one_round(files: list[Path]) -> dict[str, float]:
    """CPU seconds of each stage over every file, stage after stage."""
    seconds: dict[str, float] = {}
    gc.collect()
    start = time.process_time()
    docs = []
    for path in files:
        with contextlib.suppress(InputError):
            docs.append(read_evidence(path))
    seconds["read"] = time.process_time() - start
    gc.freeze()  # a real batch holds one file at a time: keep the collector off the pile

    start = time.process_time()
    checked = []
    for doc in docs:
        try:
            loaded = rubric_for(doc)
            checked.append((loaded, check_evidence(doc, loaded)))
        except InputError:
            pass
    seconds["check"] = time.process_time() - start

    start = time.process_time()
    results = [score_unit(loaded, evidence) for loaded, evidence in checked]
    seconds["score"] = time.process_time() - start

    start = time.process_time()
    for result in results:
        json.dumps(outcome_to_dict(result), ensure_ascii=False)
    seconds["json"] = time.process_time() - start
    del docs, checked, results
    gc.unfreeze()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="files to generate (no --keep)")
    parser.add_argument("--limit", type=int, default=0, help="time only the first N files")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", type=Path, help="a folder of generated files to reuse")
    parser.add_argument("--stages", default="", help="only print these stages (comma-separated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        if not any(folder.glob("*.yaml")):
            folder.mkdir(parents=True, exist_ok=True)
            generate(folder, args.files, seed=args.seed, invalid_every=200)
        files = sorted(folder.glob("*.yaml"))
        if args.limit:
            files = files[: args.limit]
        one_round(files[:50])  # rubric loaded and caches warm, as in any real run
        rounds = [one_round(files) for _ in range(args.rounds)]
    n = len(files)
    shown = set(filter(None, args.stages.split(","))) or set(rounds[0])
    print(f"files: {n}, rounds: {args.rounds} (CPU ms/file, median; min–max)")
    for stage in rounds[0]:
        if stage not in shown:
            continue
        values = [r[stage] / n * 1e3 for r in rounds]
        print(
            f"{stage:<6} {statistics.median(values):7.3f}   ({min(values):.3f}–{max(values):.3f})"
        )
    core = [(r["check"] + r["score"]) / n * 1e3 for r in rounds]
    print(f"check+score {statistics.median(core):.3f}")


if __name__ == "__main__":
    main()
