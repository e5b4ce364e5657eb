"""rich building blocks that lay Chinese text out by ``text_layout``'s rules, at any width.

``Wrapped`` is text that breaks its lines the Chinese way (rich's own wrapping splits numbers and
starts lines with "，"). ``section`` is a titled list of records: a table when there is room, and
below ``STACK_BELOW`` cells one block per record (heading line, then one labelled line per text
field), so that a five-column table never squeezes its text into slivers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from msgspec import Struct
from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from lianchuang_cli.reports.text_layout import line_spans, widest_piece

STACK_BELOW = 96
"""Below this many cells of room (a 100-column console, inside a panel) records are stacked."""


class Wrapped:
    """Text whose lines break the Chinese way; rich measures and renders it like any text."""

    def __init__(self, text: str | Text, style: str = "") -> None:
        self.text = Text(text, style=style) if isinstance(text, str) else text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        plain = self.text.plain
        widest_line = max((cell_len(line) for line in plain.split("\n")), default=0)
        return Measurement(widest_piece(plain), widest_line).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for paragraph in self.text.split("\n", allow_blank=True):
            for line in _lines(paragraph, line_spans(paragraph.plain, options.max_width)):
                if line.style and not line.spans:
                    # rich renders a Text without spans without its own style either.
                    yield Segment(line.plain, console.get_style(line.style))
                else:
                    yield from line.render(console)
                yield Segment.line()


def _lines(paragraph: Text, spans: Sequence[tuple[int, int]]) -> Iterator[Text]:
    """``paragraph[start:end]`` for each span, cut in one pass (each slice of a rich ``Text``
    copies the whole paragraph: a long paragraph cost its length once per line)."""
    if len(spans) < 2:
        yield from (paragraph[start:end] for start, end in spans)
        return
    length = len(paragraph.plain)
    offsets = sorted({offset for span in spans for offset in span} - {0, length})
    pieces = paragraph.divide(offsets)
    first = {start: index for index, start in enumerate((0, *offsets))}
    for start, end in spans:
        piece = pieces[first[start]] if start < end and start in first else None
        if piece is None or len(piece.plain) != end - start:
            piece = paragraph[start:end]  # not reached for ordered, disjoint spans
        yield piece


class WrappedTable(Table):
    """A rich table whose text cells break their lines the Chinese way (see ``Wrapped``)."""

    def add_row(self, *renderables: RenderableType | None, **options: Any) -> None:
        """Add a row; plain strings and ``Text`` become ``Wrapped``."""
        cells = [Wrapped(cell) if isinstance(cell, str | Text) else cell for cell in renderables]
        super().add_row(*cells, **options)


class Column(Struct, frozen=True):
    """A field of a section: text (shares the room by ``ratio``) or a figure (``ratio`` None)."""

    name: str
    ratio: int | None = None


Cell = str | Text


def section(
    title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]
) -> RenderableType:
    """A titled list of records, as a table or, when narrow, as stacked blocks."""
    return _Responsive(title, tuple(columns), tuple(tuple(row) for row in rows))


class _Responsive(Struct, frozen=True):
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        texts = sum(1 for c in self.columns if c.ratio is not None)
        if texts > 1 and options.max_width < STACK_BELOW:
            yield self._stacked()
        else:
            yield self._table()

    def _table(self) -> Table:
        texts = sum(1 for c in self.columns if c.ratio is not None)
        # Several text columns share the whole width by their ratios; a lone one takes what it needs.
        table = Table(
            title=self.title, box=box.SIMPLE_HEAVY, title_justify="left", expand=texts > 1
        )
        for column in self.columns:
            if column.ratio is None:
                table.add_column(column.name, justify="right", no_wrap=True)
            else:
                table.add_column(column.name, ratio=column.ratio)
        for row in self.rows:
            table.add_row(
                *(_cell(cell, column) for cell, column in zip(row, self.columns, strict=True))
            )
        return table

    def _stacked(self) -> Group:
        return Group(Text(self.title, style="italic"), *self._blocks())

    def _blocks(self) -> Iterator[RenderableType]:
        rest = self.columns[1:]
        for row in self.rows:
            heading = _as_text(row[0]).copy()
            heading.stylize("bold", 0, len(heading.plain.split("\n")[0]))
            heading = Text(" ").join(heading.split("\n"))
            fields = Table.grid(padding=(0, 2))
            fields.add_column(no_wrap=True, style="dim")
            fields.add_column()
            for cell, column in zip(row[1:], rest, strict=True):
                if column.ratio is None:
                    heading.append(f"　{column.name} ")
                    heading.append(_as_text(cell))
                else:
                    fields.add_row(column.name, Wrapped(_as_text(cell)))
            yield Padding(Wrapped(heading), (1, 0, 0, 1))
            yield Padding(fields, (0, 0, 0, 3))


def _as_text(cell: Cell) -> Text:
    return Text(cell) if isinstance(cell, str) else cell


def _cell(cell: Cell, column: Column) -> RenderableType:
    return _as_text(cell) if column.ratio is None else Wrapped(_as_text(cell))
