"""README.md opens with the two commands that .ci/run runs, and documents every command."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

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


SHIPPED_ID = r"\b(village|township|county)\b"
VERSION_MENTIONS = (
    rf"{SHIPPED_ID}-(\d{{4}}\.\d+)\.schema\.json",  # village-2026.2.schema.json
    rf"`{SHIPPED_ID}` (\d{{4}}\.\d+)",  # 内置村级细则（`village` 2026.2）
    rf"“{SHIPPED_ID} (\d{{4}}\.\d+) · [0-9a-f]{{8}}”",  # 如“village 2026.2 · ed3768a5”
)


def shipped_versions() -> dict[str, str]:
    """Each shipped rubric's id → its version, read from ``rubrics/``."""
    from lianchuang_cli.grading.rubrics import load_rubric
    from lianchuang_cli.model.rubric import shipped_rubric_ids, shipped_rubrics_dir

    return {
        rubric_id: load_rubric(shipped_rubrics_dir() / f"{rubric_id}.yaml").rubric.version
        for rubric_id in shipped_rubric_ids()
    }


def code_blocks(language: str | None = None) -> list[tuple[str, str]]:
    """(language, text) of README's fenced code blocks, optionally of one language."""
    blocks = re.findall(r"```(\w*)\n(.*?)```", README, flags=re.DOTALL)
    return [(lang, text) for lang, text in blocks if language is None or lang == language]


def evidence_samples() -> list[str]:
    """README's YAML blocks that show evidence (they hold a ``unit:``), as whole village files."""
    samples = []
    for _, text in code_blocks("yaml"):
        if re.search(r"^unit:", text, flags=re.MULTILINE):
            has_rubric = re.search(r"^rubric:", text, flags=re.MULTILINE)
            text = text if has_rubric else "rubric: village\n" + text
            has_indicators = re.search(r"^indicators:", text, flags=re.MULTILINE)
            samples.append(text if has_indicators else text + "indicators: {}\n")
    return samples


def test_readme_names_the_shipped_rubric_versions() -> None:
    """Issue 16.6: README said 2026.1 where village was 2026.2; every version of a shipped
    rubric README names (schema file names, headings, ``rubric_version``) is the shipped one."""
    versions = shipped_versions()
    mentions = [m.groups() for pattern in VERSION_MENTIONS for m in re.finditer(pattern, README)]
    mentions += [("village", v) for v in re.findall(r'rubric_version: "([^"]+)"', README)]
    assert mentions
    for rubric_id, version in mentions:
        assert version == versions[rubric_id], f"README: {rubric_id} {version}"


def test_help_names_no_stale_rubric_version() -> None:
    """Help texts name no rubric version that is not the shipped one (they name none)."""
    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import COMMANDS, main

    versions = shipped_versions()
    for command in ([], *([name] for name in COMMANDS), ["rubric", "show"]):
        text = CliRunner().invoke(main, [*command, "--help"]).stdout
        for rubric_id, version in re.findall(rf"{SHIPPED_ID}[- ](\d{{4}}\.\d+)", text):
            assert version == versions[rubric_id], (command, rubric_id, version)


def test_readme_evidence_samples_are_valid(tmp_path: Path) -> None:
    """Copying README's evidence sample gave exit 2 (rubric_version 2026.1): every key a sample
    writes is valid against the shipped rubric; only the indicators it leaves out are missing."""
    from lianchuang_cli.grading.pipeline import grade_file
    from lianchuang_cli.scoring.results import FileFailure

    samples = evidence_samples()
    assert len(samples) >= 2
    for number, sample in enumerate(samples):
        path = tmp_path / f"sample{number}.yaml"
        path.write_text(sample, encoding="utf-8")
        outcome = grade_file(path)
        problems = outcome.problems if isinstance(outcome, FileFailure) else ()
        others = [p for p in problems if not re.match(r"缺少\d+项指标：", p.message)]
        assert others == [], f"README sample {number}: {others}"


def readme_command_lines() -> list[list[str]]:
    """Every ``lianchuang …`` line of README's shell blocks (not the CI templates), as argv."""
    lines = []
    for lang, text in code_blocks():
        if lang not in ("", "bash", "sh"):
            continue
        for line in text.splitlines():
            line = line.split("#", 1)[0].split(">", 1)[0].strip()
            if "lianchuang " in line:
                lines.append(shlex.split(line[line.index("lianchuang ") :])[1:])
    return lines


def test_readme_command_lines_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command line README shows runs, in order, in a folder laid out as README assumes
    (the examples, and the demo county under the names README gives it): no usage error."""
    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main

    demo = EXAMPLES / "county-demo"
    for name, target in (
        ("examples", EXAMPLES),
        ("rubrics", ROOT / "rubrics"),
        ("青山县", demo),
        ("青山县2025.json", demo / "last-year-2025.json"),
    ):
        (tmp_path / name).symlink_to(target)
    monkeypatch.chdir(tmp_path)
    lines = readme_command_lines()
    assert len(lines) >= 8
    for argv in lines:
        result = CliRunner().invoke(main, argv, catch_exceptions=False)
        shown = result.stdout + result.stderr
        assert result.exit_code in (0, 1, 2), (argv, shown)
        assert "用法：" not in shown, (argv, shown)  # a usage error prints the usage line
        assert "程序内部错误" not in shown, (argv, shown)


def test_readme_format_lists_match_the_registry() -> None:
    """Issue 15.7: each command's ``--format`` list in README is the registry's, in its order."""
    from lianchuang_cli.reports.registry import COMMAND_FORMATS, FORMATS

    for command, formats in COMMAND_FORMATS.items():
        if formats is FORMATS:
            continue  # score and batch: the 输出格式 table below
        heading = re.search(rf"^### `lianchuang {command} .*`$", README, flags=re.MULTILINE)
        assert heading is not None, command
        assert f"[--format {'|'.join(formats)}]" in heading.group(), (command, heading.group())
        assert "[-o 文件]" in heading.group(), command
    table = README.split("### 输出格式（`score` 与 `batch` 通用，`--format`）", 1)[1]
    listed = re.findall(r"^\| `([a-z]+)` \|", table.split("\n\n", 2)[1], flags=re.MULTILINE)
    assert listed == list(FORMATS)


def test_readme_lint_checks_match_the_registry() -> None:
    """Issue 15.7: README's table of lint checks is the registry's codes, severities and words."""
    from lianchuang_cli.errors import SEVERITY_NAMES
    from lianchuang_cli.grading.expectations import CODE as EXPECTED_RESULT
    from lianchuang_cli.lint.checks import CHECKS
    from lianchuang_cli.lint.engine import SCHEMA_CODE, YAML_CODE

    rows = {
        code: (severity, description)
        for code, severity, description in re.findall(
            r"^\| `([a-z-]+)` \| (错误|警告) \| (.*) \|$", README, flags=re.MULTILINE
        )
    }
    for code, check in CHECKS.items():
        assert rows.get(code) == (SEVERITY_NAMES[check.severity], check.description), code
    # The engine's own codes (reading and schema), and --examples' comparison.
    assert set(rows) - set(CHECKS) == {YAML_CODE, "duplicate-key", SCHEMA_CODE, EXPECTED_RESULT}
