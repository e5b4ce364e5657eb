"""Problem reports for CI: plain lines, GitHub workflow annotations, JUnit XML.

Each format is a pure function from the checked files (each with its problems) to text, registered
in ``registry.CHECK_FORMATS`` and ``registry.VALIDATE_FORMATS``; ``strict`` says whether warnings count
as failures. ``write_github`` and ``write_junit`` give graded reports (``score``, ``batch``) the same
two formats through the reporters registry: a file that could not be graded fails with its
problems, a graded one passes with its score and rating as a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING
from xml.etree import ElementTree

from lianchuang_cli.decimals import fmt
from lianchuang_cli.errors import SEVERITY_NAMES, Problem
from lianchuang_cli.reports.escaping import plain, xml_text

if TYPE_CHECKING:
    from lianchuang_cli.reports.batch_report import Report


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """One file that was checked, with everything found in it (nothing: it passed)."""

    path: str
    problems: tuple[Problem, ...]
    note: str = ""
    total: int = 0
    """How many problems were found, when more than ``problems`` lists (0: as many as listed)."""


def failing(problem: Problem, *, strict: bool) -> bool:
    """Whether ``problem`` fails the check: errors always, warnings under ``--strict``."""
    return problem.severity == "error" or strict


def render_text(files: Sequence[CheckedFile], *, strict: bool = False) -> str:
    """``path:line:column: 错误 [code]: message``, one line per problem."""
    return "".join(f"{plain(str(p))}\n" for f in files for p in f.problems)


def _escape_data(text: str) -> str:
    return plain(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(files: Sequence[CheckedFile], *, strict: bool = False) -> str:
    """GitHub Actions workflow commands: an ``::error``/``::warning`` annotation per problem."""
    lines = []
    for checked in files:
        if checked.note:
            place = f"file={_escape_property(checked.path)}"
            lines.append(f"::notice {place},title=lianchuang::{_escape_data(checked.note)}\n")
        for p in checked.problems:
            level = "error" if failing(p, strict=strict) else "warning"
            title = f"lianchuang [{p.code}]" if p.code else "lianchuang"
            place = f"file={_escape_property(p.file)}"
            if p.cell is None and p.located:
                place += f",line={p.line},col={p.column}"
            else:
                title += f" {p.cell}"  # a workbook cell has no line: name it in the title
            message = _escape_data(f"{SEVERITY_NAMES[p.severity]}：{p.message}")
            lines.append(f"::{level} {place},title={_escape_property(title)}::{message}\n")
    return "".join(lines)


def _xml(text: str) -> str:
    # One line of text XML 1.0 can hold: no control characters (they make it ill-formed), no
    # newline that would start a forged line in a CI log.
    return xml_text(plain(text))


def render_junit(files: Sequence[CheckedFile], *, strict: bool = False) -> str:
    """JUnit XML: one test case per file, one failure per failing problem."""
    suite = ElementTree.Element("testsuite", name="lianchuang")
    failures = 0
    for checked in files:
        path = _xml(checked.path)
        case = ElementTree.SubElement(
            suite, "testcase", classname="lianchuang", name=path, file=path
        )
        notes = [_xml(checked.note)] if checked.note else []
        for p in checked.problems:
            if failing(p, strict=strict):
                failures += 1
                failure = ElementTree.SubElement(
                    case, "failure", type=_xml(p.code or p.severity), message=_xml(p.message)
                )
                failure.text = _xml(str(p))
            else:
                notes.append(_xml(str(p)))
        if notes:
            ElementTree.SubElement(case, "system-out").text = "\n".join(notes)
    suite.set("tests", str(len(files)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    ElementTree.indent(suite)
    body = ElementTree.tostring(suite, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


def render_validation(files: Sequence[CheckedFile]) -> str:
    """``validate``'s text: each file's problems, then one line saying how it went."""
    lines: list[str] = []
    for checked in files:
        path = plain(checked.path)
        if checked.problems:
            lines.extend(f"{plain(str(p))}\n" for p in checked.problems)
            lines.append(f"{path}：发现{checked.total or len(checked.problems)}处错误。\n")
        else:
            lines.append(f"{path}：填写正确。\n")
    return "".join(lines)


def report_files(report: Report) -> list[CheckedFile]:
    """A graded report as checked files: graded units pass with a note, failures fail."""
    files = [
        CheckedFile(
            ranked.result.file,
            (),
            f"{ranked.result.unit_name}：总分 {fmt(ranked.result.score)}，"
            f"等级 {ranked.placement.rating}",
        )
        for ranked in report.results()
    ]
    files.extend(CheckedFile(failure.file, failure.problems) for failure in report.invalid)
    return files


def write_github(report: Report, stream: IO[str]) -> None:
    """Reporter: GitHub Actions annotations for a graded batch."""
    stream.write(render_github(report_files(report)))


def write_junit(report: Report, stream: IO[str]) -> None:
    """Reporter: JUnit XML for a graded batch."""
    stream.write(render_junit(report_files(report)))
