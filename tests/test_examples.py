"""Every shipped example scores as its header says; every broken one fails where it says."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from lianchuang_cli.decimals import fmt
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.scoring.results import FileFailure, UnitResult
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


# A note that states the record a value was taken from (issue 14 item 12: 云岭村 scored 76.5 % with a
# note of 110 of 130 households, 84.6 %). Each pattern: the note's figures → the value they give.
NOTE_FIGURES: dict[str, tuple[re.Pattern[str], str]] = {
    "satisfaction": (re.compile(r"抽样(\d+)户，满意(\d+)户"), "share"),
    "secretary_approval": (re.compile(r"(\d+)人，满意(\d+)人"), "share"),
    "team_political_appraisal": (re.compile(r"参评(\d+)人.*?评为好的(\d+)人"), "share"),
    "team_cohesion_appraisal": (re.compile(r"参评(\d+)人.*?评为好的(\d+)人"), "share"),
    "party_congress": (re.compile(r"召开党员大会(\d+)次"), "count"),
    "cadre_training": (re.compile(r"培训班?(\d+)期"), "sum"),
    "collective_income": (re.compile(r"经营性收入(\d+(?:\.\d+)?)万元"), "amount"),
}


def _note_value(pattern: re.Pattern[str], kind: str, note: str) -> Decimal | None:
    if kind == "sum":
        periods = pattern.findall(note)
        return Decimal(sum(int(p) for p in periods)) if periods else None
    match = pattern.search(note)
    if match is None:
        return None
    if kind == "share":
        whole, part = (int(g) for g in match.groups())
        return Decimal(part) * 100 / whole
    return Decimal(match.group(1))


def _shipped_units() -> list[Path]:
    return sorted((EXAMPLES / "village").glob("*.yaml")) + sorted(
        (EXAMPLES / "county-demo").rglob("*.yaml")
    )


@pytest.mark.parametrize("path", _shipped_units(), ids=lambda p: p.stem)
def test_notes_state_the_figures_that_were_scored(path: Path) -> None:
    """Counts in a note (抽样、测评、次数、期数、万元) give the value beside it; 两委 counts give the profile's."""
    data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    indicators = data.get("indicators") or {}
    for indicator, (pattern, kind) in NOTE_FIGURES.items():
        entry = indicators.get(indicator)
        if not isinstance(entry, dict) or "value" not in entry:
            continue
        stated = _note_value(pattern, kind, str(entry.get("note", "")))
        if stated is not None:
            value = Decimal(str(entry["value"]))
            # A share may be written to one or two decimals (78.7 for 37 of 47), rounded half up.
            assert value == stated.quantize(value, rounding=ROUND_HALF_UP), (indicator, entry)
    profile = data.get("profile") or {}
    if "committee_size" not in profile:
        return
    for indicator, entry in indicators.items():
        match = re.search(r"两委成员(\d+)人|(\d+)名两委成员", str((entry or {}).get("note", "")))
        if match:
            assert int(match.group(1) or match.group(2)) == profile["committee_size"], indicator
    if "collective_income" in indicators:
        income = Decimal(str(profile["collective_operating_income"]))
        assert Decimal(str(indicators["collective_income"]["value"])) == income
