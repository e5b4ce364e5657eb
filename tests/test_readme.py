"""README.md opens with the two commands that .ci/run runs, and documents every command."""

from __future__ import annotations

import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def ci_command(marker: str) -> str:
    """The command on the line after ``# README-n`` in .ci/run."""
    lines = CI.splitlines()
    return lines[lines.index(f"# {marker}") + 1].strip()


def test_readme_opens_with_the_ci_commands() -> None:
    """The first two code blocks are exactly the install-and-run and the test commands."""
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", README, flags=re.DOTALL)
    assert [b.strip() for b in blocks[:2]] == [ci_command("README-1"), ci_command("README-2")]


def test_readme_example_exists() -> None:
    """The shipped example that the first command grades is in the repository."""
    example = ci_command("README-1").split()[-1]
    assert (ROOT / example).is_file()


def test_readme_documents_commands_exit_codes_and_json() -> None:
    """Every command, every exit code and every JSON key of the contract is in README."""
    for command in (
        "lianchuang score",
        "lianchuang batch",
        "lianchuang validate",
        "lianchuang template",
        "lianchuang convert",
        "lianchuang rubric show",
    ):
        assert command in README
    for option in (
        "--rubric", "--format", "--fail-under", "--min-rating", "--output", "--recursive",
        "--jobs", "--quota",
    ):  # fmt: skip
        assert option in README
    from lianchuang_cli.reports.registry import FORMATS

    for name in FORMATS:
        assert f"`{name}`" in README, name
    assert "schemas/report.schema.json" in README
    for key in ("veto_reasons", "next_rating", "points_needed", "tool_version", "sha256", "advice"):
        assert f"`{key}`" in README
    assert "退出码" in README
    assert "benchmarks" in README
