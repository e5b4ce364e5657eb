"""Reporters are pure functions of results: JSON contract, table layout, printed arithmetic."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import Problem
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports.json_report import number
from lianchuang_cli.reports.table import render_problems, render_table
from lianchuang_cli.scoring.results import FileFailure, UnitResult
from tests.conftest import EXAMPLES, render_json

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
UNIT_KEYS = {
    "file", "unit", "rubric", "score", "max_score", "rating", "vetoed", "veto_reasons",
    "criteria", "indicators", "gaps", "next_rating", "tool_version", "rank", "status",
    "self_score_differences", "rating_by_score", "quota_note", "rating_reason", "not_proposed",
}  # fmt: skip


def graded(path: Path) -> UnitResult:
    """Grade a shipped example, which must be valid."""
    outcome = grade_file(path)
    assert isinstance(outcome, UnitResult), outcome
    return outcome


FAILURE = FileFailure("bad.yaml", (Problem("bad.yaml", 3, 5, "缺少 unit"),))


def test_json_contract() -> None:
    """Documented keys, nested shapes, and the error object standing in for a bad file."""
    payload = json.loads(render_json([VALID[0]], [FAILURE]))
    assert set(payload) == {"schema_version", "summary", "results", "invalid"}
    unit = payload["results"][0]
    assert set(unit) >= UNIT_KEYS
    assert set(unit["unit"]) >= {"name", "code", "level", "year"}
    assert set(unit["rubric"]) == {"id", "version", "sha256"}
    assert set(unit["criteria"][0]) == {"id", "name", "score", "max_score", "percent"}
    assert set(unit["indicators"][0]) >= {
        "id", "criterion", "name", "score", "max_score", "status", "explanation",
    }  # fmt: skip
    for gap in unit["gaps"]:
        assert set(gap) == {
            "id", "name", "criterion", "lost", "gain", "requirement", "found", "explanation", "advice",
            "line", "long_term", "category", "cell",
        }  # fmt: skip
    assert payload["invalid"][0] == {
        "file": "bad.yaml",
        "status": "invalid",
        "errors": [
            {
                "file": "bad.yaml",
                "line": 3,
                "column": 5,
                "cell": None,
                "severity": "error",
                "code": "",
                "message": "缺少 unit",
            }
        ],
    }


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_printed_totals_add_up(path: Path) -> None:
    """As printed (≤ 2 decimals), criteria sum to the raw score and base + bonus − penalty = total."""
    payload = json.loads(render_json([path]))["results"][0]

    def dec(value: float | None) -> Decimal:
        assert value is not None
        text = str(value)
        assert len(text.partition(".")[2]) <= 2, text
        return Decimal(text)

    criteria = sum(dec(c["score"]) for c in payload["criteria"])
    indicators = sum(dec(i["score"]) for i in payload["indicators"] if i["score"] is not None)
    assert criteria == indicators == dec(payload["scaling"]["raw_score"])
    if not payload["scaling"]["applied"]:
        assert dec(payload["base_score"]) == criteria
    total = dec(payload["base_score"]) + dec(payload["bonus"]) - dec(payload["penalty"])
    assert total == dec(payload["score"])


@pytest.mark.parametrize("width", [80, 120])
def test_table_fits_the_width_with_chinese_text(width: int) -> None:
    """CJK characters take two cells; no line is wider than the console."""
    text = render_table([graded(p) for p in VALID], width=width)
    assert max(cell_len(line) for line in text.splitlines()) <= width


def test_table_colours_only_on_request() -> None:
    """Colour codes appear only when asked for (a terminal without NO_COLOR)."""
    result = graded(VALID[0])
    assert "\x1b[" not in render_table([result], color=False)
    assert "\x1b[" in render_table([result], color=True)


def test_table_shows_a_unit_name_as_written(tmp_path: Path) -> None:
    """A unit name that looks like rich markup or an emoji code is printed verbatim."""
    text = (EXAMPLES / "village" / "taoyuan_excellent.yaml").read_text(encoding="utf-8")
    path = tmp_path / "brackets.yaml"
    path.write_text(text.replace("name: 桃源村党总支", 'name: "[bold]桃源村:smile:"'), "utf-8")
    table = render_table([graded(path)], width=120)
    assert "[bold]桃源村:smile:" in table.splitlines()[0]


def test_problem_lines() -> None:
    """Problems print as path:line:column: 错误: message."""
    assert render_problems(FAILURE.problems) == "bad.yaml:3:5: 错误: 缺少 unit\n"


@given(st.decimals(min_value=-100_000, max_value=100_000, places=4, allow_nan=False))
@settings(max_examples=300, deadline=None)
def test_json_numbers_are_the_rounded_decimals(value: Decimal) -> None:
    """A JSON number prints exactly as the score sheet does (two decimals, 四舍五入)."""
    assert json.dumps(number(value)) == fmt(value)


REASON = "总分已达“优秀”的90分，但“小康建设业绩好”得分率79.2%，低于“优秀”要求的每项80%"


def test_rating_reason_in_every_batch_ranking(tmp_path: Path) -> None:
    """Issue 16.10 follow-up: a unit rated below what its total alone gives (柳溪村: 96.84 but a
    criterion under 80%) has the reason in the batch ranking of every format, also when a cache
    re-rates its stored result after a rubric edit (``UnitFacts``)."""
    import openpyxl
    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main

    folder = EXAMPLES / "village"
    runner = CliRunner()

    def batch(*args: str) -> str:
        result = runner.invoke(main, ["batch", str(folder), *args], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        return result.stdout

    table = batch()
    assert "单项得分率不足" in table
    assert f"柳溪村党支部评为良好：{REASON}" in table
    csv_text = batch("--format", "csv")
    row = next(line for line in csv_text.splitlines() if "柳溪村" in line)
    assert f",良好,{REASON}," in row
    assert REASON in batch("--format", "markdown")
    assert REASON in batch("--format", "html")
    workbook = tmp_path / "汇总.xlsx"
    batch("--format", "xlsx", "-o", str(workbook))
    sheet = openpyxl.load_workbook(workbook, read_only=True).worksheets[0]
    assert any(REASON in str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    # Re-rated from the cache under a retitled rubric: the same rows as graded afresh.
    rubric = tmp_path / "village.yaml"
    text = (EXAMPLES.parent / "rubrics" / "village.yaml").read_text("utf-8")
    rubric.write_text(
        text.replace("title: “五个好”村党组织考评细则", "title: 本县细则", 1), "utf-8"
    )
    cache = ["--cache", str(tmp_path / "cache")]
    batch("--format", "csv", *cache)
    fresh = batch("--format", "csv", "--rubric", str(rubric))
    assert batch("--format", "csv", "--rubric", str(rubric), *cache) == fresh
    assert REASON in fresh


def test_source_date_epoch_makes_workbooks_reproducible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``batch``/``score --format xlsx`` record SOURCE_DATE_EPOCH as the creation time when it is
    set: the same evidence then gives the same workbook bytes (a publication pack's guarantee,
    available to every run)."""
    import zipfile

    from click.testing import CliRunner

    from lianchuang_cli.commands.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    for command in ("batch", "score"):
        books = []
        for name in ("a.xlsx", "b.xlsx"):
            result = CliRunner().invoke(
                main,
                [command, *map(str, VALID[:2]), "--format", "xlsx", "-o", str(tmp_path / name)],
            )
            assert result.exit_code == 0, result.output
            books.append((tmp_path / name).read_bytes())
            core = zipfile.ZipFile(tmp_path / name).read("docProps/core.xml").decode()
            assert "2026-01-01T00:00:00Z" in core
        assert books[0] == books[1], command


@pytest.mark.parametrize("buffered", [False, True])
def test_json_gathered_into_large_writes_is_the_same_at_any_limit(
    buffered: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The JSON writer gathers bytes into writes of ``LIMIT`` (1 MB, about a hundred units'
    results); flushing at every piece writes the same text, into a text stream and into a UTF-8
    file's bytes alike, results pretty-printed (≤ 20) or pre-rendered lines."""
    from lianchuang_cli.batching.engine import grade_batch
    from lianchuang_cli.reports import json_report
    from lianchuang_cli.reports.registry import write

    def written(paths: list[Path]) -> str:
        raw = io.BytesIO()
        text = io.StringIO()
        stream = io.TextIOWrapper(raw, encoding="utf-8", newline="") if buffered else text
        with grade_batch([str(p) for p in paths], render=json_report.prerender) as batch:
            write("json", batch.report(), stream)
        stream.flush()
        return raw.getvalue().decode("utf-8") if buffered else text.getvalue()

    few, many = VALID, VALID * 4  # 6 and 24 results: either side of PRETTY_RESULTS
    assert len(few) <= json_report.PRETTY_RESULTS < len(many)
    whole = [written(few), written(many)]
    monkeypatch.setattr(json_report._ByteSink, "LIMIT", 1)
    assert [written(few), written(many)] == whole
