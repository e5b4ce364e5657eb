"""Last year's units against this year's tree (issue 14 item 5): constructed previous files, each
finding at its place in the previous file, real-life changes said as notes, silent miscomparisons
as errors, and every grade-tree format saying it happened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.errors import Problem
from lianchuang_cli.reports.tree_json import render_tree_json
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.previous import unit_problems
from lianchuang_cli.tree.tree_result import TreeResult
from tests.conftest import EXAMPLES

DEMO = EXAMPLES / "county-demo"
SHIQIAO, YUNLING = "330521102", "330521201"
NANTANG, QINGSHAN, XINTANG = "330521101205", "330521102202", "330521102203"


@pytest.fixture(scope="module")
def tree() -> TreeResult:
    """This year's demo county."""
    return grade_tree(DEMO)


@pytest.fixture
def last_year(tree: TreeResult) -> dict[str, Any]:
    """A full grade-tree JSON output of the same county (villages included), as last year's."""
    data: dict[str, Any] = json.loads(render_tree_json(tree))
    return data


def findings(tree: TreeResult, data: dict[str, Any], tmp_path: Path) -> list[Problem]:
    """What checking ``data`` as last year's file finds."""
    path = tmp_path / "last-year.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return unit_problems(tree, path, name=str(path))


def row(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The result with unit code ``code``."""
    return next(r for r in data["results"] if r["unit"]["code"] == code)


def place(tmp_path: Path, code: str) -> tuple[int, int]:
    """Line and column of ``"code": "<code>"`` in the written previous file."""
    text = (tmp_path / "last-year.json").read_text(encoding="utf-8")
    at = text.index(f'"code": "{code}"', text.index('"results"'))
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def test_the_same_county_finds_nothing(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """Every unit the same: no finding; the demo's excerpt (county and townships only) neither."""
    assert findings(tree, last_year, tmp_path) == []
    assert unit_problems(tree, DEMO / "last-year-2025.json", name="x") == []


def test_a_merged_village_and_a_new_one_are_notes_at_their_place(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """北坳村 (last year's 南塘村 under another code and name) gone this year (merged) and 南塘村
    and 新塘村 new this year (not in last year's file): both
    warnings saying it is normal and what to do; the gone one at its code in last year's file."""
    last_year["results"] = [r for r in last_year["results"] if r["unit"]["code"] != XINTANG]
    row(last_year, NANTANG)["unit"].update(code="330521101299", name="北坳村党支部")
    found = findings(tree, last_year, tmp_path)
    by_code = {p.code: p for p in found}
    assert sorted(p.code for p in found) == [
        "previous-unit-gone",
        "previous-unit-new",
        "previous-unit-new",
    ], [str(p) for p in found]
    gone = by_code["previous-unit-gone"]
    assert gone.severity == "warning"
    assert (gone.line, gone.column) == place(tmp_path, "330521101299")
    assert "如已撤并或撤销，属正常" in gone.message
    new = [p for p in found if p.code == "previous-unit-new"]
    assert all(p.severity == "warning" for p in new)
    assert {"新塘村党支部", "南塘村党支部"} <= {p.message.split("“")[1].split("”")[0] for p in new}
    assert all("如为本年新设或新划入，属正常" in p.message for p in new)
    text = (tmp_path / "last-year.json").read_text(encoding="utf-8")
    results_line = text[: text.index('"results"')].count("\n") + 1
    assert {p.line for p in new} == {results_line}  # no place of their own in last year's file


def test_a_renamed_township_and_a_recoded_village_are_notes(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """Same code, other name: 更名 (compared as before); same name, other code: the village finds
    no previous figure, said with both codes."""
    row(last_year, SHIQIAO)["unit"]["name"] = "石桥乡党委"
    row(last_year, QINGSHAN)["unit"]["code"] = "330521102288"
    found = {p.code: p for p in findings(tree, last_year, tmp_path)}
    assert set(found) == {"previous-unit-renamed", "previous-unit-recoded"}
    assert "上年为乡镇“石桥乡党委”，本年为“石桥镇党委”" in found["previous-unit-renamed"].message
    recoded = found["previous-unit-recoded"]
    assert "上年代码为330521102288，本年为330521102202" in recoded.message
    assert (recoded.line, recoded.column) == place(tmp_path, "330521102288")
    assert all(p.severity == "warning" for p in found.values())


def test_a_village_moved_to_another_township_is_a_note(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """新塘村 under 云岭乡 last year, 石桥镇 this year: 区划调整 said, not refused."""
    moved = row(last_year, XINTANG)
    moved["linked_to"] = YUNLING
    moved["unit"]["township"] = "云岭乡"
    [found] = findings(tree, last_year, tmp_path)
    assert (found.code, found.severity) == ("previous-unit-moved", "warning")
    assert "上年属于乡镇“云岭乡”，本年属于“石桥镇”" in found.message
    assert (found.line, found.column) == place(tmp_path, XINTANG)


def test_crossed_codes_are_an_error(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """Last year's codes of 青山村 and 新塘村 swapped: comparing by code would compare each with
    the other's figures, so it is an error at both codes, naming the other file."""
    qingshan, xintang = row(last_year, QINGSHAN), row(last_year, XINTANG)
    qingshan["unit"]["code"], xintang["unit"]["code"] = XINTANG, QINGSHAN
    found = findings(tree, last_year, tmp_path)
    assert {(p.code, p.severity) for p in found} == {("previous-code-crossed", "error")}
    assert len(found) == 2
    assert any(
        "按代码比较会把“新塘村党支部”与“青山村党支部”的上年数据相比" in p.message for p in found
    )


def test_another_countys_file_is_an_error_and_nothing_else(
    tree: TreeResult, last_year: dict[str, Any], tmp_path: Path
) -> None:
    """A neighbouring county's output given as --previous: one error at its county's code."""
    county = row(last_year, "330521")
    county["unit"].update(code="330522", name="绿水县委")
    for item in last_year["results"]:
        item["unit"]["code"] = item["unit"]["code"].replace("330521", "330522", 1)
        item["unit"]["name"] = "绿水" + item["unit"]["name"]
    [found] = findings(tree, last_year, tmp_path)
    assert (found.code, found.severity) == ("previous-other-county", "error")
    assert "不是同一个县" in found.message
    assert (found.line, found.column) == place(tmp_path, "330522")


def test_every_format_says_it_happened(last_year: dict[str, Any], tmp_path: Path) -> None:
    """table, json and html of grade-tree --previous all carry the note; warnings keep exit 0."""
    last_year["results"] = [r for r in last_year["results"] if r["unit"]["code"] != XINTANG]
    for item in last_year["results"]:
        item["unit"]["year"] = 2025
    previous = tmp_path / "last-year.json"
    previous.write_text(json.dumps(last_year, ensure_ascii=False, indent=2), encoding="utf-8")
    for name in ("table", "json", "html"):
        target = tmp_path / f"tree.{name}"
        args = [
            "grade-tree",
            str(DEMO),
            "--previous",
            str(previous),
            "--format",
            name,
            "-o",
            str(target),
        ]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, (name, result.output)
        text = target.read_text(encoding="utf-8")
        assert "previous-unit-new" in text, name
        assert "新塘村党支部" in text, name
        if name != "json":
            assert "上年结果核对" in text, name


def test_a_contradicted_share_of_townships_is_not_compared(tmp_path: Path) -> None:
    """Last year's county says 0 of 3 五个好 townships while its rows rate 桃源镇 优秀: reported,
    and (as it says) not compared — before, the reported figure was still used for the trend."""
    data = json.loads((DEMO / "last-year-2025.json").read_text(encoding="utf-8"))
    for item in data["results"][0]["linked"]:
        if item["indicator"] == "five_good_townships_trend":
            item.update(part=0, value=0)
    path = tmp_path / "last-year.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["grade-tree", str(DEMO), "--previous", str(path), "--format", "json"]
    )
    output = json.loads(result.stdout)
    assert [p["code"] for p in output["problems"]] == ["previous-contradiction"]
    county = {i["indicator"]: i for i in output["results"][0]["linked"]}
    trend = county["five_good_townships_trend"]
    assert (trend["previous"], trend["score"]) == (None, None)
    assert "自相矛盾" in trend["previous_source"]
