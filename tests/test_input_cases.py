"""Files as people really produce them: each case in tests/data/evidence/invalid fails where it says.

Every file there carries ``# 预期错误：line:column 消息片段`` header lines; the tool must report
exactly those positions, each with a message containing its fragment, both through the grading
core and through the command line (exit code 2, every line naming the file and the position).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.decimals import fmt
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from tests.conftest import DATA, EVIDENCE_CASES, expected_problems

CASES = sorted(EVIDENCE_CASES.glob("*.yaml"))
ACCEPTED = sorted((DATA / "evidence" / "valid").glob("*.yaml"))
EXPECTED_SCORE = re.compile(r"^# 预期：总分 (\S+)，等级 (\S+)$", re.MULTILINE)
SAID_POSITION = re.compile(r"第(\d+)行第(\d+)列")


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
    for (line, column, message), (_, _, fragment) in zip(reported, expected, strict=True):
        assert fragment in message
        assert "程序内部错误" not in message
        said = SAID_POSITION.search(message)
        if said:
            assert (int(said[1]), int(said[2])) == (line, column), message


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: p.stem)
def test_values_typed_the_way_people_type_them_are_read_as_meant(path: Path) -> None:
    """Full-width digits and values carrying the indicator's own unit grade like plain numbers."""
    match = EXPECTED_SCORE.search(path.read_text(encoding="utf-8"))
    assert match, "header line # 预期：总分 …，等级 … missing"
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult), outcome
    assert (fmt(outcome.score), outcome.rating) == match.groups()


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_through_the_command_line(path: Path) -> None:
    """``validate`` exits 2 and prints every problem as file:line:column, in Chinese."""
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stdout.splitlines() if line.startswith(str(path) + ":")]
    assert len(lines) == len(expected_problems(path))
    for line, column, fragment in expected_problems(path):
        assert any(f"{path}:{line}:{column}: " in shown and fragment in shown for shown in lines)


def test_the_rest_of_a_long_list_is_counted_in_one_line() -> None:
    """Past 100 problems one more line, with its own code, says how many were left out."""
    outcome = grade_file(EVIDENCE_CASES / "many_unknown_keys.yaml")
    assert isinstance(outcome, FileFailure)
    *listed, rest = outcome.problems
    assert len(listed) == 100
    assert rest.code == "more-problems"
    assert rest.message.startswith("另有50处错误未列出")
