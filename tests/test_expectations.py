"""Expected results in example files: checked by re-grading, rewritten on request."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_OK
from lianchuang_cli.grading.expectations import (
    check_example,
    example_files,
    expectation_of,
    update_example,
)
from tests.conftest import EXAMPLES

GOOD = EXAMPLES / "village" / "shiqiao_good.yaml"
BROKEN = EXAMPLES / "invalid" / "missing_indicators.yaml"


def copy(source: Path, folder: Path) -> Path:
    """A copy of a shipped example to edit."""
    target = folder / source.name
    shutil.copy(source, target)
    return target


def test_shipped_examples_match_their_expectations() -> None:
    """Every shipped example states its result, and grades to it."""
    files = example_files([EXAMPLES])
    assert len(files) >= 14
    for path in files:
        assert check_example(path) == (), path


def test_difference_is_reported_with_expected_and_got(tmp_path: Path) -> None:
    """A wrong expectation is located on its line and says both results."""
    path = copy(GOOD, tmp_path)
    text = path.read_text(encoding="utf-8")
    expected = expectation_of(text)
    assert expected is not None
    path.write_text(text.replace(f"总分 {expected.score}", "总分 99.5"), encoding="utf-8")
    (problem,) = check_example(path)
    assert problem.code == "expected-result"
    assert problem.line == 2
    assert f"预期 总分 99.5，等级 {expected.rating}，实际 总分 {expected.score}" in problem.message


def test_update_restores_the_expectation_and_nothing_else(tmp_path: Path) -> None:
    """Only the expectation line changes; a second update changes nothing."""
    path = copy(GOOD, tmp_path)
    original = path.read_bytes()
    path.write_bytes(original.replace("总分 ".encode(), "总分 1".encode(), 1))
    assert update_example(path)
    assert path.read_bytes() == original
    assert not update_example(path)


def test_update_writes_missing_error_positions_below_the_description(tmp_path: Path) -> None:
    """A broken example without its lines gets them, positions shifted by the lines added."""
    path = copy(BROKEN, tmp_path)
    original = path.read_text(encoding="utf-8")
    stripped = "".join(
        line for line in original.splitlines(keepends=True) if not line.startswith("# 预期错误")
    )
    path.write_text(stripped, encoding="utf-8")
    assert check_example(path)[0].message.startswith("没有预期结果行")
    update_example(path)
    assert path.read_text(encoding="utf-8") == original
    assert check_example(path) == ()


def test_update_keeps_gbk_and_crlf(tmp_path: Path) -> None:
    """A file saved as GBK with Windows line endings stays so."""
    path = tmp_path / "gbk.yaml"
    text = GOOD.read_text(encoding="utf-8").replace("# 预期：总分 ", "# 预期：总分 1", 1)
    path.write_bytes(text.replace("\n", "\r\n").encode("gbk"))
    assert check_example(path)
    update_example(path)
    raw = path.read_bytes()
    assert raw == GOOD.read_text(encoding="utf-8").replace("\n", "\r\n").encode("gbk")


def test_check_examples_command(tmp_path: Path) -> None:
    """--examples fails on a difference (exit 1); --update-expectations fixes it (exit 0)."""
    path = copy(GOOD, tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("等级 良好", "等级 优秀"), "utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--examples", str(tmp_path)])
    assert result.exit_code == EXIT_GATE_FAILED
    assert "预期 总分 88.88，等级 优秀，实际 总分 88.88，等级 良好" in result.stdout
    updated = runner.invoke(main, ["check", "--examples", str(tmp_path), "--update-expectations"])
    assert updated.exit_code == EXIT_OK
    assert f"已更新预期结果：{path}" in updated.stderr
    assert runner.invoke(main, ["check", "--update-expectations"]).exit_code == 2


def test_tree_files_are_checked_within_their_county(tmp_path: Path) -> None:
    """A township graded only by grade-tree is checked against the tree, and updated in place."""
    root = tmp_path / "county"
    shutil.copytree(EXAMPLES / "county-demo", root)
    township = root / "taoyuan" / "township.yaml"
    original = township.read_text(encoding="utf-8")
    line = next(x for x in original.splitlines() if x.startswith("# 预期（grade-tree"))
    township.write_text(original.replace(line, line.replace("总分 ", "总分 1")), "utf-8")
    (problem,) = check_example(township)
    assert "实际 总分" in problem.message
    assert update_example(township)
    assert township.read_text(encoding="utf-8") == original
