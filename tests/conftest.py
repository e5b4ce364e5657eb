"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from lianchuang_cli.scoring.results import FileFailure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
EXAMPLES = ROOT / "examples"
RUBRICS = ROOT / "rubrics"
MINI_RUBRIC = DATA / "rubrics" / "mini.yaml"

EVIDENCE_CASES = DATA / "evidence" / "invalid"

EXPECTED_POSITION = re.compile(r"^# 预期错误：(\d+):(\d+)(?:[ \t]+(.*?))?\r?$", re.MULTILINE)
HEADER_ENCODINGS = ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


@pytest.fixture(autouse=True, scope="session")
def _private_rubric_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Command lines started by the tests keep their rubric cache in a temporary folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIANCHUANG_CACHE_HOME", str(tmp_path_factory.mktemp("rubric-cache")))
        yield


OUTPUT_SETTINGS = ("COLUMNS", "NO_COLOR", "SOURCE_DATE_EPOCH")
"""Environment variables that change what the tool prints or writes (layout width, colour, a
workbook's recorded time); tests that need one set it themselves."""


@pytest.fixture(autouse=True, scope="session")
def _no_output_settings_from_the_shell() -> Iterator[None]:
    """The tests see the tool's defaults, whatever the shell that runs them exports: a COLUMNS=80
    from the user's shell, or from pytest-xdist's workers, re-wrapped the tables that tests read."""
    with pytest.MonkeyPatch.context() as patch:
        for name in OUTPUT_SETTINGS:
            patch.delenv(name, raising=False)
        yield


def _header_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in HEADER_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "# 预期错误：" in text:
            return text
    return raw.decode("gb18030", errors="replace")


def expected_problems(path: Path) -> list[tuple[int, int, str]]:
    """Read the ``# 预期错误：line:column 消息片段`` header lines of a deliberately broken file.

    The message fragment is optional; the file may be in any encoding the tool is tested on.
    """
    found = EXPECTED_POSITION.findall(_header_text(path))
    return [(int(line), int(column), fragment) for line, column, fragment in found]


def expected_positions(path: Path) -> set[tuple[int, int]]:
    """The positions of ``expected_problems``."""
    return {(line, column) for line, column, _ in expected_problems(path)}


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
    from lianchuang_cli.batching.engine import grade_batch
    from lianchuang_cli.reports.registry import write

    stream = io.StringIO()
    with grade_batch([str(p) for p in paths], missing=failures) as batch:
        write(name, batch.report(), stream)
    return stream.getvalue()


def render_json(paths: Sequence[Path], failures: Sequence[FileFailure] = ()) -> str:
    """The JSON report of ``paths`` (plus recorded failures)."""
    return render("json", paths, failures)


def report_validator(definition: str | None = None) -> Any:
    """A JSON Schema validator for the report (schemas/report.schema.json), or for one of its $defs."""
    import json

    import jsonschema

    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    if definition is not None:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return jsonschema.Draft202012Validator(schema)


def run_python(code: str) -> None:
    """Run ``code`` in a fresh interpreter (what a start-up imports can only be seen there); its
    assertion messages become the test's."""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
