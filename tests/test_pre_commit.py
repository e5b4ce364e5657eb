"""The hooks in ``.pre-commit-hooks.yaml``, run through pre-commit against a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import EXAMPLES, ROOT, RUBRICS

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))


def git(repo: Path, *args: str) -> None:
    """Run git quietly in ``repo``."""
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with a rubric, an evidence file and a file neither hook looks at."""
    repo = tmp_path / "county-repo"
    (repo / "rubrics").mkdir(parents=True)
    (repo / "evidence").mkdir()
    shutil.copy(RUBRICS / "village.yaml", repo / "rubrics" / "village.yaml")
    shutil.copy(EXAMPLES / "village" / "taoyuan_excellent.yaml", repo / "evidence" / "taoyuan.yaml")
    (repo / "notes.yaml").write_text("not: evidence\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    return repo


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pre-commit in ``repo`` with this interpreter's scripts on PATH and a private cache."""
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
    }
    command = [sys.executable, "-m", "pre_commit", *args, "--all-files"]
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)


def local_config(repo: Path) -> None:
    """The shipped hook definitions as a ``repo: local`` config run by the installed lianchuang."""
    hooks = [{**hook, "language": "system"} for hook in HOOKS]
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def test_hooks_pass_a_clean_repository(repo: Path) -> None:
    """Both hooks run on their files (and only those) and pass."""
    local_config(repo)
    result = pre_commit(repo, "run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "lianchuang check（考评细则）" in result.stdout
    assert "lianchuang validate（佐证材料）" in result.stdout
    assert "Passed" in result.stdout


def test_hooks_fail_on_a_broken_rubric_and_evidence(repo: Path) -> None:
    """A points error in the rubric and a misspelt id in evidence fail, located."""
    local_config(repo)
    rubric = repo / "rubrics" / "village.yaml"
    rubric.write_text(
        rubric.read_text(encoding="utf-8").replace("total_points: 100", "total_points: 90"), "utf-8"
    )
    evidence = repo / "evidence" / "taoyuan.yaml"
    evidence.write_text(
        evidence.read_text(encoding="utf-8").replace("  theme_party_days:", "  theme_party_dyas:"),
        "utf-8",
    )
    result = pre_commit(repo, "run")
    assert result.returncode == 1
    assert "rubrics/village.yaml:" in result.stdout
    assert "[criteria-total]" in result.stdout
    assert "evidence/taoyuan.yaml:" in result.stdout
    assert "theme_party_dyas" in result.stdout


@pytest.mark.slow
def test_try_repo_installs_from_this_checkout(repo: Path) -> None:
    """pre-commit try-repo builds the hooks from this checkout (pip needs the package index).

    Marked slow (about 30 s: pre-commit creates a virtualenv and pip-installs the package and its
    dependencies); .ci/run runs it with ``pytest -m slow``.
    """
    result = pre_commit(repo, "try-repo", str(ROOT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("Passed") == 2
