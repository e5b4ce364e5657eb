"""Files as people really produce them: each case in tests/data/evidence/invalid fails where it says.

Every file there carries ``# 预期错误：line:column 消息片段`` header lines; the tool must report
exactly those positions, each with a message containing its fragment, both through the grading
core and through the command line (exit code 2, every line naming the file and the position).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.cli import main
from lianchuang_cli.grading import grade_file
from lianchuang_cli.results import FileFailure
from tests.conftest import EVIDENCE_CASES, expected_problems

CASES = sorted(EVIDENCE_CASES.glob("*.yaml"))


def test_there_are_cases() -> None:
    """The folder is walked, so it must not be empty."""
    assert len(CASES) >= 5


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_fails_where_and_how_its_header_says(path: Path) -> None:
    """Each expected position is reported with the expected words, and nothing else is."""
    expected = expected_problems(path)
    assert expected, "header lines # 预期错误：line:column 消息片段 missing"
    outcome = grade_file(path)
    assert isinstance(outcome, FileFailure), outcome
    reported = [(p.line, p.column, p.message) for p in outcome.problems]
    assert [(line, column) for line, column, _ in reported] == [
        (line, column) for line, column, _ in expected
    ]
    for (_, _, message), (_, _, fragment) in zip(reported, expected, strict=True):
        assert fragment in message
        assert "程序内部错误" not in message


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_through_the_command_line(path: Path) -> None:
    """``validate`` exits 2 and prints every problem as file:line:column, in Chinese."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(path) + ":")]
    assert len(lines) == len(expected_problems(path))
    for line, column, fragment in expected_problems(path):
        assert any(f"{path}:{line}:{column}: " in shown and fragment in shown for shown in lines)
