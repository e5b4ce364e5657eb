"""Benchmark: evidence workbooks against the same evidence as YAML.

Run with ``python benchmarks/bench_xlsx.py`` (after ``pip install -e .``).

For every shipped village example it measures, in this process and on the same data:

* writing the workbook (``convert --to xlsx``: template plus values) and the empty template;
* grading the workbook and grading the YAML file (read, validate, score);
* reading only: the workbook (sheet XML plus cell interpretation) and the YAML file;

and end to end, ``lianchuang batch 文件夹 --format json --jobs 1`` in a fresh process on
``--copies`` copies of every example, once as workbooks and once as YAML (the child's CPU time
per file, start-up included, runs interleaved).

Times are medians over ``--rounds`` runs, per file; ratios are between figures of this same run.
"""

from __future__ import annotations

import argparse
import io
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

from lianchuang_cli.grading.pipeline import grade_file, rubric_for
from lianchuang_cli.reading.xlsx_reader import read_workbook
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.xlsx_template import render_workbook
from timing import median_ms

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "village").glob("*.yaml"))
BATCH_OPTIONS = ("--format", "json", "--jobs", "1")


def batch_cpu(folder: Path) -> tuple[float, float]:
    """CPU and wall seconds of one ``lianchuang batch`` over ``folder`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "lianchuang_cli", "batch", str(folder), *BATCH_OPTIONS],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, wall


def with_text_replaced(content: bytes, old: str, new: str) -> bytes:
    """A workbook with ``old`` replaced by ``new`` in its XML parts."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(
                info.filename, source.read(info.filename).replace(old.encode(), new.encode())
            )
    return out.getvalue()


def main() -> None:
    """Measure and print one line per figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--copies", type=int, default=34, help="copies of each example in batch")
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
    forms = {"xlsx": folder / "batch-xlsx", "yaml": folder / "batch-yaml"}
    for form, target in forms.items():
        target.mkdir()
        sources = workbooks if form == "xlsx" else EXAMPLES
        for copy in range(args.copies):
            for source, doc in zip(sources, docs, strict=True):
                # Each copy is its own unit: a batch refuses files that share a unit code.
                code = str(doc.data["unit"]["code"])
                old, new = f'"{code}"', f'"{code}{copy:03d}"'
                content = source.read_bytes()
                if form == "xlsx":
                    old, new = f">{code}<", f">{code}{copy:03d}<"
                    content = with_text_replaced(content, old, new)
                else:
                    content = content.replace(old.encode(), new.encode(), 1)
                (target / f"{source.stem}-{copy}{source.suffix}").write_bytes(content)
    files = args.copies * count
    runs: dict[str, list[tuple[float, float]]] = {form: [] for form in forms}
    for _ in range(args.rounds):
        for form, target in forms.items():
            runs[form].append(batch_cpu(target))
    cpu = {form: statistics.median(r[0] for r in done) / files * 1e3 for form, done in runs.items()}
    wall = {
        form: statistics.median(r[1] for r in done) / files * 1e3 for form, done in runs.items()
    }
    print(f"batch --jobs 1, {files} files each, fresh process, median of {args.rounds}:")
    for form in forms:
        print(f"  {form:5} {cpu[form]:6.1f} ms CPU per file  {wall[form]:6.1f} ms wall per file")
    print(
        f"  workbook / YAML: {cpu['xlsx'] / cpu['yaml']:.2f}× CPU, {wall['xlsx'] / wall['yaml']:.2f}× wall"
    )


if __name__ == "__main__":
    main()
