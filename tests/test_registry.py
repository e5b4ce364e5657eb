"""Every registered format writes every example; JSON and jsonl match the published schema."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from lianchuang_cli.batching.engine import grade_batch
from lianchuang_cli.errors import Problem
from lianchuang_cli.reports.registry import FORMATS
from lianchuang_cli.scoring.results import FileFailure
from tests.conftest import EXAMPLES, render
from tests.conftest import report_validator as validator

VALID = sorted((EXAMPLES / "village").glob("*.yaml"))
FAILURE = FileFailure("bad.yaml", (Problem("bad.yaml", 3, 5, "缺少 unit"),))


def written(name: str, paths: list[Path], tmp_path: Path) -> bytes:
    """The bytes format ``name`` writes for ``paths`` plus one failure."""
    spec = FORMATS[name]
    with grade_batch([str(p) for p in paths], missing=[FAILURE]) as batch:
        if spec.binary:
            target = tmp_path / f"out.{name}"
            with target.open("wb") as binary:
                spec.writer()(batch.report(), binary)
            return target.read_bytes()
        text = io.StringIO()
        spec.writer()(batch.report(), text)
        return text.getvalue().encode("utf-8")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_every_example(name: str, tmp_path: Path) -> None:
    """No format is forgotten: each writes all examples, and text formats name every unit."""
    data = written(name, VALID, tmp_path)
    assert data
    if not FORMATS[name].binary:
        text = data.decode("utf-8")
        for unit in ("桃源村党总支", "河西村党支部", "白水坑村党支部"):
            assert unit in text


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_an_empty_batch(name: str, tmp_path: Path) -> None:
    """A batch where nothing could be graded still writes (the failure is reported)."""
    assert written(name, [], tmp_path) is not None


@pytest.mark.parametrize("paths", [VALID, VALID[:1], []], ids=["all", "one", "none"])
def test_json_matches_the_schema(paths: list[Path]) -> None:
    """The JSON report validates against schemas/report.schema.json for any number of files."""
    payload = json.loads(render("json", paths, [FAILURE]))
    validator().validate(payload)
    assert len(payload["results"]) == len(paths)


def test_jsonl_lines_match_the_schema() -> None:
    """Each jsonl line is a result or an invalid file, as defined in the schema."""
    lines = render("jsonl", VALID, [FAILURE]).splitlines()
    assert len(lines) == len(VALID) + 1
    for line in lines[:-1]:
        validator("result").validate(json.loads(line))
    validator("invalid").validate(json.loads(lines[-1]))


def test_large_batches_write_one_result_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past PRETTY_RESULTS results the JSON carries the same data, one result per line."""
    from lianchuang_cli.reports import json_report

    pretty = json.loads(written("json", VALID, tmp_path))
    monkeypatch.setattr(json_report, "PRETTY_RESULTS", 1)
    text = written("json", VALID, tmp_path).decode("utf-8")
    assert json.loads(text) == pretty
    lines = text.splitlines()
    for result in pretty["results"]:
        line = f"    {json.dumps(result, ensure_ascii=False)}"
        assert line in lines or f"{line}," in lines
    validator().validate(pretty)
