"""Benchmark: what rubric linting costs, against the parse-and-validate floor.

Run with ``python benchmarks/bench_check.py`` (after ``pip install -e .``). Medians over
``--rounds`` runs, all in this process, on the shipped rubrics and examples:

* the floor: ``read_yaml`` + ``Rubric.model_validate`` for each shipped rubric (what loading cost
  before the lint checks existed, without the consistency checks);
* ``lint_file`` for each shipped rubric: lenient read, validation, position index, every check
  (this is also what ``load_rubric`` does once per process before grading);
* ``check_example`` for every file under ``examples/`` (re-grading against the expectations,
  county trees graded once);
* ``diff_corpus`` of the village rubric against itself over ``examples/village``;
* the command line end to end: ``lianchuang check --strict --examples examples``.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

from lianchuang_cli.diffing.corpus import corpus_files, diff_corpus
from lianchuang_cli.grading.expectations import Trees, check_example, example_files
from lianchuang_cli.grading.rubrics import load_rubric
from lianchuang_cli.lint.engine import lint_file
from lianchuang_cli.model.rubric import Rubric
from lianchuang_cli.reading.yaml_reader import read_yaml
from timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
RUBRICS = sorted((ROOT / "rubrics").glob("*.yaml"))


def floor() -> None:
    for path in RUBRICS:
        Rubric.model_validate(read_yaml(path).data)


def lint() -> None:
    for path in RUBRICS:
        lint_file(path, load=load_rubric)


def examples() -> None:
    trees: Trees = {}
    for path in example_files([ROOT / "examples"]):
        check_example(path, trees)


def corpus() -> None:
    village = load_rubric(ROOT / "rubrics" / "village.yaml")
    diff_corpus(village, village, corpus_files([ROOT / "examples" / "village"]))


def cli() -> None:
    subprocess.run(
        ["lianchuang", "check", "--strict", "--examples", str(ROOT / "examples")],
        check=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    lint()  # warm the model classes and caches once
    base = median_ms(floor, rounds)
    linted = median_ms(lint, rounds)
    print(f"{len(RUBRICS)} shipped rubrics, {rounds} rounds, medians")
    print(f"parse + validate (floor)      {base:8.1f} ms")
    print(f"lint_file (all checks)        {linted:8.1f} ms  ({linted / base:.2f}x the floor)")
    count = len(example_files([ROOT / "examples"]))
    print(f"check_example x {count:<3}           {median_ms(examples, rounds):8.1f} ms")
    print(f"diff_corpus village x village {median_ms(corpus, rounds):8.1f} ms")
    print(f"lianchuang check --examples   {median_ms(cli, rounds):8.1f} ms (new process)")


if __name__ == "__main__":
    main()
