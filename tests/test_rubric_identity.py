"""Issue 16.5: an edited rubric that keeps the shipped id and version is told apart in reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lianchuang_cli.commands.cli import main
from lianchuang_cli.digests import sha256_bytes, short_digest
from lianchuang_cli.model.rubric import shipped_rubrics_dir
from tests.conftest import EXAMPLES

SHIQIAO = str(EXAMPLES / "village" / "shiqiao_good.yaml")
SHIPPED = shipped_rubrics_dir() / "village.yaml"


def run(*args: str) -> Result:
    """Invoke the CLI."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def village_new(tmp_path: Path) -> Path:
    """The shipped village rubric with one threshold raised; id and version kept."""
    text = SHIPPED.read_text(encoding="utf-8")
    edited = text.replace(
        "threshold: 95, deduct_per_point: 0.2}", "threshold: 100, deduct_per_point: 0.2}", 1
    )
    assert edited != text
    path = tmp_path / "village-new.yaml"
    path.write_text(edited, encoding="utf-8")
    return path


def test_reports_name_the_rubric_by_content(village_new: Path) -> None:
    """88.41 and 88.88 were both labelled “village 2026.2”; each now shows its digest, and the
    edited one says it is not the shipped rubric, in every human format."""
    shipped = short_digest(sha256_bytes(SHIPPED.read_bytes()))
    edited = short_digest(sha256_bytes(village_new.read_bytes()))
    assert shipped != edited
    version = re.search(r'^version: "([^"]+)"', SHIPPED.read_text("utf-8"), re.M)
    assert version
    label = f"village {version.group(1)}"
    plain = run("score", SHIQIAO).stdout
    assert f"（{label} · {shipped}）" in plain
    assert "内容不同" not in plain
    note = f"{label} · {edited}，与内置细则 {label} 内容不同"
    for output_format in ("table", "markdown", "html"):
        text = run("score", SHIQIAO, "--rubric", str(village_new), "--format", output_format).stdout
        assert note in text, output_format
    summary = run("batch", SHIQIAO, "--rubric", str(village_new), "--jobs", "1").stdout
    assert note in summary
    payload = json.loads(
        run("score", SHIQIAO, "--rubric", str(village_new), "--format", "json").stdout
    )
    assert payload["results"][0]["rubric"]["sha256"] == sha256_bytes(village_new.read_bytes())
    assert payload["summary"]["rubric"]["sha256"] == sha256_bytes(village_new.read_bytes())


def test_check_warns_about_the_edited_copy(village_new: Path) -> None:
    """``check`` warns at the copy's version (exit 1 with --strict), not at the shipped rubric."""
    result = run("check", str(village_new))
    assert result.exit_code == 0
    assert "[shipped-modified]" in result.stdout
    assert run("check", "--strict", str(village_new)).exit_code == 1
    assert "[shipped-modified]" not in run("check").stdout


def test_diff_labels_say_which_is_which(village_new: Path) -> None:
    """``diff village village-new.yaml`` read “village 2026.2 → village 2026.2”."""
    head = run("diff", "village", str(village_new)).stdout.splitlines()[0]
    assert "内容不同" in head
    assert head.count("·") == 2
