"""Which library writes the batch workbook: openpyxl write-only vs XlsxWriter constant_memory.

Run: ``python benchmarks/xlsx_libraries.py [ROWS]`` (default 50,000 rows, needs both libraries:
``pip install openpyxl xlsxwriter``). Each library writes, in a fresh process, a workbook shaped
like the batch's 汇总表 (one row per unit: rank, names, score, rating, five criteria, gap count,
note; frozen header row, number formats, rating fills) and a 明细 sheet (one row per unit, 40
indicator scores). Prints wall time and the child's peak RSS, median of three runs.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITERS = {
    "openpyxl": """
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.cell import WriteOnlyCell
wb = Workbook(write_only=True)
ws = wb.create_sheet("汇总表")
ws.freeze_panes = "A2"
ws.append(HEADERS)
fills = [PatternFill("solid", fgColor=c) for c in ("C6EFCE", "FFEB9C", "DDEBF7", "FFC7CE")]
for i in range(ROWS):
    rating = WriteOnlyCell(ws, value=RATINGS[i % 4])
    rating.fill = fills[i % 4]
    score = WriteOnlyCell(ws, value=60 + (i % 4000) / 100)
    score.number_format = "0.00"
    ws.append([i + 1, f"第{i}村党支部", "桃源镇", "青山县", score, rating,
               *[(i * k) % 20 + 0.25 for k in range(1, 6)], i % 30, ""])
detail = wb.create_sheet("明细")
detail.append(["单位", *[f"指标{k}" for k in range(40)]])
for i in range(ROWS):
    detail.append([f"第{i}村党支部", *[(i + k) % 5 + 0.5 for k in range(40)]])
wb.save(OUT)
""",
    "xlsxwriter": """
import xlsxwriter
wb = xlsxwriter.Workbook(OUT, {"constant_memory": True})
ws = wb.add_worksheet("汇总表")
ws.freeze_panes(1, 0)
ws.write_row(0, 0, HEADERS)
number = wb.add_format({"num_format": "0.00"})
fills = [wb.add_format({"bg_color": c}) for c in ("#C6EFCE", "#FFEB9C", "#DDEBF7", "#FFC7CE")]
for i in range(ROWS):
    r = i + 1
    ws.write_row(r, 0, [i + 1, f"第{i}村党支部", "桃源镇", "青山县"])
    ws.write_number(r, 4, 60 + (i % 4000) / 100, number)
    ws.write_string(r, 5, RATINGS[i % 4], fills[i % 4])
    ws.write_row(r, 6, [*[(i * k) % 20 + 0.25 for k in range(1, 6)], i % 30, ""])
detail = wb.add_worksheet("明细")
detail.write_row(0, 0, ["单位", *[f"指标{k}" for k in range(40)]])
for i in range(ROWS):
    detail.write_row(i + 1, 0, [f"第{i}村党支部", *[(i + k) % 5 + 0.5 for k in range(40)]])
wb.close()
""",
}

PRELUDE = """
import sys
ROWS = int(sys.argv[1]); OUT = sys.argv[2]
HEADERS = ["名次", "单位", "乡镇", "县", "总分", "等级", "甲", "乙", "丙", "丁", "戊", "差距项数", "备注"]
RATINGS = ["优秀", "良好", "合格", "不合格"]
"""


def measure(library: str, rows: int, out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one fresh process writing the workbook."""
    start = time.perf_counter()
    code = (
        PRELUDE
        + WRITERS[library]
        + ("\nimport resource\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n")
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(rows), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    return seconds, int(done.stdout.strip()) / 1024


def main() -> None:
    """Print the median time and peak memory of each library."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    assert resource.RUSAGE_SELF is not None
    with tempfile.TemporaryDirectory() as folder:
        for library in WRITERS:
            runs = [measure(library, rows, Path(folder) / f"{library}.xlsx") for _ in range(3)]
            size = (Path(folder) / f"{library}.xlsx").stat().st_size / 1e6
            seconds = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs)
            print(
                f"{library:10} {rows} 行：{seconds:.2f} 秒，峰值内存 {peak:.0f} MB，文件 {size:.1f} MB"
            )


if __name__ == "__main__":
    main()
