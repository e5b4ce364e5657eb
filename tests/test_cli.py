"""The command line end to end, through click's CliRunner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli import __version__
from lianchuang_cli.commands.cli import main
from lianchuang_cli.commands.common import EXIT_GATE_FAILED, EXIT_INPUT_ERROR, EXIT_OK
from tests.conftest import EXAMPLES, MINI_RUBRIC, report_validator, run_python

EXCELLENT = str(EXAMPLES / "village" / "taoyuan_excellent.yaml")
FAILING = str(EXAMPLES / "village" / "baishui_failing.yaml")
VETOED = str(EXAMPLES / "village" / "hexi_vetoed.yaml")


def run(*args: str) -> Result:
    """Invoke the CLI with arguments and return the result."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def broken_file(tmp_path: Path) -> str:
    """An evidence file with a misspelt indicator id and a bad count."""
    text = Path(EXCELLENT).read_text(encoding="utf-8")
    text = text.replace("  party_congress:", "  party_congres:", 1)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_score_table() -> None:
    """The table shows the unit, total, rating and each criterion."""
    result = run("score", EXCELLENT)
    assert result.exit_code == EXIT_OK
    for text in ("桃源", "总分", "等级", "优秀", "领导班子好", "农民群众反映好"):
        assert text in result.stdout
    assert "\x1b[" not in result.stdout


def test_score_table_lists_gaps_and_next_rating() -> None:
    """A failing unit sees its gaps, largest first, and what lifts it one band."""
    result = run("score", FAILING)
    assert result.exit_code == EXIT_OK
    assert "差距（按失分从多到少）" in result.stdout
    assert "升级（2027年）：要达到“合格”" in result.stdout


def test_score_json_one_file_gives_the_report_object() -> None:
    """One file gives the same envelope as many: one result with its rank, no failures."""
    result = run("score", "--format", "json", EXCELLENT)
    assert result.exit_code == EXIT_OK
    payload = json.loads(result.stdout)
    report_validator().validate(payload)
    assert payload["schema_version"] == 2
    assert payload["invalid"] == []
    [unit] = payload["results"]
    assert unit["rating"] == "优秀"
    assert unit["rank"] == 1
    assert unit["status"] == "graded"
    assert unit["tool_version"] == __version__
    assert unit["unit"]["level"] == "village"


def test_score_json_keeps_good_results_beside_bad(tmp_path: Path) -> None:
    """Several files: results in input order, the bad file under ``invalid``, exit 2."""
    result = run("score", "--format", "json", EXCELLENT, broken_file(tmp_path), VETOED)
    assert result.exit_code == EXIT_INPUT_ERROR
    payload = json.loads(result.stdout)
    report_validator().validate(payload)
    assert [item["file"] for item in payload["results"]] == [EXCELLENT, VETOED]
    [bad] = payload["invalid"]
    errors = bad["errors"]
    assert all(error["line"] > 1 for error in errors)
    assert any("是否想写“party_congress”" in error["message"] for error in errors)
    vetoed = payload["results"][1]
    assert vetoed["vetoed"] is True
    assert vetoed["status"] == "vetoed"
    assert payload["summary"]["files"] == {
        "total": 3, "graded": 2, "vetoed": 1, "invalid": 1, "skipped": 0,
    }  # fmt: skip


def test_score_table_reports_problems_on_stderr(tmp_path: Path) -> None:
    """Problems go to stderr as file:line:column lines; the good file is still graded."""
    bad = broken_file(tmp_path)
    result = run("score", bad, EXCELLENT)
    assert result.exit_code == EXIT_INPUT_ERROR
    assert f"{bad}:" in result.stderr
    assert ": 错误: " in result.stderr
    assert "优秀" in result.stdout
    assert "共2个文件：已评分1个，无法评分1个。" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-under", "40"], EXIT_OK),
        (["--fail-under", "99.5"], EXIT_GATE_FAILED),
        (["--min-rating", "合格"], EXIT_GATE_FAILED),
        (["--min-rating", "不合格"], EXIT_OK),
    ],
)
def test_gates(args: list[str], code: int) -> None:
    """--fail-under and --min-rating turn a graded result into exit 1."""
    result = run("score", *args, FAILING)
    assert result.exit_code == code
    if code == EXIT_GATE_FAILED:
        assert "未达门槛" in result.stderr


def test_vetoed_unit_fails_a_rating_gate() -> None:
    """A veto drops a high score to the lowest rating."""
    assert run("score", "--min-rating", "合格", VETOED).exit_code == EXIT_GATE_FAILED


@pytest.mark.parametrize(
    "args",
    [
        ["score", "--fail-under", "abc", EXCELLENT],
        ["score", "--min-rating", "五星", EXCELLENT],
        ["score", "--format", "xml", EXCELLENT],
        ["score"],
        ["score", "--rubric", "township", EXCELLENT],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_in_chinese(args: list[str]) -> None:
    """Usage errors exit 2 with a Chinese message."""
    result = run(*args)
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "错误" in result.stderr or "找不到" in result.stderr
    assert "Error" not in result.stderr
    assert "Usage" not in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    """An unreadable path is reported with its name, and no traceback."""
    missing = str(tmp_path / "none.yaml")
    result = run("score", missing)
    assert result.exit_code == EXIT_INPUT_ERROR
    assert f"{missing}: 错误: 文件不存在" in result.stderr  # no made-up position


def test_rubric_option_overrides_the_shipped_rubric(tmp_path: Path) -> None:
    """--rubric grades against another file; a file asking for another rubric id is refused."""
    result = run("score", "--rubric", str(MINI_RUBRIC), EXCELLENT)
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "--rubric 指定的细则 id 为“mini”" in result.stderr


def test_wrong_rubric_version_names_both(tmp_path: Path) -> None:
    """A version the file asks for that differs from the rubric's is an error naming both."""
    path = tmp_path / "old.yaml"
    text = Path(EXCELLENT).read_text(encoding="utf-8")
    path.write_text(text.replace('rubric_version: "2026.3"', 'rubric_version: "2025.1"'), "utf-8")
    result = run("validate", str(path))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "2025.1" in result.stdout
    assert "2026.3" in result.stdout


def test_validate(tmp_path: Path) -> None:
    """validate says which files are correct and lists every problem of the others."""
    result = run("validate", EXCELLENT)
    assert result.exit_code == EXIT_OK
    assert "填写正确" in result.stdout
    result = run("validate", EXCELLENT, broken_file(tmp_path))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "处错误" in result.stdout  # validate's findings are its output


def test_template_prints_and_writes(tmp_path: Path) -> None:
    """template prints a skeleton, writes it with -o, and never overwrites a file."""
    printed = run("template", "village")
    assert printed.exit_code == EXIT_OK
    assert printed.stdout.startswith(
        "# yaml-language-server: $schema=village-2026.3.schema.json\n# “五个好”村党组织考评细则"
    )
    target = tmp_path / "new.yaml"
    written = run("template", "village", "-o", str(target))
    assert written.exit_code == EXIT_OK
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert (tmp_path / "village-2026.3.schema.json").is_file()
    again = run("template", "village", "-o", str(target))
    assert again.exit_code == EXIT_INPUT_ERROR
    assert "已存在" in again.stderr


def test_rubric_show() -> None:
    """rubric show accepts an id or a path."""
    by_id = run("rubric", "show", "village")
    assert by_id.exit_code == EXIT_OK
    assert "领导班子好" in by_id.stdout
    by_path = run("rubric", "show", str(MINI_RUBRIC))
    assert "甲项" in by_path.stdout


def test_broken_rubric_is_reported(tmp_path: Path) -> None:
    """A rubric with errors is located and stops the command with exit 2."""
    broken = tmp_path / "r.yaml"
    broken.write_text("id: r\nlevel: city\n", encoding="utf-8")
    result = run("rubric", "show", str(broken))
    assert result.exit_code == EXIT_INPUT_ERROR
    assert f"{broken}:2:8: 错误 [schema]: " in result.stderr


def test_help_and_version_are_chinese() -> None:
    """Help headings and texts are Chinese; --version prints the version."""
    result = run("--help")
    assert result.exit_code == EXIT_OK
    assert "用法：" in result.stdout
    assert "退出码" in result.stdout
    assert "Show this message" not in result.stdout
    assert __version__ in run("--version").stdout


def test_help_does_not_build_the_models() -> None:
    """Importing the CLI for --help must not import pydantic or the core models."""
    code = (
        "import sys\n"
        "from lianchuang_cli.commands import cli\n"
        "assert 'pydantic' not in sys.modules, 'pydantic imported'\n"
        "assert 'lianchuang_cli.model.rubric' not in sys.modules\n"
    )
    run_python(code)


def test_every_command_module_is_registered() -> None:
    """Commands load lazily from ``COMMANDS``: a command module missing there would silently
    vanish from the tool; each entry names a module whose function is the command of that name."""
    import click

    from lianchuang_cli.commands import cli

    folder = Path(cli.__file__).parent
    defined = {}
    for path in sorted(folder.glob("*.py")):
        module = __import__(f"lianchuang_cli.commands.{path.stem}", fromlist=["_"])
        command = getattr(module, path.stem, None)
        if isinstance(command, click.Command):
            defined[command.name] = path.stem
    assert defined == cli.COMMANDS
    listed = main.list_commands(click.Context(main))
    assert listed == sorted(cli.COMMANDS)
    help_text = run("--help").stdout
    for name in cli.COMMANDS:
        assert f"  {name} " in help_text


def test_score_imports_only_its_own_command() -> None:
    """``score`` does not import the other commands' modules (start-up time)."""
    code = (
        "import sys\n"
        "from lianchuang_cli.commands import cli\n"
        f"sys.argv = ['lianchuang', 'score', '--format', 'json', {EXCELLENT!r}]\n"
        "try:\n"
        "    cli.run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "others = [m for m in sys.modules if m.startswith('lianchuang_cli.commands.')\n"
        "          and m.rsplit('.', 1)[1] in cli.COMMANDS.values() and not m.endswith('.score')]\n"
        "assert not others, others\n"
        "assert 'rich.console' not in sys.modules, 'rich.console imported for JSON'\n"
    )
    run_python(code)


SCORE_PATH_LEAVES_OUT = (
    "lianchuang_cli.lint",  # the rubric comes checked from the rubric cache
    "lianchuang_cli.caching.grading_cache",
    "lianchuang_cli.reading.xlsx_reader",
    "lianchuang_cli.reports.summary_view",  # one file: its panel only
    "lianchuang_cli.tree",
    "lianchuang_cli.diffing",
    "lianchuang_cli.publishing",
    "openpyxl",
    "xlsxwriter",
    "jinja2",
    "sqlite3",
    "multiprocessing",
    "concurrent",
)


def test_score_one_file_imports_only_what_it_uses() -> None:
    """``score ONE_FILE`` (a table, the rubric cached) imports no lint, workbook, HTML, cache,
    tree or process-pool module: start-up is most of its time (README 性能)."""
    code = (
        "import sys\n"
        "from lianchuang_cli.entry import run\n"
        f"sys.argv = ['lianchuang', 'score', {EXCELLENT!r}]\n"
        "try:\n"
        "    run()\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    run_python(code)  # fills the rubric cache (the session's folder), as a user's first run
    heavy = f"heavy = [m for m in sys.modules if m.startswith({SCORE_PATH_LEAVES_OUT!r})]\n"
    run_python(code + heavy + "assert not heavy, heavy\n")


def test_mistyped_command_suggests_the_closest() -> None:
    """A mistyped command still gets click's suggestion, although commands load lazily."""
    result = CliRunner().invoke(main, ["scor", "x.yaml"])
    assert result.exit_code == EXIT_INPUT_ERROR
    assert "没有命令“scor”。是否想写“score”？" in result.output


def test_module_entry_point() -> None:
    """python -m lianchuang_cli works like the console script."""
    done = subprocess.run(
        [sys.executable, "-m", "lianchuang_cli", "score", "--format", "json", EXCELLENT],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == EXIT_OK
    assert json.loads(done.stdout)["results"][0]["rating"] == "优秀"


def test_internal_errors_never_show_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug becomes a short Chinese message and exit 3, not a traceback."""
    from lianchuang_cli.batching import engine
    from lianchuang_cli.commands import cli, common

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "grade_file", explode)
    monkeypatch.setattr(sys, "argv", ["lianchuang", "score", EXCELLENT])
    with pytest.raises(SystemExit) as caught:
        cli.run()
    assert caught.value.code == common.EXIT_INTERNAL_ERROR


def test_rubric_id_wins_over_a_folder_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside examples/, ``village`` is a folder there and still names the shipped rubric."""
    (tmp_path / "village").mkdir()
    monkeypatch.chdir(tmp_path)
    assert run("rubric", "show", "village").exit_code == EXIT_OK


@pytest.mark.parametrize(
    ("tty", "no_color", "expected"),
    [(True, None, True), (True, "1", False), (True, "", True), (False, None, False)],
)
def test_colour_only_on_a_terminal_without_no_color(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: str | None, expected: bool
) -> None:
    """Colours need a terminal; a non-empty NO_COLOR turns them off, an empty one does not."""
    from lianchuang_cli.commands import common

    class Stream:
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr(sys, "stdout", Stream())
    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color is not None:
        monkeypatch.setenv("NO_COLOR", no_color)
    assert common.color() is expected


@pytest.mark.parametrize(
    ("tty", "columns", "expected"),
    [(False, None, 120), (False, "80", 80), (True, "72", 72), (False, "30", 60), (False, "x", 120)],
)
def test_width_follows_columns_also_when_piped(
    monkeypatch: pytest.MonkeyPatch, tty: bool, columns: str | None, expected: int
) -> None:
    """COLUMNS sets the layout width on a terminal and in a pipe alike (never below 60)."""
    from lianchuang_cli.commands import common

    class Stream:
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr(sys, "stdout", Stream())
    monkeypatch.delenv("COLUMNS", raising=False)
    if columns is not None:
        monkeypatch.setenv("COLUMNS", columns)
    assert common.width() == expected


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-16"])
def test_windows_encodings_grade_the_same(tmp_path: Path, encoding: str) -> None:
    """A file saved as GBK, UTF-8 with BOM or UTF-16 by a Windows editor grades identically."""
    path = tmp_path / "saved.yaml"
    path.write_bytes(Path(EXCELLENT).read_text(encoding="utf-8").encode(encoding))
    original = json.loads(run("score", "--format", "json", EXCELLENT).stdout)["results"][0]
    converted = json.loads(run("score", "--format", "json", str(path)).stdout)["results"][0]
    assert converted["score"] == original["score"]
    assert converted["unit"] == original["unit"]
    assert converted["gaps"] == original["gaps"]


@pytest.mark.parametrize("command", ["score", "validate"])
def test_an_unreadable_file_does_not_stop_the_others(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied is that file's own failure (exit 2); the readable file is still handled.

    Root may read anything, so both click's and the reader's permission checks are simulated.
    """
    import os

    secret = tmp_path / "secret.yaml"
    secret.write_text(Path(EXCELLENT).read_text(encoding="utf-8"), encoding="utf-8")
    real_open, real_access = os.open, os.access

    def deny_open(name: str | Path, flags: int, *args: int) -> int:
        if Path(name) == secret:
            raise PermissionError(13, "Permission denied")
        return real_open(name, flags, *args)

    def deny_access(name: str | Path, mode: int, **kwargs: object) -> bool:
        return Path(name) != secret and real_access(name, mode)

    monkeypatch.setattr(os, "open", deny_open)
    monkeypatch.setattr(os, "access", deny_access)
    result = run(command, str(secret), EXCELLENT)
    assert result.exit_code == EXIT_INPUT_ERROR
    findings = result.stdout if command == "validate" else result.stderr
    assert f"{secret}: 错误: 没有读取这个文件的权限" in findings
    assert "桃源村" in result.stdout or f"{EXCELLENT}：填写正确" in result.stdout
    assert "Usage" not in result.stderr
    assert "用法" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="named pipes are a POSIX feature")
def test_a_fifo_among_files_is_refused_and_the_others_graded(tmp_path: Path) -> None:
    """A named pipe is never opened for reading: no hang, a clear message, the rest graded."""
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = run("score", "--format", "json", str(fifo), EXCELLENT)
    assert result.exit_code == EXIT_INPUT_ERROR
    report = json.loads(result.stdout)
    (invalid,) = report["invalid"]
    assert "不是普通文件" in invalid["errors"][0]["message"]
    assert [r["unit"]["name"] for r in report["results"]] == ["桃源村党总支"]
