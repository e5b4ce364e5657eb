"""Every shipped example scores as its header says; every broken one fails where it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lianchuang_cli.decimals import fmt
from lianchuang_cli.grading import grade_file
from lianchuang_cli.results import FileFailure, UnitResult
from tests.conftest import EXAMPLES, expected_positions

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))
EXPECTED = re.compile(r"^# 预期：总分 (\S+)，等级 (\S+)$", re.MULTILINE)


def test_there_are_enough_examples() -> None:
    """At least five villages (优秀, middle, 不合格, vetoed, not applicable) and eight broken files."""
    assert len(VALID) >= 5
    assert len(INVALID) >= 8


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_example_scores_as_its_header_says(path: Path) -> None:
    """The header's ``# 预期：总分 X，等级 Y`` is what the tool computes."""
    match = EXPECTED.search(path.read_text(encoding="utf-8-sig"))
    assert match, "header line # 预期：总分 …，等级 … missing"
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult), outcome
    assert (fmt(outcome.score), outcome.rating) == match.groups()


def test_examples_cover_the_cases() -> None:
    """The set shows each kind of outcome the tool distinguishes."""
    results = [grade_file(p) for p in VALID]
    graded = [r for r in results if isinstance(r, UnitResult)]
    assert len(graded) == len(VALID)
    assert any(r.rating == "优秀" for r in graded)
    assert any(r.vetoed for r in graded)
    assert any(r.scaled for r in graded)
    assert any(not r.vetoed and r.rating == "不合格" for r in graded)
    assert any(r.rating in ("良好", "合格") and not r.vetoed for r in graded)
    assert any(r.self_score_differences for r in graded)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_fails_where_its_header_says(path: Path) -> None:
    """Each broken example reports exactly the positions in its ``# 预期错误`` lines."""
    expected = expected_positions(path)
    assert expected, "header lines # 预期错误：line:column missing"
    outcome = grade_file(path)
    assert isinstance(outcome, FileFailure)
    assert {(p.line, p.column) for p in outcome.problems} == expected
    assert all(p.message for p in outcome.problems)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_results_carry_the_line_of_each_indicator(path: Path) -> None:
    """Every indicator result and gap knows the line of its entry in the evidence file."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult)
    for result in outcome.indicators:
        assert lines[result.line - 1] == f"  {result.id}:"
    for gap in outcome.gaps:
        assert lines[gap.line - 1] == f"  {gap.indicator}:"
