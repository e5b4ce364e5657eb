"""Check that two versions of the code give the same bytes for county trees: run it under each,
diff the output.

Run with ``PYTHONPATH=OLD/src python benchmarks/same_tree_outputs.py WORK > old.txt``, the same
with the new code into ``new.txt``, then ``diff old.txt new.txt``. WORK is a scratch folder (the
same for both runs: paths appear in the outputs); it is emptied first.

The cases: the county demo (with and without last year's results), the error cases of
``tests/test_tree.py`` (a village naming a missing township, two files with one code, a year
differing from the parent's, a township with no villages, a bad village, a village without
profile, a second county file, no county, an unreadable file, a unit that is not a mapping, an
empty folder) and a generated county of 6 townships × 20 villages with a few bad files. For each
it runs ``grade-tree`` in every format, ``publish`` of the tree and ``verify`` of the pack, and
prints one line per run: the arguments, the exit code and a digest of standard output, standard
error and every file written. Where the code has ``grade-tree --jobs``/``--cache`` it also runs
``--jobs 2`` and ``--cache`` (twice) and says whether they gave the same bytes as the default.
``--full`` prints the outputs instead of digests, to see what differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from lianchuang_cli.commands.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "county-demo"
PREVIOUS = DEMO / "last-year-2025.json"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_tree import build  # noqa: E402


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _missing_township(county: Path) -> None:
    edit(
        county / "yunling" / "gaoping.yaml",
        'township_code: "330521201"',
        'township_code: "330521209"',
    )


def _duplicate_code(county: Path) -> None:
    shutil.copy(county / "taoyuan" / "taoyuan.yaml", county / "yunling" / "zz_copy.yaml")


def _year(county: Path) -> None:
    edit(county / "shiqiao" / "xintang.yaml", "  year: 2026\n", "  year: 2025\n")


def _no_villages(county: Path) -> None:
    text = (county / "yunling" / "township.yaml").read_text(encoding="utf-8")
    text = text.replace('code: "330521201"', 'code: "330521202"').replace("云岭乡", "清溪乡")
    (county / "qingxi.yaml").write_text(text, encoding="utf-8")


def _bad_village(county: Path) -> None:
    path = county / "taoyuan" / "xinghua.yaml"
    edit(path, "  theme_party_days:\n    value: 11", "  theme_party_days:\n    value: 十一")


def _no_profile(county: Path) -> None:
    path = county / "taoyuan" / "nantang.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("profile:\n"), text.index("indicators:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")


def _second_county(county: Path) -> None:
    shutil.copy(county / "county.yaml", county / "zz_county.yaml")


def _no_county(county: Path) -> None:
    (county / "county.yaml").unlink()


def _unreadable(county: Path) -> None:
    (county / "shiqiao" / "broken.yaml").write_text("unit: [\n  - : :\n", encoding="utf-8")
    (county / "shiqiao" / "empty.yaml").write_text("", encoding="utf-8")


def _unit_not_mapping(county: Path) -> None:
    path = county / "yunling" / "zhukeng.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("unit:\n")
    end = text.index("\n", text.index("township_code", start)) + 1
    path.write_text(text[:start] + "unit: 竹坑村\n" + text[end:], encoding="utf-8")


def _empty(county: Path) -> None:
    shutil.rmtree(county)
    county.mkdir()


CASES: dict[str, Callable[[Path], None]] = {
    "demo": lambda county: None,
    "missing-township": _missing_township,
    "duplicate-code": _duplicate_code,
    "year-mismatch": _year,
    "township-without-villages": _no_villages,
    "bad-village": _bad_village,
    "village-without-profile": _no_profile,
    "second-county": _second_county,
    "no-county": _no_county,
    "unreadable": _unreadable,
    "unit-not-a-mapping": _unit_not_mapping,
    "empty": _empty,
}


def generated(folder: Path) -> None:
    """A county of 6 townships × 20 villages, three of them bad, one left out."""
    folder.mkdir()
    build(folder, 6, 20)
    bad = folder / "t002" / "v0003.yaml"
    text = bad.read_text(encoding="utf-8")
    text = re.sub(r"theme_party_days:\n    value: \d+", "theme_party_days:\n    value: x", text)
    bad.write_text(text, encoding="utf-8")
    (folder / "t003" / "v0005.yaml").write_text("rubric: village\nunit: {", encoding="utf-8")
    edit(folder / "t004" / "v0007.yaml", 'township_code: "330521004"', 'township_code: "330521099"')


STAMPS = (
    # A publication's time, and the digests of the manifest that holds it: all that differs
    # between two publications of the same evidence.
    (re.compile(rb'"published_at": "[^"]*"'), b'"published_at": "TIME"'),
    (re.compile(rb"\xef\xbc\x9a[0-9a-f]{64}"), b"DIGEST"),
)


def digest(data: bytes, full: bool) -> str:
    for stamp, fixed in STAMPS:
        data = stamp.sub(fixed, data)
    if full:
        return "\n" + data.decode("utf-8", "replace")
    return hashlib.sha256(data).hexdigest()[:16]


def run(args: list[str], written: list[Path], full: bool) -> str:
    """Run the command line; its exit code and digests of what it printed and wrote."""
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    parts = [f"exit={result.exit_code}", f"out={digest(result.stdout_bytes, full)}"]
    parts.append(f"err={digest(result.stderr_bytes, full)}")
    for path in written:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                parts.append(f"{file.relative_to(path)}={digest(file.read_bytes(), full)}")
        elif path.exists():
            parts.append(f"{path.name}={digest(path.read_bytes(), full)}")
    return " ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("work", type=Path)
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    work: Path = args.work.resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    os.environ["COLUMNS"] = "120"
    helped = CliRunner().invoke(cli, ["grade-tree", "--help"]).output
    engine = "--jobs" in helped and "--cache" in helped
    folders: list[tuple[str, Path]] = []
    for name, change in CASES.items():
        county = work / name
        shutil.copytree(DEMO, county, ignore=shutil.ignore_patterns("*.json"))
        change(county)
        folders.append((name, county))
    generated(work / "generated")
    folders.append(("generated", work / "generated"))
    for name, county in folders:
        previous_options = (
            [[], ["--previous", str(PREVIOUS)]]
            if name in ("demo", "bad-village", "generated")
            else [[]]
        )
        for previous in previous_options:
            for form in ("table", "json", "html"):
                base = ["grade-tree", str(county), "--format", form, *previous]
                out = work / f"out-{name}.{form}"
                line = run([*base, "-o", str(out)], [out], args.full)
                print(f"{name} {form} {' '.join(previous[:1])}: {line}")
                stdout_line = run(base, [], args.full)
                print(f"{name} {form} {' '.join(previous[:1])} stdout: {stdout_line}")
                if engine:
                    same = run([*base, "--jobs", "2"], [], args.full) == stdout_line
                    cache = work / "cache"
                    first = run([*base, "--cache", str(cache)], [], args.full)
                    again = run([*base, "--cache", str(cache)], [], args.full)
                    cached = first == stdout_line and again == stdout_line
                    print(f"  --jobs 2 same: {same}; --cache same: {cached}", file=sys.stderr)
                    if not (same and cached):
                        raise SystemExit(f"{name} {form}: --jobs 2 or --cache differ")
        pack = work / f"pack-{name}"
        published = run(
            ["publish", str(county), "-o", str(pack), "--jobs", "1", "--previous", str(PREVIOUS)],
            [pack],
            args.full,
        )
        print(f"{name} publish: {re.sub(str(work), 'WORK', published)}")
        if pack.exists():
            print(f"{name} verify: {run(['verify', str(pack)], [], args.full)}")


if __name__ == "__main__":
    main()
