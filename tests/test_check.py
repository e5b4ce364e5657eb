"""``lianchuang check`` end to end: exit codes, formats, strictness."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, EXIT_OK
from tests.conftest import DATA

LINT = DATA / "lint"


def run(*args: str) -> Result:
    """Invoke the CLI with arguments and return the result."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_shipped_rubrics_pass_strictly() -> None:
    """With no path, every shipped rubric is checked and passes even under --strict."""
    result = run("check", "--strict")
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout == ""
    assert "错误0处，警告0处" in result.stderr


def test_problems_are_listed_and_fail() -> None:
    """Each problem is one located line with severity and code; exit 1."""
    path = LINT / "rating-order" / "mini.yaml"
    result = run("check", str(path))
    assert result.exit_code == EXIT_GATE_FAILED
    assert result.stdout.startswith(f"{path}:")
    assert " 错误 [rating-order]: " in result.stdout


def test_warnings_fail_only_when_strict() -> None:
    """A warning is shown but passes; --strict makes it fail."""
    path = str(LINT / "clause-cited")
    relaxed = run("check", path)
    assert relaxed.exit_code == EXIT_OK
    assert "警告 [clause-cited]" in relaxed.stdout
    assert run("check", "--strict", path).exit_code == EXIT_GATE_FAILED


def test_missing_path_cannot_run(tmp_path: Path) -> None:
    """A path that does not exist, or a folder without rubrics, exits 2."""
    assert run("check", str(tmp_path / "nope.yaml")).exit_code == EXIT_INPUT_ERROR
    assert run("check", str(tmp_path)).exit_code == EXIT_INPUT_ERROR


def test_github_format() -> None:
    """Workflow commands carry file, line and column."""
    path = LINT / "criteria-total" / "mini.yaml"
    result = run("check", "--format", "github", str(path))
    assert result.exit_code == EXIT_GATE_FAILED
    line = result.stdout.splitlines()[0]
    assert line.startswith(f"::error file={path},line=8,col=15,title=lianchuang [criteria-total]::")


def test_junit_format() -> None:
    """JUnit XML has a test case per file and a failure per error."""
    result = run("check", "--format", "junit", str(LINT / "tiers-order"), str(LINT / "rule-best"))
    suite = ElementTree.fromstring(result.stdout)
    assert suite.get("tests") == "2"
    assert suite.get("failures") == "3"
    assert len(suite.findall("testcase/failure")) == 3


def test_validate_and_score_speak_ci_formats(tmp_path: Path) -> None:
    """validate and score annotate bad evidence at its line and column; good files pass."""
    from tests.conftest import EXAMPLES

    good = str(EXAMPLES / "village" / "taoyuan_excellent.yaml")
    bad = str(EXAMPLES / "invalid" / "missing_indicators.yaml")
    validated = run("validate", "--format", "github", good, bad)
    assert validated.exit_code == EXIT_INPUT_ERROR
    assert validated.stdout.startswith(f"::error file={bad},line=12,col=1,")
    scored = run("score", "--format", "github", good, bad)
    assert scored.exit_code == EXIT_INPUT_ERROR
    assert (
        f"::notice file={good},title=lianchuang::桃源村党总支：总分 101.25，等级 优秀"
        in scored.stdout
    )
    assert f"::error file={bad},line=12,col=1," in scored.stdout
    junit = ElementTree.fromstring(run("score", "--format", "junit", good, bad).stdout)
    assert (junit.get("tests"), junit.get("failures")) == ("2", "1")
    validated_junit = ElementTree.fromstring(run("validate", "--format", "junit", good).stdout)
    assert validated_junit.get("failures") == "0"


def test_batch_speaks_ci_formats(tmp_path: Path) -> None:
    """batch over a folder annotates the broken file and notes the graded ones."""
    from tests.conftest import EXAMPLES

    folder = tmp_path / "村"
    folder.mkdir()
    for name in ("taoyuan_excellent.yaml", "shiqiao_good.yaml"):
        (folder / name).write_bytes((EXAMPLES / "village" / name).read_bytes())
    (folder / "bad.yaml").write_bytes(
        (EXAMPLES / "invalid" / "missing_indicators.yaml").read_bytes()
    )
    result = run("batch", str(folder), "--format", "junit")
    assert result.exit_code == EXIT_INPUT_ERROR
    suite = ElementTree.fromstring(result.stdout)
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    github = run("batch", str(folder), "--format", "github").stdout
    assert github.count("::notice ") == 2
    assert f"::error file={folder / 'bad.yaml'},line=12,col=1," in github


def test_evidence_given_to_check_is_named_as_such() -> None:
    """An evidence file passed to check gets one line pointing to validate, not fifty schema errors."""
    from tests.conftest import EXAMPLES

    result = run("check", str(EXAMPLES / "village" / "taoyuan_excellent.yaml"))
    assert result.exit_code == EXIT_GATE_FAILED
    assert len(result.stdout.splitlines()) == 1
    assert "请用 lianchuang validate 检查" in result.stdout
