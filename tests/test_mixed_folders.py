"""Issue 16.8: a folder holding several levels, and two files of one unit, in a batch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_INPUT_ERROR
from tests.conftest import EXAMPLES

SHIQIAO = EXAMPLES / "village" / "shiqiao_good.yaml"
LIUXI = EXAMPLES / "village" / "liuxi_almost_excellent.yaml"


def run(*args: str) -> Result:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_township_and_county_files_are_named_for_grade_tree(jobs: str) -> None:
    """``batch examples -r`` listed them as invalid with “缺少15项指标：villages_qualified…”."""
    result = run("batch", str(EXAMPLES), "-r", "--jobs", jobs, "--format", "json")
    assert result.exit_code == EXIT_INPUT_ERROR
    invalid = {i["file"]: i["errors"] for i in json.loads(result.stdout)["invalid"]}
    levels = {
        EXAMPLES / "county-demo" / "county.yaml": "县级材料",
        EXAMPLES / "county-demo" / "taoyuan" / "township.yaml": "乡镇级材料",
    }
    for path, level in levels.items():
        (error,) = invalid[str(path)]
        assert error["code"] == "mixed-rubric"
        assert level in error["message"]
        assert "grade-tree" in error["message"]
        assert "缺少" not in error["message"]
    # A village file with a real mistake keeps its own errors.
    missing = invalid[str(EXAMPLES / "invalid" / "missing_indicators.yaml")]
    assert "缺少2项指标" in missing[0]["message"]


def test_two_files_of_one_unit_are_an_error_at_both(tmp_path: Path) -> None:
    """Two files with one unit code were ranked twice without a word."""
    shutil.copy(SHIQIAO, tmp_path / "石桥村.yaml")
    shutil.copy(SHIQIAO, tmp_path / "石桥村（修改稿）.yaml")
    shutil.copy(LIUXI, tmp_path / "柳溪村.yaml")
    result = run("batch", str(tmp_path), "--jobs", "1", "--format", "json")
    assert result.exit_code == EXIT_INPUT_ERROR
    payload = json.loads(result.stdout)
    assert [Path(r["file"]).name for r in payload["results"]] == ["柳溪村.yaml"]
    assert payload["results"][0]["rank"] == 1
    errors = {Path(i["file"]).name: i["errors"] for i in payload["invalid"]}
    assert set(errors) == {"石桥村.yaml", "石桥村（修改稿）.yaml"}
    for name, (error,) in errors.items():
        assert error["code"] == "duplicate-code"
        assert (error["line"], error["column"]) == (7, 9)  # unit.code in the file
        assert "0571030205" in error["message"]
        other = "石桥村（修改稿）.yaml" if name == "石桥村.yaml" else "石桥村.yaml"
        assert other in error["message"]
    assert payload["summary"]["files"]["invalid"] == 2
    table = run("batch", str(tmp_path), "--jobs", "2")
    assert table.exit_code == EXIT_INPUT_ERROR
    assert table.stdout.count("[duplicate-code]") == 2
    score = run("score", str(tmp_path / "石桥村.yaml"), str(tmp_path / "石桥村（修改稿）.yaml"))
    assert score.exit_code == EXIT_INPUT_ERROR
    assert score.stderr.count("[duplicate-code]") == 2


def test_one_file_given_twice_is_one_unit() -> None:
    """``score a.yaml a.yaml`` is the same unit asked for twice, not a clash."""
    result = run("score", str(SHIQIAO), str(SHIQIAO), "--format", "json")
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)["results"]) == 2
