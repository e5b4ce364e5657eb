"""Every command's output bytes on the examples, for comparing two versions of the code.

Run ``python benchmarks/cli_outputs.py OUT`` under each version (the package that ``python -m
lianchuang_cli`` imports), then ``diff -r OLD_OUT NEW_OUT``. It copies ``examples/`` and
``rubrics/`` into a scratch folder (plus a village rubric with one rating threshold moved, for
``diff``) and runs ``score``, ``batch`` (``--jobs 1`` and ``2``, with and without ``--cache``),
``grade-tree``, ``check``, ``validate`` and ``diff`` in every format from inside it, with relative
paths, so that the outputs do not depend on where the scratch folder is. For each run it keeps
stdout (or the ``-o`` file; a workbook as its parts' digests, leaving out the creation time in
``docProps/core.xml``), stderr and the exit code. A restructuring that changes nothing must
leave the two folders identical.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT_FORMATS = ("table", "json", "jsonl", "csv", "markdown", "html", "xlsx", "github", "junit")
TREE = (
    "grade-tree",
    "examples/county-demo",
    "--previous",
    "examples/county-demo/last-year-2025.json",
)


def runs() -> list[tuple[str, list[str], str]]:
    """(name, arguments, suffix of the ``-o`` file or "" for stdout) for every run."""
    out: list[tuple[str, list[str], str]] = []
    for fmt in RESULT_FORMATS:
        to_file = ".xlsx" if fmt == "xlsx" else ""
        out.append((f"score-file-{fmt}", ["score", "examples/village/shiqiao_good.yaml"], to_file))
        several = ["examples/village/hexi_vetoed.yaml", "examples/invalid/tab_character.yaml"]
        out.append((f"score-files-{fmt}", ["score", *several], to_file))
        out.append((f"batch-{fmt}", ["batch", "examples/village", "--jobs", "1"], to_file))
        out.append(
            (f"batch-tree-{fmt}", ["batch", "-r", "examples/county-demo", "-j", "1"], to_file)
        )
        out[-4:] = [(name, [*args, "--format", fmt], suffix) for name, args, suffix in out[-4:]]
    out.append(("batch-jobs2-json", ["batch", "examples", "-r", "-j", "2", "--format", "json"], ""))
    for round_ in ("first", "again"):
        cached = ["batch", "examples", "-r", "-j", "1", "--cache", "cache", "--format", "jsonl"]
        out.append((f"batch-cache-{round_}", cached, ""))
    quota = ["batch", "examples/village", "-j", "1", "--quota", "优秀=0.2", "--format", "json"]
    out.append(("batch-quota-json", quota, ""))
    for fmt in ("table", "json", "html"):
        out.append((f"grade-tree-{fmt}", [*TREE, "--format", fmt], ""))
    for fmt in ("text", "github", "junit"):
        out.append((f"check-rubrics-{fmt}", ["check", "rubrics", "--format", fmt], ""))
        out.append(
            (f"check-examples-{fmt}", ["check", "--examples", "examples", "--format", fmt], "")
        )
        out.append((f"validate-{fmt}", ["validate", "examples/invalid", "--format", fmt], ""))
    for fmt in ("table", "json", "markdown"):
        pair = ["diff", "rubrics/village.yaml", "village-new.yaml"]
        out.append((f"diff-{fmt}", [*pair, "--format", fmt], ""))
        out.append((f"diff-corpus-{fmt}", [*pair, "--corpus", "examples", "--format", fmt], ""))
    return out


def moved_threshold(rubric: str) -> str:
    """The village rubric with its first rating band's threshold one point lower."""
    marker = "min_score: "
    at = rubric.index(marker) + len(marker)
    end = at
    while rubric[end] not in "\n #,}":
        end += 1
    lowered = int(float(rubric[at:end])) - 1
    return rubric[:at] + str(lowered) + rubric[end:]


def workbook_parts(data: bytes) -> bytes:
    """A workbook as its parts' names and digests, without the creation time (``docProps/core.xml``)."""
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        lines = [
            f"{info.filename} {info.date_time} {hashlib.sha256(book.read(info)).hexdigest()}\n"
            for info in book.infolist()
            if info.filename != "docProps/core.xml"
        ]
    return "".join(lines).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder for the outputs (created, must not exist)")
    args = parser.parse_args()
    out: Path = args.out.resolve()
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="lianchuang-outputs-") as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "examples", work / "examples")
        shutil.copytree(ROOT / "rubrics", work / "rubrics")
        village = (ROOT / "rubrics" / "village.yaml").read_text(encoding="utf-8")
        (work / "village-new.yaml").write_text(moved_threshold(village), encoding="utf-8")
        (work / "cache").mkdir(mode=0o700)
        env = {
            **os.environ,
            "COLUMNS": "100",
            "LINES": "50",
            "TERM": "dumb",
            "TZ": "UTC",
            "PYTHONHASHSEED": "0",
            "LIANCHUANG_CACHE_HOME": str(work / "rubric-cache"),
        }
        for name, arguments, suffix in runs():
            command = [sys.executable, "-m", "lianchuang_cli", *arguments]
            target = work / f"out{suffix}"
            if suffix:
                command += ["-o", target.name]
            done = subprocess.run(command, cwd=work, env=env, capture_output=True, check=False)
            stdout = target.read_bytes() if suffix and target.exists() else done.stdout
            if suffix == ".xlsx" and stdout:
                stdout = workbook_parts(stdout)
            (out / f"{name}.out").write_bytes(stdout)
            (out / f"{name}.err").write_bytes(done.stderr)
            (out / f"{name}.rc").write_text(f"{done.returncode}\n", encoding="ascii")
            target.unlink(missing_ok=True)
    print(f"{len(runs())} runs written to {out}")


if __name__ == "__main__":
    main()
