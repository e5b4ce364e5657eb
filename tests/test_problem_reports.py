"""Problem formats for CI: every registered format renders, escapes and respects --strict."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from lianchuang_cli.errors import Problem
from lianchuang_cli.reports.problems import CheckedFile
from lianchuang_cli.reports.registry import CHECK_FORMATS as PROBLEM_FORMATS

ERROR = Problem("a,b.yaml", 3, 7, "第一行\n第二行 100%", code="rule-best")
WARNING = Problem("c.yaml", 1, 1, "没有写 clause", severity="warning", code="clause-cited")
FILES = [CheckedFile("a,b.yaml", (ERROR,)), CheckedFile("c.yaml", (WARNING,)), CheckedFile("d", ())]


@pytest.mark.parametrize("name", sorted(PROBLEM_FORMATS))
def test_every_format_names_every_problem(name: str) -> None:
    """No format drops a problem or its message."""
    text = PROBLEM_FORMATS[name](FILES)
    for problem in (ERROR, WARNING):
        assert problem.code in text


def test_github_escapes_properties_and_data() -> None:
    """Commas in the path and % in the message cannot break the command; a newline is shown as
    ``\\n`` (a second line in the annotation could pass for a problem of its own)."""
    lines = PROBLEM_FORMATS["github"](FILES).splitlines()
    assert lines[0] == (
        "::error file=a%2Cb.yaml,line=3,col=7,title=lianchuang [rule-best]"
        "::错误：第一行\\n第二行 100%25"
    )
    assert lines[1].startswith("::warning file=c.yaml,line=1,col=1,")


def test_strict_turns_warnings_into_failures() -> None:
    """Under --strict a warning is annotated and counted as a failure."""
    assert PROBLEM_FORMATS["github"](FILES, strict=True).splitlines()[1].startswith("::error ")
    relaxed = ElementTree.fromstring(PROBLEM_FORMATS["junit"](FILES))
    strict = ElementTree.fromstring(PROBLEM_FORMATS["junit"](FILES, strict=True))
    assert (relaxed.get("failures"), strict.get("failures")) == ("1", "2")
    assert relaxed.get("tests") == "3"


def test_workbook_cells_are_named_in_the_title() -> None:
    """A workbook problem has no line: the annotation names the file and the cell."""
    cell = Problem("村.xlsx", 0, 0, "应为整数", code="", cell="指标!H12")
    (line,) = PROBLEM_FORMATS["github"]([CheckedFile("村.xlsx", (cell,))]).splitlines()
    assert line == "::error file=村.xlsx,title=lianchuang 指标!H12::错误：应为整数"
