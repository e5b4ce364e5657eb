"""Every example, and every shipped rubric, printed at 60 to 120 columns, checked line by line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.text import Text

from lianchuang_cli.commands.cli import main
from lianchuang_cli.grading.pipeline import grade_file
from lianchuang_cli.reports import console_layout, plain_layout
from lianchuang_cli.reports.text_layout import line_spans
from lianchuang_cli.scoring.results import FileFailure
from tests.conftest import EXAMPLES, RUBRICS

WIDTHS = (60, 80, 100, 120)
CLOSING = "，。；：、）」』】》？！%,.;:!?)”’"
BORDERS = "│┃|╭╮╰╯─━"
FIGURE = re.compile(r"[-+]?[0-9.,]+%?(?:/[0-9.,]+)?\Z")

GRADED_EXAMPLES = sorted(
    path
    for path in EXAMPLES.rglob("*.yaml")
    if "invalid" not in path.parts and not isinstance(grade_file(path), FileFailure)
)


def fragments(line: str) -> dict[int, str]:
    """The pieces of text on one printed line, keyed by the cell they start at.

    Panel borders are blanked out; table cells and labels are separated by two or more spaces.
    """
    cleaned = "".join(" " if char in BORDERS else char for char in line)
    found: dict[int, str] = {}
    for match in re.finditer(r"\S+(?: \S+)*", cleaned):
        found[cell_len(cleaned[: match.start()])] = match.group()
    return found


def layout_faults(text: str, width: int) -> list[str]:
    """Lines too wide, lines (or cells) starting with closing punctuation, numbers split."""
    faults = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if cell_len(line) > width:
            faults.append(f"line {number} is {cell_len(line)} cells wide: {line}")
        below = fragments(lines[number]) if number < len(lines) else {}
        for column, piece in fragments(line).items():
            if piece[0] in CLOSING:
                faults.append(f"line {number} starts with closing punctuation: {piece}")
            after = below.get(column, "")
            figures = FIGURE.match(piece) and FIGURE.match(after)  # a column of a table
            if re.search(r"[0-9.]$", piece) and re.match(r"[0-9.%]", after) and not figures:
                faults.append(f"number split over lines {number}-{number + 1}: {piece} / {after}")
    return faults


def cli_output(*args: str, width: int) -> str:
    """What the command prints when COLUMNS says ``width`` (piped output honours it too)."""
    result = CliRunner().invoke(main, list(args), env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_there_are_examples_to_check() -> None:
    """The village examples at least; examples of new levels are picked up automatically."""
    assert len(GRADED_EXAMPLES) >= 6


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("example", GRADED_EXAMPLES, ids=lambda p: p.stem)
def test_score_fits_every_width(example: Path, width: int) -> None:
    """No line too wide, none starts with "，", no number split, and GBK can encode it all."""
    text = cli_output("score", str(example), width=width)
    assert "总分" in text
    assert layout_faults(text, width) == []
    text.encode("gbk")  # a Windows console redirected to a file


@pytest.mark.parametrize("width", WIDTHS)
def test_several_files_with_their_summary_fit_every_width(width: int) -> None:
    """``score`` of every village example: the panels, then the summary and ranking."""
    villages = sorted(str(p) for p in (EXAMPLES / "village").glob("*.yaml"))
    text = cli_output("score", *villages, width=width)
    assert "排名" in text
    assert layout_faults(text, width) == []
    text.encode("gbk")


@pytest.mark.parametrize("width", WIDTHS)
def test_grade_tree_fits_every_width(width: int) -> None:
    """The county tree (``grade-tree``) follows the same rules."""
    text = cli_output("grade-tree", str(EXAMPLES / "county-demo"), width=width)
    assert layout_faults(text, width) == []
    text.encode("gbk")


@pytest.mark.parametrize("length", [1, 7, 21])
def test_grade_tree_fits_wherever_the_folder_is(
    length: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File paths set the tables' widths, so the notes below them wrap differently in every
    checkout: with the demo in folders of several name lengths no line splits "80%" (a table
    caption did, in a CI clone, as "…每项8" / "0%")."""
    shutil.copytree(EXAMPLES / "county-demo", tmp_path / ("c" * length))
    monkeypatch.chdir(tmp_path)
    for width in (100, 120):
        text = cli_output("grade-tree", "c" * length, width=width)
        assert layout_faults(text, width) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_narrow_consoles_stack_the_gaps(width: int) -> None:
    """Below 100 columns each gap is a block of labelled lines, not a five-column table."""
    text = cli_output("score", str(EXAMPLES / "village" / "baishui_failing.yaml"), width=width)
    stacked = re.search(r"^\W*评分标准  ", text, re.MULTILINE) is not None
    assert stacked is (width < 100)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("rubric", sorted(RUBRICS.glob("*.yaml")), ids=lambda p: p.stem)
def test_rubric_show_fits_every_width(rubric: Path, width: int) -> None:
    """``rubric show`` follows the same rules."""
    text = cli_output("rubric", "show", rubric.stem, width=width)
    assert layout_faults(text, width) == []
    text.encode("gbk")


def test_the_checker_finds_what_it_looks_for() -> None:
    """A split number, a leading comma and an over-wide line are all reported."""
    faults = layout_faults(
        "│ 每低1个百分点扣0 │\n│ .3分，扣完为止   │\n│ ，又一行 │\n" + "宽" * 31, 60
    )
    assert len(faults) == 4  # ".3分" is both a split number and a line starting with "."


@given(
    st.text(alphabet="扣分，。（）0123456789.% ab-", max_size=60),
    st.integers(min_value=1, max_value=20),
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4),
)
@settings(max_examples=200, deadline=None)
def test_lines_are_the_slices_of_their_paragraph(
    plain: str, width: int, styled: list[tuple[int, int]]
) -> None:
    """``Wrapped`` cuts a paragraph into its lines in one pass: each line is exactly the slice
    (text and styles) that slicing the paragraph gives."""
    paragraph = Text(plain, style="dim")
    for start, end in styled:
        paragraph.stylize("bold", min(start, end), max(start, end))
    spans = line_spans(plain, width)
    cut = list(plain_layout._lines(paragraph, spans))
    sliced = [paragraph[start:end] for start, end in spans]
    assert [(t.plain, t.style, t.spans) for t in cut] == [
        (t.plain, t.style, t.spans) for t in sliced
    ]


def test_wrapped_text_keeps_its_style() -> None:
    """A whole-text style (the green “差距：无” line, the dim tie rule) reaches the terminal."""
    from lianchuang_cli.reports.table import render_text

    coloured = render_text(
        [console_layout.Wrapped("差距：无", style="green")], width=40, color=True
    )
    assert coloured == "\x1b[32m差距：无\x1b[0m\n"
    plain = render_text([console_layout.Wrapped("差距：无", style="green")], width=40, color=False)
    assert plain == "差距：无\n"
