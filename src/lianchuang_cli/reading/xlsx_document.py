"""A read evidence workbook: values shaped like a YAML evidence file, and the cell of each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lianchuang_cli.errors import Problem
from lianchuang_cli.forms import xlsx_layout as layout
from lianchuang_cli.reading.document import Location, problem_at
from lianchuang_cli.reading.xlsx_cells import column_letter


@dataclass(frozen=True, slots=True)
class WorkbookDocument:
    """A read evidence workbook: plain values shaped like a YAML evidence file, and their cells."""

    name: str
    data: Any
    sha256: str
    cells: dict[tuple[str | int, ...], Location] = field(repr=False)
    reading_problems: tuple[Problem, ...] = ()
    """Cells the reader could not take (listed with what evidence checking finds)."""
    form: ClassVar[str] = "xlsx"
    _prefixes: list[frozenset[tuple[str | int, ...]]] = field(
        default_factory=list, repr=False, compare=False
    )
    """Every leading part of a known path, built when a problem is first located."""

    def location(self, loc: Sequence[str | int], *, key: bool = False) -> Location:
        """Return the cell of the value at ``loc``; the nearest known cell when it has none.

        Parts of ``loc`` that name nothing read from the workbook (pydantic's union tags) are
        skipped, as the YAML document does.
        """
        if not self._prefixes:
            cells = self.cells
            self._prefixes.append(frozenset(p[:n] for p in cells for n in range(len(p) + 1)))
        prefixes = self._prefixes[0]
        path: tuple[str | int, ...] = ()
        for part in loc:
            if (*path, part) in prefixes:
                path = (*path, part)
        while path not in self.cells:
            path = path[:-1]
        return self.cells[path]

    def key_locations(self, loc: Sequence[str | int]) -> dict[str, Location]:
        """Return the cell of every key under ``loc``.

        An indicator's is the cell its answer goes in (填写值; 达标数 or 总数 when those are
        filled; 缺项理由 for an indicator marked not applicable), not its id cell: results and
        gaps send the officer where the figure is typed.
        """
        base = tuple(loc)
        depth = len(base) + 1
        found = {
            str(path[-1]): where
            for path, where in self.cells.items()
            if len(path) == depth and path[:-1] == base
        }
        if base == ("indicators",):
            entries = self.data.get("indicators") if isinstance(self.data, dict) else None
            for key in found:
                entry = entries.get(key) if isinstance(entries, dict) else None
                answer = "value"
                if (
                    isinstance(entry, dict)
                    and entry.get("value") is None
                    and "not_applicable" in entry
                ):
                    answer = "not_applicable"
                found[key] = self.cells.get((*base, key, answer), found[key])
        return found

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False) -> Problem:
        """Build a problem located at the cell of ``loc``, naming columns, not YAML keys."""
        return problem_at(self.name, self.location(loc, key=key), layout.workbook_words(message))

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems sheet by sheet (in the workbook's order), then row by row.

        On a row where the reader already found a cell it could not take, what evidence
        checking says about the same row follows from it and is left out.
        """
        reading = {id(p) for p in self.reading_problems}
        flagged = {(_sheet_of(p.cell), p.line) for p in self.reading_problems if p.cell}
        kept = [
            p for p in problems if id(p) in reading or (_sheet_of(p.cell), p.line) not in flagged
        ]
        return sorted(kept, key=_sheet_order)


def _sheet_of(cell: str | None) -> str:
    return (cell or "").rpartition("!")[0]


def _sheet_order(problem: Problem) -> tuple[int, int, int]:
    sheet = _sheet_of(problem.cell)
    order = layout.EVIDENCE_SHEETS.index(sheet) if sheet in layout.EVIDENCE_SHEETS else -1
    return order, problem.line, problem.column


def cell_name(sheet: str, row: int, column: int) -> str:
    """``Sheet!C12`` for a 1-based row and column."""
    return f"{sheet}!{column_letter(column)}{row}"
