"""grade-tree on the batch engine: the same bytes with ``--jobs`` and ``--cache`` and under the
Windows start method, villages kept in memory as facts with their full results spooled."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lianchuang_cli.batching import engine
from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports import tree_json
from lianchuang_cli.reports.escaping import json_shown
from lianchuang_cli.reports.html_report import prerender_sheet, render_tree_html
from lianchuang_cli.reports.tree_json import (
    prerender_village,
    render_tree_json,
    tree_json_pieces,
    tree_to_dict,
)
from lianchuang_cli.reports.tree_table import render_tree_table
from lianchuang_cli.scoring.results import UnitResult
from lianchuang_cli.tree import units
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.previous import load_previous
from lianchuang_cli.tree.tree_result import TreeVillage
from tests.conftest import EXAMPLES, ROOT

DEMO = EXAMPLES / "county-demo"
PREVIOUS = DEMO / "last-year-2025.json"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo county with a bad village, an unreadable file and a village naming no township."""
    county = tmp_path_factory.mktemp("tree") / "county"
    shutil.copytree(DEMO, county, ignore=shutil.ignore_patterns("*.json"))
    path = county / "taoyuan" / "xinghua.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("theme_party_days:\n    value: 11", "theme_party_days:\n    value: 十一"), encoding="utf-8")  # fmt: skip
    (county / "shiqiao" / "broken.yaml").write_text("unit: [\n  - : :\n", encoding="utf-8")
    path = county / "yunling" / "gaoping.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('township_code: "330521201"', 'township_code: "330521209"'), encoding="utf-8")  # fmt: skip
    return county


def run(*args: str) -> tuple[int, bytes, bytes]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout_bytes, result.stderr_bytes


@pytest.mark.parametrize("form", ["json", "table", "html"])
def test_jobs_and_cache_give_the_same_bytes(damaged: Path, tmp_path: Path, form: str) -> None:
    """--jobs 2 and --cache (first and second run) write what --jobs 1 writes, bad files and
    their file:line:column problems included."""
    base = ("grade-tree", str(damaged), "--format", form, "--previous", str(PREVIOUS))
    alone = run(*base, "--jobs", "1")
    assert alone[0] == 2
    assert b"broken.yaml:2:" in alone[2]
    assert b"Traceback" not in alone[2]
    assert run(*base, "--jobs", "2") == alone
    cache = tmp_path / "cache"
    assert run(*base, "--jobs", "1", "--cache", str(cache)) == alone
    assert run(*base, "--jobs", "2", "--cache", str(cache)) == alone


def test_windows_start_method_gives_the_same_tree(
    damaged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under spawn (Windows) the workers hand their villages' results back through the pipe."""
    alone = run("grade-tree", str(damaged), "--format", "json", "--jobs", "1")
    monkeypatch.setattr(engine, "START_METHOD", "spawn")
    assert run("grade-tree", str(damaged), "--format", "json", "--jobs", "2") == alone


def test_villages_are_kept_as_facts_and_read_back_whole(damaged: Path) -> None:
    """In memory a village is its facts; its full result comes back from the spool unchanged."""
    with grade_tree(damaged, jobs=2) as tree:
        villages = [v for node in tree.townships for v in node.villages]
        villages += [u.result for u in tree.unlinked if isinstance(u.result, TreeVillage)]
        assert len(villages) == 12
        for village in villages:
            assert isinstance(village, TreeVillage)
            assert not hasattr(village, "indicators")
            alone = grade_file(village.file)
            assert isinstance(alone, UnitResult)
            assert tree.full(village) == alone


@pytest.mark.parametrize("folder", ["demo", "empty"])
def test_json_written_in_pieces_is_the_json_dumped_whole(tmp_path: Path, folder: str) -> None:
    """One result at a time, the same text as dumping the whole object (empty results too)."""
    root = DEMO if folder == "demo" else tmp_path
    with grade_tree(root) as tree:
        pieces = list(tree_json_pieces(tree))
        whole = json.dumps(tree_to_dict(tree), ensure_ascii=False, indent=2)
    assert "".join(pieces) == render_tree_json_of(root) == whole + "\n"
    assert len(pieces) > 2 or folder == "empty"


def render_tree_json_of(root: Path) -> str:
    with grade_tree(root) as tree:
        return render_tree_json(tree)


def test_a_table_tree_keeps_no_full_results(damaged: Path) -> None:
    """Without ``keep_results`` (the table's case) the table is the same and nothing is spooled."""
    with grade_tree(damaged, jobs=1) as kept, grade_tree(damaged, keep_results=False) as light:
        assert render_tree_table(light) == render_tree_table(kept)
        village = light.townships[0].villages[0]
        with pytest.raises(RuntimeError, match="keep_results=False"):
            light.full(village)


@pytest.mark.parametrize("jobs", [1, 2])
def test_json_from_villages_rendered_where_graded_is_the_json_of_full_results(
    damaged: Path, jobs: int
) -> None:
    """The JSON format's villages pre-rendered in the workers (no full result kept) give the
    bytes that their full results give, left-out villages and last year's figures included."""
    figures, year = load_previous(PREVIOUS)
    args: dict[str, Any] = {
        "previous": figures,
        "previous_file": str(PREVIOUS),
        "previous_year": year,
    }
    with grade_tree(damaged, **args) as whole:
        expected = render_tree_json(whole)
        assert whole.unlinked
    light = grade_tree(damaged, jobs=jobs, keep_results=False, render=prerender_village, **args)
    with light:
        assert light.line(light.townships[0].villages[0]) is not None
        assert render_tree_json(light) == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_html_from_sheets_laid_out_where_graded_is_the_html_of_full_results(
    damaged: Path, jobs: int
) -> None:
    """The HTML format's village sheets laid out in the workers (no full result kept) give the
    bytes that their full results give, the quota notes added after the villages are placed
    and left-out villages included."""
    args: dict[str, Any] = {"quotas": {"优秀": Decimal(10)}}
    with grade_tree(damaged, **args) as whole:
        expected = render_tree_html(whole)
        assert whole.unlinked
    assert "名额后等级" in expected  # a village's sheet with its quota note
    with grade_tree(damaged, jobs=jobs, keep_results=False, part=prerender_sheet, **args) as light:
        assert light.line(light.townships[0].villages[0]) is not None
        assert render_tree_html(light) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"a": [], "b": {}, "c": [[], {"d": None}], "e": True, "f": 1e16, "g": -0.0, "h": 2.35},
        {"text": '中文\n\t"引号"\\ \x01\u2028\u202e', "name\udcff": ["lone \ud800 \udcfe"]},
        [],
        "x",
    ],
)
def test_indented_json_is_what_the_standard_library_writes(value: Any) -> None:
    """Re-spacing compact JSON (msgspec) gives ``json.dumps(indent=2)``'s text exactly."""
    expected = json_shown(json.dumps(value, ensure_ascii=False, indent=2))
    assert json_shown(tree_json._dumps(value)) == expected


def test_cache_serves_villages_and_a_threshold_edit_as_a_fresh_run_grades(
    damaged: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-graded from the cache (the same rubrics, then a village rubric whose 良好 line moved),
    a tree is what a fresh run gives in every kind of output (pre-rendered JSON, the table's
    facts, sheets laid out where graded, full results), and no valid village is graded again."""
    edited = tmp_path / "village.yaml"
    text = (ROOT / "rubrics" / "village.yaml").read_text("utf-8")
    moved = text.replace("{name: 良好, min_score: 80}", "{name: 良好, min_score: 81}")
    assert moved != text
    edited.write_text(moved, "utf-8")
    cache = tmp_path / "cache"

    def outputs(**options: Any) -> tuple[str, str, str, str]:
        with grade_tree(damaged, keep_results=False, render=prerender_village, **options) as tree:
            lines = render_tree_json(tree)
        with grade_tree(damaged, keep_results=False, **options) as tree:
            table = render_tree_table(tree)
        with grade_tree(damaged, keep_results=False, part=prerender_sheet, **options) as tree:
            sheets = render_tree_html(tree)
        with grade_tree(damaged, **options) as tree:
            full = render_tree_json(tree)
        return lines, table, sheets, full

    fresh, fresh_edited = outputs(), outputs(rubrics={"village": edited})
    assert fresh != fresh_edited
    assert outputs(cache_dir=cache) == fresh  # the cache filled
    real = units.grade_unit

    def only_invalid(unit: units.TreeUnit, *args: Any) -> UnitResult | None:
        assert unit.evidence is None, f"{unit.name} graded again"
        return real(unit, *args)

    monkeypatch.setattr(units, "grade_unit", only_invalid)
    assert outputs(cache_dir=cache) == fresh
    assert outputs(cache_dir=cache, rubrics={"village": edited}) == fresh_edited
