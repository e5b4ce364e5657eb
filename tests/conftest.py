"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from lianchuang_cli.results import FileFailure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples"
RUBRICS = ROOT / "rubrics"
MINI_RUBRIC = DATA / "rubrics" / "mini.yaml"

EXPECTED_POSITION = re.compile(r"^# 预期错误：(\d+):(\d+)", re.MULTILINE)


def expected_positions(path: Path) -> set[tuple[int, int]]:
    """Read the ``# 预期错误：line:column`` header lines of a deliberately broken file."""
    text = path.read_text(encoding="utf-8-sig")
    return {(int(line), int(column)) for line, column in EXPECTED_POSITION.findall(text)}


def assert_subset(expected: object, actual: object, where: str = "$") -> None:
    """Every key of ``expected`` is in ``actual`` with an equal value; lists match item by item."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing"
            assert_subset(value, actual[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        assert len(actual) == len(expected), f"{where}: {len(actual)} items, expected {expected!r}"
        for index, (one, other) in enumerate(zip(expected, actual, strict=True)):
            assert_subset(one, other, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


def render(name: str, paths: Sequence[Path], failures: Sequence[FileFailure] = ()) -> str:
    """Grade ``paths`` through the engine (in process) and write them in format ``name``."""
    from lianchuang_cli.engine import grade_batch
    from lianchuang_cli.reports.registry import write

    stream = io.StringIO()
    with grade_batch([str(p) for p in paths], missing=failures) as batch:
        write(name, batch.report(), stream)
    return stream.getvalue()


def render_json(paths: Sequence[Path], failures: Sequence[FileFailure] = ()) -> str:
    """The JSON report of ``paths`` (plus recorded failures)."""
    return render("json", paths, failures)
