"""grade-tree's three formats (table, JSON, HTML) show the same figures, each read back out of the
format's text and compared with the tree result it was rendered from."""

from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lianchuang_cli.commands.cli import main
from lianchuang_cli.decimals import fmt
from lianchuang_cli.reports.html_report import render_tree_html
from lianchuang_cli.reports.tree_json import render_tree_json
from lianchuang_cli.reports.tree_table import render_tree_table
from lianchuang_cli.scoring.results import IndicatorResult, UnitResult
from lianchuang_cli.tree.grade import grade_tree
from lianchuang_cli.tree.previous import load_previous
from lianchuang_cli.tree.tree_result import TownshipNode, TreeResult
from tests.conftest import EXAMPLES

DEMO = EXAMPLES / "county-demo"
PREVIOUS = DEMO / "last-year-2025.json"


# --- What the tree result says, worded independently of the reports -------------------------


@dataclass(frozen=True)
class Expected:
    """The figures every format must show, taken straight from the result objects."""

    townships: list[tuple[str, str, str, str, str, dict[str, int]]]
    rankings: dict[str, list[tuple[str, str, str, str]]]
    linked: dict[str, list[tuple[str, str, str, str]]]
    county: tuple[str, str] | None


def _township_name(node: TownshipNode) -> str:
    return node.result.unit_name if node.result else node.code


def _value(indicator: IndicatorResult) -> str:
    p = indicator.provenance
    assert p is not None
    shown = "—" if p.value is None else fmt(p.value)
    if p.previous is not None:
        return f"{shown}（上年{fmt(p.previous)}）"
    if p.compares_previous:
        return f"{shown}（无上年数据）"
    return shown


def _linked(result: UnitResult) -> list[tuple[str, str, str, str]]:
    rows = []
    for r in result.indicators:
        if r.provenance is None:
            continue
        score = "—" if r.score is None else fmt(r.score)
        if r.status == "not_applicable":
            score = "缺项"
        declared = f"本单位申报{r.provenance.declared}" if r.provenance.declared else ""
        rows.append((r.name, _value(r), f"{score}/{fmt(r.max_score)}", declared))
    return rows


def expected(tree: TreeResult) -> Expected:
    """Townships, rankings and linked figures as plain strings."""
    townships = []
    rankings: dict[str, list[tuple[str, str, str, str]]] = {}
    linked: dict[str, list[tuple[str, str, str, str]]] = {}
    for node in tree.townships:
        r = node.result
        townships.append(
            (
                _township_name(node),
                node.code,
                fmt(r.score) if r else "—",
                r.rating if r else "—",
                f"{len(node.villages)}/{node.villages_found}",
                dict(node.distribution),
            )
        )
        rankings[node.code] = [
            (str(rank), v.unit_name, fmt(v.score), v.rating + ("（否决）" if v.vetoed else ""))
            for rank, v in enumerate(node.villages, start=1)
        ]
        if r is not None:
            linked[r.unit_code] = _linked(r)
    county = None
    if tree.county is not None:
        county = (fmt(tree.county.score), tree.county.rating)
        linked[tree.county.unit_code] = _linked(tree.county)
    return Expected(townships, rankings, linked, county)


# --- Reading each format back ----------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [c for c in re.split(r" {2,}", line.strip(" │")) if c]


def _table_rows(lines: list[str], title: str) -> list[list[str]]:
    """The body rows of the rich table whose title line is ``title`` (cells split on 2+ spaces)."""
    start = next(i for i, line in enumerate(lines) if line.strip(" │") == title)
    rule = next(i for i in range(start, len(lines)) if "━━" in lines[i])
    rows = []
    for line in lines[rule + 1 :]:
        if not line.strip(" │╰─╯"):
            break
        rows.append(_cells(line))
    return rows


def read_table(text: str, tree: TreeResult) -> Expected:
    """The figures as the terminal table shows them."""
    lines = text.splitlines()
    townships = []
    for cells in _table_rows(lines, "各乡镇"):
        name, score, rating, villages, distribution = cells
        counts = {
            m[1]: int(m[2]) for m in re.finditer(r"(\D+?)(\d+)", distribution.replace("　", ""))
        }
        townships.append((name, "", score, rating, villages, counts))
    rankings: dict[str, list[tuple[str, str, str, str]]] = {}
    for node in tree.townships:
        title = f"{_township_name(node)}：各村排名"
        rankings[node.code] = [(c[0], c[1], c[2], c[3]) for c in _table_rows(lines, title)]
    linked: dict[str, list[tuple[str, str, str, str]]] = {}
    panels = [i for i, line in enumerate(lines) if line.startswith("╭─ ")]
    for index in panels:
        code = re.search(r"（(\d+)）", lines[index])
        assert code is not None
        rows = _table_rows(lines[index:], "联创指标（由下级核算）")
        linked[code[1]] = [
            (name, value, score, m[0] if (m := re.search(r"本单位申报\S+", source)) else "")
            for name, value, score, source in rows
        ]
    county = re.search(r"总分 (\S+) / \S+　等级 (\S+)", text)
    return Expected(townships, rankings, linked, (county[1], county[2]) if county else None)


@dataclass
class _Table:
    section: str
    heading: str
    rows: list[list[str]] = field(default_factory=list)


class _Tables(HTMLParser):
    """Every table body of the page, with the section's h1 and the h2 just before it."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[_Table] = []
        self.section = self.heading = ""
        self.text: list[str] | None = None
        self.in_body = False
        self.paragraphs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "td", "p"):
            self.text = []
        elif tag == "table":
            self.tables.append(_Table(self.section, self.heading))
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.tables[-1].rows.append([])

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self.text or ())
        if tag == "h1":
            self.section = text
        elif tag == "h2":
            self.heading = text
        elif tag == "p":
            self.paragraphs.append((self.section, text))
        elif tag == "td" and self.in_body:
            self.tables[-1].rows[-1].append(text)
        elif tag == "tbody":
            self.in_body = False
        if tag in ("h1", "h2", "td", "p"):
            self.text = None

    def handle_data(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)


def read_html(text: str, tree: TreeResult) -> Expected:
    """The figures as the printable page shows them."""
    parser = _Tables()
    parser.feed(text)
    tables = parser.tables
    ratings = [r for n in tree.townships for r, _ in n.distribution]
    order = list(dict.fromkeys(ratings))
    (overview,) = [t for t in tables if t.heading == "各乡镇"]
    townships = [
        (name, code, score, rating, villages, dict(zip(order, map(int, counts), strict=True)))
        for name, code, score, rating, villages, *counts in overview.rows
    ]
    rankings = {}
    for node in tree.townships:
        (table,) = [
            t for t in tables if t.section == _township_name(node) and t.heading == "村排名"
        ]
        rankings[node.code] = [
            (rank, name, score, rating) for rank, name, _, score, rating in table.rows
        ]
    linked: dict[str, list[tuple[str, str, str, str]]] = {}
    codes = {_township_name(n): n.result.unit_code for n in tree.townships if n.result}
    if tree.county is not None:
        codes[f"{tree.county.unit_name}“三级联创”评分结果"] = tree.county.unit_code
    for table in tables:
        if table.heading == "联创指标（由下级核算）" and table.section in codes:
            linked[codes[table.section]] = [
                (name, value, score, m[0] if (m := re.search(r"本单位申报\S+", source)) else "")
                for name, value, score, source in table.rows
            ]
    county = None
    line = next((t for s, t in parser.paragraphs if s.endswith("评分结果")), "")
    if found := re.search(r"县总分([^，]+)，等级([^；]+)", line):
        county = (found[1], found[2])
    return Expected(townships, rankings, linked, county)


def read_json(text: str) -> Expected:
    """The figures as the JSON contract carries them (numbers worded as the other formats do)."""
    data: dict[str, Any] = json.loads(text, parse_float=Decimal)
    by_file = {r["file"]: r for r in data["results"]}
    townships = []
    rankings = {}
    for node in data["tree"]["townships"]:
        own = by_file.get(node["file"]) if node["graded"] else None
        townships.append(
            (
                own["unit"]["name"] if own else node["code"],
                node["code"],
                fmt(node["score"]) if node["graded"] else "—",
                node["rating"] if node["graded"] else "—",
                f"{node['villages_graded']}/{node['villages_found']}",
                node["rating_distribution"],
            )
        )
        villages = [
            r
            for r in data["results"]
            if r["linked_to"] == node["code"] and r["unit"]["code"] in node["villages"]
        ]
        villages.sort(key=lambda r: r["rank_in_township"])
        rankings[node["code"]] = [
            (
                str(r["rank_in_township"]),
                r["unit"]["name"],
                fmt(r["score"]),
                r["rating"] + ("（否决）" if r["vetoed"] else ""),
            )
            for r in villages
        ]
    linked: dict[str, list[tuple[str, str, str, str]]] = {}
    county = None
    for r in data["results"]:
        if r["unit"]["level"] == "village" or r.get("left_out"):
            continue
        rows = []
        for item in r["linked"]:
            value = "—" if item["value"] is None else fmt(item["value"])
            indicator = next(i for i in r["indicators"] if i["id"] == item["indicator"])
            if item["previous"] is not None:
                value += f"（上年{fmt(item['previous'])}）"
            elif "无上年数据" in indicator["explanation"]:
                value += "（无上年数据）"
            score = "—" if item["score"] is None else fmt(item["score"])
            if indicator["status"] == "not_applicable":
                score = "缺项"
            declared = f"本单位申报{item['declared']}" if item["declared"] else ""
            rows.append((item["name"], value, f"{score}/{fmt(item['max_score'])}", declared))
        linked[r["unit"]["code"]] = rows
        if r["unit"]["level"] == "county":
            county = (fmt(r["score"]), r["rating"])
    return Expected(townships, rankings, linked, county)


def assert_formats_agree(tree: TreeResult) -> None:
    """Each format, read back, shows the figures of ``tree``."""
    truth = expected(tree)
    table = read_table(render_tree_table(tree, width=400), tree)
    page = read_html(render_tree_html(tree), tree)
    data = read_json(render_tree_json(tree))
    for shown in (table, page, data):
        assert shown.county == truth.county
        assert shown.rankings == truth.rankings
        assert shown.linked == truth.linked
    # The table has no code column; the others do.
    assert [t[:1] + t[2:] for t in table.townships] == [t[:1] + t[2:] for t in truth.townships]
    assert page.townships == truth.townships
    assert data.townships == truth.townships


# --- The cases ---------------------------------------------------------------------------------


def test_demo_formats_agree_without_previous() -> None:
    """The county demo as issue 16 found it: 桃源镇's villages counted by village rating, 河西村
    marked 否决, 云岭乡's 申报25, and 无上年数据 in every format."""
    tree = grade_tree(DEMO)
    assert_formats_agree(tree)
    page = read_html(render_tree_html(tree), tree)
    taoyuan = next(t for t in page.townships if t[1] == "330521101")
    assert taoyuan[5] == {"优秀": 2, "良好": 2, "合格": 0, "不合格": 1}
    assert ("5", "河西村党支部", "95.85", "不合格（否决）") in page.rankings["330521101"]
    assert any(row[3] == "本单位申报25" for row in page.linked["330521201"])
    table = render_tree_table(tree, width=200)
    assert "（无上年数据）" in table


def test_demo_formats_agree_with_previous() -> None:
    """With last year's output: 上年 figures in every format, and no 无上年数据."""
    previous, year = load_previous(PREVIOUS)
    tree = grade_tree(DEMO, previous=previous, previous_file=str(PREVIOUS), previous_year=year)
    assert_formats_agree(tree)
    assert "无上年数据" not in render_tree_table(tree, width=200)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_tree_formats_agree(tmp_path: Path, seed: int) -> None:
    """A county with files removed, broken or moved to another township (seeded, so repeatable)."""
    chooser = random.Random(seed)
    shutil.copytree(DEMO, tmp_path / "county")
    root = tmp_path / "county"
    (root / "last-year-2025.json").unlink()
    files = sorted(root.rglob("*.yaml"))
    villages = [p for p in files if p.stem not in ("township", "county")]
    for path in chooser.sample(villages, 2):
        path.unlink()
    broken = chooser.choice([p for p in files if p.exists() and p.name != "county.yaml"])
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("  year: 2026", "  year: [2026", 1), encoding="utf-8")
    moved = chooser.choice([p for p in villages if p.exists() and p != broken])
    text = moved.read_text(encoding="utf-8")
    code = re.search(r'township_code: "(\d+)"', text)
    assert code is not None
    other = chooser.choice([c for c in ("330521101", "330521102", "330521201") if c != code[1]])
    moved.write_text(text.replace(code[0], f'township_code: "{other}"'), encoding="utf-8")
    tree = grade_tree(root)
    assert tree.failures
    assert_formats_agree(tree)


def test_table_says_when_last_year_is_missing() -> None:
    """README: without --previous the table writes 无上年数据 beside each year-on-year figure."""
    result = CliRunner().invoke(main, ["grade-tree", str(DEMO)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert result.stdout.count("（无上年数据）") == 7  # 4 county trends + 1 per township
