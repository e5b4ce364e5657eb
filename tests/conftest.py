"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import re
from pathlib import Path

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
