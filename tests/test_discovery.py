"""One discovery for every command: office lock files and odd entries are skipped and named."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.batching.discovery import LOCK_FILE, find_evidence
from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_OK
from lianchuang_cli.diffing.corpus import corpus_files
from lianchuang_cli.grading.expectations import example_files
from lianchuang_cli.tree.grade import tree_files
from tests.conftest import EXAMPLES

VILLAGE = EXAMPLES / "village" / "shiqiao_good.yaml"
LOCK_BYTES = b"\x0cnewuser  \x00\x00" * 12  # what Excel writes into ~$ files: not a document


def run(*args: str) -> Result:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def open_in_excel(tmp_path: Path) -> Path:
    """A folder where 桃花村.xlsx is open in Excel (and a YAML file in an editor that mimics it)."""
    folder = tmp_path / "桃花镇"
    folder.mkdir()
    shutil.copy(VILLAGE, folder / "shiqiao.yaml")
    (folder / "~$桃花村.xlsx").write_bytes(LOCK_BYTES)
    (folder / "~$shiqiao.yaml").write_bytes(LOCK_BYTES)
    (folder / ".~桃花村.xlsx").write_bytes(LOCK_BYTES)  # WPS on Linux
    return folder


def test_batch_skips_and_names_lock_files(open_in_excel: Path) -> None:
    """Issue 16.2: a workbook open in Excel no longer fails the batch (exit 2 before)."""
    result = run("batch", str(open_in_excel), "--format", "json", "--jobs", "1")
    assert result.exit_code == EXIT_OK, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["files"] == {"total": 1, "graded": 1, "vetoed": 0, "invalid": 0, "skipped": 3}
    names = {Path(e["path"]).name: e["reason"] for e in summary["skipped"]}
    assert names == dict.fromkeys(("~$桃花村.xlsx", "~$shiqiao.yaml", ".~桃花村.xlsx"), LOCK_FILE)
    assert "临时文件" in result.stderr


@pytest.mark.parametrize(
    "lister",
    [
        tree_files,
        lambda root: corpus_files([root]),
        lambda root: example_files([root]),
    ],
    ids=["grade-tree", "diff --corpus", "check --examples"],
)
def test_every_folder_walk_skips_lock_files(
    open_in_excel: Path, lister: Callable[[Path], list[Path]]
) -> None:
    """grade-tree, diff --corpus and check --examples list the same files as batch does."""
    (open_in_excel / "sub").mkdir()
    shutil.copy(VILLAGE, open_in_excel / "sub" / "again.yaml")
    assert [p.name for p in lister(open_in_excel)] == ["shiqiao.yaml", "again.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_odd_entries_are_named_with_why(tmp_path: Path) -> None:
    """Issue 17.15: a FIFO, a device, a link loop and a dangling link are named, not just counted."""
    folder = tmp_path / "odd"
    folder.mkdir()
    shutil.copy(VILLAGE, folder / "shiqiao.yaml")
    os.mkfifo(folder / "pipe.yaml")
    (folder / "device.yaml").symlink_to(os.devnull)
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "gone.yaml").symlink_to(folder / "deleted.yaml")
    (folder / "folder-link").symlink_to(tmp_path)
    (folder / "说明.txt").write_text("不是材料", encoding="utf-8")
    found = find_evidence([folder], recursive=True)
    reasons = {Path(e.path).name: e.reason for e in found.skipped}
    assert [Path(f).name for f in found.files] == ["shiqiao.yaml"]
    assert "命名管道" in reasons["pipe.yaml"]
    assert "设备文件" in reasons["device.yaml"]
    assert "循环" in reasons["loop.yaml"]
    assert "不存在" in reasons["gone.yaml"]
    assert "不跟随" in reasons["folder-link"]
    assert "不是佐证材料" in reasons["说明.txt"]
    table = run("batch", str(folder), "--jobs", "1")
    assert table.exit_code == EXIT_OK, table.output
    for name in ("pipe.yaml", "device.yaml", "loop.yaml", "gone.yaml", "folder-link", "说明.txt"):
        assert name in table.stdout  # the summary names it, whatever the terminal width
        assert name in table.stderr
    markdown = run("batch", str(folder), "--jobs", "1", "--format", "markdown")
    assert "命名管道（FIFO）" in markdown.stdout
    named_directly = find_evidence([folder / "pipe.yaml", folder / "gone.yaml"], recursive=False)
    assert (named_directly.files, named_directly.missing) == ((), ())
    assert len(named_directly.skipped) == 2
