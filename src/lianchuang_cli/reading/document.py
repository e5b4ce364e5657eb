"""What evidence checking needs from a read file, whatever its form (YAML text or an xlsx workbook).

A document holds plain values (the same shape for both forms) and can say where any value came
from. A location is one form that both a text position and a workbook cell fit: ``line`` and
``column`` are the text position, or the cell's row and column number; ``cell`` is ``Sheet!C12``
for a workbook and None for text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from msgspec import Struct

from lianchuang_cli.errors import Problem

Path = Sequence[str | int]
"""Where a value sits inside the document's data: keys and list indexes, outermost first."""


class Location(Struct, frozen=True):
    """Where a value came from: a text line and column, or a workbook cell."""

    line: int
    column: int
    cell: str | None = None

    def __str__(self) -> str:
        return self.cell if self.cell is not None else f"{self.line}:{self.column}"


class Document(Protocol):
    """A read input file: its plain values, and where each of them came from."""

    @property
    def name(self) -> str:
        """The file name shown in messages."""

    @property
    def data(self) -> Any:
        """The plain values (dicts, lists, text, int, Decimal, bool, None)."""

    @property
    def sha256(self) -> str:
        """Digest of the file's bytes."""

    @property
    def form(self) -> str:
        """``yaml`` or ``xlsx``: lets messages name fields the way the user sees them."""

    @property
    def reading_problems(self) -> tuple[Problem, ...]:
        """Values the reader could not take; evidence checking lists them with its own."""

    def location(self, loc: Path, *, key: bool = False) -> Location:
        """Where the value at ``loc`` (or its key) came from; the nearest existing one if absent."""
        ...

    def key_locations(self, loc: Path) -> dict[str, Location]:
        """Where each key of the mapping at ``loc`` came from (one pass)."""
        ...

    def problem(self, loc: Path, message: str, *, key: bool = False) -> Problem:
        """A problem located at ``loc``."""
        ...

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems in the order a reader of this file meets them."""
        ...


@runtime_checkable
class TextLines(Protocol):
    """A document read from text (YAML, parsed now or served from a cache) can show its lines."""

    def line_text(self, line: int) -> str:
        """The text of a 1-based line of the file."""
        ...


def problem_at(name: str, where: Location, message: str) -> Problem:
    """Build a problem at a location."""
    return Problem(name, where.line, where.column, message, cell=where.cell)
