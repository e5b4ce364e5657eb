"""Benchmark: evidence workbooks against the same evidence as YAML.

Run with ``python benchmarks/bench_xlsx.py`` (after ``pip install -e .``).

For every shipped village example it measures, in this process and on the same data:

* writing the workbook (``convert --to xlsx``: template plus values) and the empty template;
* grading the workbook and grading the YAML file (read, validate, score);
* reading only: the workbook (openpyxl plus cell interpretation) and the YAML file.

Times are medians over ``--rounds`` runs of all examples, per file; ratios are between figures of
this same run.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
from collections.abc import Callable
from pathlib import Path

from lianchuang_cli.grading import grade_file, rubric_for
from lianchuang_cli.reading.xlsx_reader import read_workbook
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.xlsx_template import render_workbook
from timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "village").glob("*.yaml"))


def main() -> None:
    """Measure and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lianchuang-bench-xlsx-"))
    workbooks = []
    for example in EXAMPLES:
        doc = read_yaml(example)
        target = folder / f"{example.stem}.xlsx"
        target.write_bytes(render_workbook(rubric_for(doc).rubric, doc))
        workbooks.append(target)
    docs = [read_yaml(e) for e in EXAMPLES]
    rubric = rubric_for(docs[0]).rubric
    count = len(EXAMPLES)

    def each(action: Callable[[Path], object], paths: list[Path]) -> Callable[[], object]:
        return lambda: [action(p) for p in paths]

    figures = {
        "write empty template": median_ms(lambda: render_workbook(rubric), args.rounds),
        "write filled workbook": median_ms(
            lambda: [render_workbook(rubric, d) for d in docs], args.rounds
        )
        / count,
        "grade workbook": median_ms(each(grade_file, workbooks), args.rounds) / count,
        "grade YAML": median_ms(each(grade_file, EXAMPLES), args.rounds) / count,
        "read workbook": median_ms(each(read_workbook, workbooks), args.rounds) / count,
        "read YAML": median_ms(each(read_yaml, EXAMPLES), args.rounds) / count,
    }
    print(f"{platform.python_implementation()} {platform.python_version()}, {count} files")
    for name, value in figures.items():
        print(f"{name:24} {value:8.1f} ms per file")
    print(
        f"grade workbook / grade YAML: {figures['grade workbook'] / figures['grade YAML']:.1f}×;"
        f" read workbook / read YAML: {figures['read workbook'] / figures['read YAML']:.1f}×"
    )


if __name__ == "__main__":
    main()
