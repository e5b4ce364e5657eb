"""``DirectTable`` draws exactly rich's bytes: generated tables of every shape we use, compared
with rich's ``Table`` at widths 40–250, with and without colour, inside a panel and not."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from rich import box
from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports import table
from lianchuang_cli.reports.batch_report import ReportOptions
from lianchuang_cli.reports.console_layout import (
    STACK_BELOW,
    Column,
    DirectTable,
    Styled,
    Wrapped,
    section,
    table_lines,
)
from lianchuang_cli.reports.table import render_text
from lianchuang_cli.scoring.results import UnitResult
from tests.conftest import EXAMPLES

PLAIN_WORDS = (
    "白水坑村党支部",
    "书记",
    "民主测评满意率≥90%得3分，80%（含）至90%得2分",
    "实际78.7%，达到“≥70%”档",
    "2027年达到90%以上，可多得2分",
    "第38行",
    "examples/village/shiqiao_good.yaml",
    "Very Long Latin Name",
    "0571030512",
    "ＡＢＣ　全角",
    "ok",
)
HOSTILE_WORDS = (
    "  前后有空格  ",
    "",
    "-0.8个百分点",
    "[bold]像标记[/bold]",
    ":smile:",
    "控制\x1b[31m字符\u202e",
    "反\u202e转",
    "零宽\u200b连接\u200d",
    "回车\r换行",
    "制表\t符",
)
NUMBERS = ("1", "12.5", "100", "0.25", "—", "缺项/3", "-2", "75.9%", " 7 ", "")


def _word(rng: random.Random) -> str:
    return rng.choice(HOSTILE_WORDS if rng.random() < 0.05 else PLAIN_WORDS)


def _text(rng: random.Random, parts: int) -> str:
    return "".join(_word(rng) for _ in range(parts))


def _text_cell(rng: random.Random) -> str | Wrapped:
    kind = rng.randrange(5)
    if kind == 0:
        return _text(rng, rng.randrange(1, 3))
    if kind == 1:
        text = Text(_text(rng, 1))
        if rng.random() < 0.5:
            text.append(f"\n{_word(rng)}", style="dim")
        return Wrapped(text)
    return Wrapped(_text(rng, rng.randrange(1, 4)), style=rng.choice(("", "green")))


def _figure_cell(rng: random.Random) -> str | Text:
    number = rng.choice(NUMBERS)
    return Text(number, style="bold") if rng.random() < 0.3 else number


def _table(rng: random.Random, cls: type[Table]) -> Table:
    expand = rng.random() < 0.4
    table = cls(
        title=rng.choice(("各项得分", "白水乡：各村排名", "", Text("差距"), "村", "[x]：各村排名")),
        box=rng.choice((box.SIMPLE_HEAVY, box.SIMPLE_HEAVY, box.HEAVY_HEAD, box.ROUNDED)),
        title_justify="left",
        expand=expand,
    )
    columns = rng.randrange(1, 6)
    figures = [bool(index) and rng.random() < 0.5 for index in range(columns)]
    for figure in figures:
        if figure:
            table.add_column(rng.choice(("得分", "满分", "名次")), justify="right", no_wrap=True)
        else:
            ratio = rng.randrange(1, 6) if expand else None
            table.add_column(rng.choice(("指标", "评分标准", "村", "文件")), ratio=ratio)
    for _ in range(rng.randrange(0, 6)):
        table.add_row(*(_figure_cell(rng) if figure else _text_cell(rng) for figure in figures))
    return table


def _render(renderable: RenderableType, width: int, color: bool, panel: bool) -> str:
    if panel:
        renderable = Panel(renderable, title=Text("单位"), title_align="left", box=box.ROUNDED)
    return render_text([renderable], width=width, color=color)


def test_generated_tables_match_rich() -> None:
    """Hundreds of generated tables give rich's bytes, and most of them take the direct path."""
    rng = random.Random(15)
    direct = 0
    cases = 0
    for seed in range(100):
        width = rng.randrange(40, 251)
        color = rng.random() < 0.15
        panel = rng.random() < 0.5
        built = [_table(random.Random(seed), cls) for cls in (Table, DirectTable)]
        expected, actual = (_render(table, width, color, panel) for table in built)
        assert actual == expected, (seed, width, color, panel)
        console = Console(width=width - 4 if panel else width, color_system=None)
        direct += table_lines(built[1], console, console.options) is not None
        cases += 1
    assert direct > cases // 2


@pytest.mark.parametrize("width", range(STACK_BELOW + 4, 251, 7))
def test_sections_match_rich_at_every_width(width: int) -> None:
    """A gap section in a panel wide enough for its table (below ``STACK_BELOW`` cells it is
    stacked, without a table) gives rich's bytes at every width, with and without colour."""
    rows = [
        (
            Styled((("书记民主测评", ""), ("\n第38行", "dim"))),
            "2",
            "满意率≥90%得3分，80%（含）至90%得2分，70%（含）至80%得1分",
            "实际78.7%",
            "2027年达到90%以上",
        ),
        (
            Styled((("白水坑[bold]村[/bold]:smile:", ""),)),
            "0.25",
            "",
            "examples/village/a.yaml",
            "—",
        ),
    ]
    columns = table.GAP_COLUMNS
    for color in (False, True):
        expected = _render(_as_rich(rows, columns), width, color, panel=True)
        assert _render(section("差距", columns, rows), width, color, panel=True) == expected


def _as_rich(
    rows: Sequence[tuple[Styled | str, ...]], columns: tuple[Column, ...]
) -> RenderableType:
    """The same section drawn by rich's own ``Table``."""
    rich_table = Table(title="差距", box=box.SIMPLE_HEAVY, title_justify="left", expand=True)
    for column in columns:
        if column.ratio is None:
            rich_table.add_column(column.name, justify="right", no_wrap=True)
        else:
            rich_table.add_column(column.name, ratio=column.ratio)
    for row in rows:
        rich_table.add_row(
            *(
                (Text(cell) if isinstance(cell, str) else cell.to_text())
                if column.ratio is None
                else Wrapped(Text(cell) if isinstance(cell, str) else cell.to_text())
                for cell, column in zip(row, columns, strict=True)
            )
        )
    return rich_table


NAMES = (
    None,  # as shipped
    "[bold]白水坑村:smile:",
    "控制\x1b[31m字符\u202e党支部",
    "白水坑\u202e村党支部",  # rich draws a title with a bidi control narrower than it measures
    "白水坑村党支部" * 12,  # wider than most panels: its title is cut by rich
    "Very Long Latin Name With Spaces",
)


def _results(tmp_path: Path) -> list[UnitResult]:
    results = []
    for path in sorted((EXAMPLES / "village").glob("*.yaml")):
        results.append(grade_file(path))
    text = (EXAMPLES / "village" / "baishui_failing.yaml").read_text(encoding="utf-8")
    for number, name in enumerate(NAMES[1:]):
        path = tmp_path / f"{number}.yaml"
        path.write_text(text.replace("name: 白水坑村党支部", f"name: {json.dumps(name)}"), "utf-8")
        results.append(grade_file(path))
    assert all(isinstance(result, UnitResult) for result in results)
    return results  # type: ignore[return-value]


def test_score_panels_match_rich(tmp_path: Path) -> None:
    """Every example's panel, and panels of hostile unit names, drawn without rich's console
    give the bytes rich writes, at widths 40–250; where rich must lay one out, it does."""
    direct = 0
    results = _results(tmp_path)
    # Every width for the panel with most gaps and the hostile ones, a few for the rest.
    cases = [(r, range(40, 251, 11 if r is results[0] else 47)) for r in results]
    for result, widths in cases:
        for width in widths:
            options = ReportOptions(width=width, color=False)
            expected = io.StringIO()
            table._console(options, expected).print(table._Inert(table.unit_panel(result)))
            text = table._direct_panel(result, options, io.StringIO())
            assert text in (None, expected.getvalue()), (result.unit_name, width)
            direct += text is not None
    assert direct > 30
