"""Which reader reads evidence workbooks: openpyxl, python-calamine, fastexcel or the sheet-XML reader.

Run: ``python benchmarks/xlsx_readers.py [--rounds 7]`` (openpyxl and lianchuang are installed with
the tool; ``pip install python-calamine fastexcel`` to compare those too, else they are skipped).

Two measurements, each reader in its own fresh process:

* the converted village examples (``convert --to xlsx``): the median time to read the five
  evidence sheets of one workbook, in process after a warm-up (openpyxl: ``load_workbook``,
  as the reader used it; calamine: ``to_python`` of each sheet; fastexcel: ``load_sheet_by_name``;
  sheet-XML: ``reading.xlsx_cells``);
* the hostile cases of issue 17: one ``<mergeCell ref="D20:XFD1048576"/>`` in the indicator
  sheet, and a value at XFD1048576 in every sheet: wall time and peak memory of reading the file,
  under a 3 GB address-space limit and a 20 s timeout (so a bomb cannot take the machine down).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.grading.pipeline import rubric_for
from lianchuang_cli.reading import xlsx_cells
from lianchuang_cli.reading.yaml_reader import read_yaml
from lianchuang_cli.reports.xlsx_template import render_workbook

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "village").glob("*.yaml"))
SHEETS = list(layout.EVIDENCE_SHEETS)

READERS = {
    "openpyxl load_workbook": """
import openpyxl, warnings
warnings.simplefilter("ignore")
def read(path):
    book = openpyxl.load_workbook(path, data_only=True)
    return [list(book[name].iter_rows(values_only=True)) for name in SHEETS]
""",
    "python-calamine": """
from python_calamine import CalamineWorkbook
def read(path):
    book = CalamineWorkbook.from_path(str(path))
    return [book.get_sheet_by_name(name).to_python() for name in SHEETS]
""",
    "fastexcel": """
import fastexcel
def read(path):
    reader = fastexcel.read_excel(str(path))
    return [reader.load_sheet_by_name(name, header_row=None) for name in SHEETS]
""",
    "sheet XML (xlsx_cells)": """
import zipfile
from lianchuang_cli.reading.xlsx_cells import Workbook
def read(path):
    with zipfile.ZipFile(path) as archive:
        book = Workbook(archive)
        return [book.sheet(name) for name in SHEETS]
""",
}
MODULES = {"python-calamine": "python_calamine", "fastexcel": "fastexcel"}

TIMING = """
import statistics, sys, time
SHEETS = {sheets!r}
{reader}
paths = sys.argv[2:]
for path in paths:
    read(path)
times = []
for _ in range(int(sys.argv[1])):
    start = time.perf_counter()
    for path in paths:
        read(path)
    times.append((time.perf_counter() - start) / len(paths))
print(statistics.median(times) * 1000)
"""

ONCE = """
import sys
SHEETS = {sheets!r}
{reader}
try:
    read(sys.argv[1])
    print("read")
except Exception as exc:  # a refusal is a result too
    print(type(exc).__name__)
"""


def patched(content: bytes, parts: dict[str, str], change: object) -> bytes:
    """The workbook with the named sheets' XML changed."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in parts.values():
                data = change(data.decode("utf-8")).encode("utf-8")  # type: ignore[operator]
            target.writestr(info.filename, data)
    return out.getvalue()


def hostile(base: bytes) -> dict[str, bytes]:
    """The two cases of issue 17 item 5, built from a filled example."""
    with zipfile.ZipFile(io.BytesIO(base)) as archive:
        sheets = xlsx_cells.Workbook(archive).sheets
    merge = '<mergeCell ref="D20:XFD1048576"/>'

    def add_merge(xml: str) -> str:
        if "<mergeCells" in xml:
            return re.sub(r"<mergeCells[^>]*>", lambda m: m.group(0) + merge, xml, count=1)
        return xml.replace("</sheetData>", f"</sheetData><mergeCells>{merge}</mergeCells>", 1)

    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return {
        "merged range D20:XFD1048576": patched(
            base, {layout.SHEET_INDICATORS: sheets[layout.SHEET_INDICATORS]}, add_merge
        ),
        "value at XFD1048576, every sheet": patched(
            base, sheets, lambda xml: xml.replace("</sheetData>", far + "</sheetData>", 1)
        ),
    }


def limited() -> None:
    """Run in the child: cap its address space at 3 GB."""
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def once(reader: str, path: Path) -> str:
    """Read one file in a fresh, limited process: outcome, wall seconds, peak resident MB."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", ONCE.format(sheets=SHEETS, reader=reader), str(path)],
            stdout=out,
            stderr=subprocess.DEVNULL,
            preexec_fn=limited,
        )
        timer = threading.Timer(20, child.kill)
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        outcome = out.read().decode().strip()
    if not outcome:
        outcome = "killed at 20 s" if seconds >= 20 else f"died ({child.returncode})"
    return f"{outcome:16} {seconds:6.2f} s {usage.ru_maxrss / 1024:7.0f} MB peak"


def main() -> None:
    """Write the files, measure each reader, print two tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="lianchuang-xlsx-readers-"))
    paths = []
    for example in EXAMPLES:
        doc = read_yaml(example)
        path = folder / f"{example.stem}.xlsx"
        path.write_bytes(render_workbook(rubric_for(doc).rubric, doc))
        paths.append(path)
    available = {
        name: code
        for name, code in READERS.items()
        if name not in MODULES
        or subprocess.run([sys.executable, "-c", f"import {MODULES[name]}"], check=False).returncode
        == 0
    }
    print(
        f"read the 5 evidence sheets of one workbook ({len(paths)} examples, median of {args.rounds}):"
    )
    for name, code in available.items():
        script = TIMING.format(sheets=SHEETS, reader=code)
        result = subprocess.run(
            [sys.executable, "-c", script, str(args.rounds), *map(str, paths)],
            capture_output=True,
            text=True,
            check=False,
        )
        figure = f"{float(result.stdout):7.1f} ms" if result.returncode == 0 else "failed"
        print(f"  {name:26} {figure}")
    print("hostile cases (fresh process each, 3 GB limit, 20 s timeout):")
    for case, content in hostile(paths[0].read_bytes()).items():
        path = folder / "hostile.xlsx"
        path.write_bytes(content)
        for name, code in available.items():
            print(f"  {case:34} {name:26} {once(code, path)}")


if __name__ == "__main__":
    main()
