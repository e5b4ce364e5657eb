"""rich building blocks that lay Chinese text out by ``text_layout``'s rules, at any width.

``Wrapped`` is text that breaks its lines the Chinese way (rich's own wrapping splits numbers and
starts lines with "，"). ``section`` is a titled list of records: a table when there is room, and
below ``STACK_BELOW`` cells one block per record (heading line, then one labelled line per text
field), so that a five-column table never squeezes its text into slivers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct
from rich import box
from rich._ratio import ratio_distribute
from rich.box import Box
from rich.cells import cell_len
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.table import Column as TableColumn
from rich.table import Table
from rich.text import Text

from lianchuang_cli.reports.text_layout import line_spans, widest_piece

if TYPE_CHECKING:  # rich.console costs ~20 ms to import; a score panel drawn directly needs none
    from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult

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


class DirectTable(Table):
    """A ``Table`` whose lines are written directly when the layout is determined, else by rich.

    rich lays a table out through nested renderables (a ``Padding`` around every cell, each
    rendered, cropped and split into lines, then split again by its container): ~13 ms for a
    village ranking of 30 rows, most of ``grade-tree --format table``'s cost over ``batch``; the
    gap table is most of a ``score`` panel's. Ours are simple (a box, a space of padding each
    side, a left title, one header line, left or right columns, cells that are ``Wrapped`` or one
    line of text), and for them rich's widths follow in a few lines:

    - not expanded, every column at its natural width (its widest line) when all fit;
    - expanded with ratios: figure columns at their natural width, text columns sharing the rest
      by rich's own ``ratio_distribute``, when no column has to shrink.

    Anything else (colour, a column that must shrink, markup, tabs, control characters, other
    renderables, a caption) is left to rich. ``tests/test_direct_table.py`` checks the bytes
    against rich's over generated tables, widths 40–250, CJK text and hostile unit names.
    """

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = table_lines(self, console, options)
        if lines is None:
            yield from super().__rich_console__(console, options)
            return
        new_line = Segment.line()
        for line in lines:
            yield Segment(line)
            yield new_line


class WrappedTable(DirectTable):
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
        yield self.at_width(options.max_width) or self._stacked()

    def at_width(self, width: int) -> Table | None:
        """The table for ``width`` cells of room, or None where the records are stacked."""
        texts = sum(1 for c in self.columns if c.ratio is not None)
        return None if texts > 1 and width < STACK_BELOW else self._table()

    def _table(self) -> Table:
        texts = sum(1 for c in self.columns if c.ratio is not None)
        # Several text columns share the whole width by their ratios; a lone one takes what it needs.
        table = DirectTable(
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
        from rich.console import Group

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


_NOT_PLAIN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
"""Characters rich strips, expands or splits lines at: such text is left to rich."""

_NOT_PLAIN_IN_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")

_MARKUP = re.compile(r"[\[:]")
"""A string cell is read as markup (and emoji codes, when a console enables them)."""


def table_lines(table: Table, console: Console, options: ConsoleOptions) -> list[str] | None:
    """The lines rich would draw for ``table`` without colour, or None when rich must lay it out."""
    if console.color_system is not None or table.box is None:
        return None
    safe = console.safe_box if table.safe_box is None else table.safe_box
    return _table_lines(table, options.max_width, table.box.substitute(options, safe=safe))


def _table_lines(table: Table, max_width: int, frame: Box) -> list[str] | None:
    if not _plain_shape(table):
        return None
    columns = table.columns
    cells: list[list[_DirectCell]] = []
    for column in columns:
        column_cells = _column_cells(column)
        if column_cells is None:
            return None
        cells.append(column_cells)
    natural = [max(_natural(cell) for cell in column_cells) + 2 for column_cells in cells]
    room = max_width - (2 + len(columns) - 1)
    widths = _widths(table, columns, natural, room)
    if widths is None:
        return None
    laid: list[list[list[str]]] = []
    for column, column_cells, width in zip(columns, cells, widths, strict=True):
        column_lines = []
        for cell in column_cells:
            lines = _cell_lines(cell, width - 2, column.justify)
            if lines is None:
                return None
            column_lines.append(lines)
        laid.append(column_lines)
    title = _title(table.title, sum(widths) + 2 + len(columns) - 1)
    if title is None:
        return None
    out = [title] if title else []
    out.append(frame.get_top(widths))
    rows = list(zip(*laid, strict=True))
    for index, row in enumerate(rows):
        if index == 0:
            if any(len(cell) != 1 for cell in row):
                return None  # rich aligns a header of several lines to the bottom
            left, divider, right = frame.head_left, frame.head_vertical, frame.head_right
        elif index == len(rows) - 1:
            left, divider, right = frame.foot_left, frame.foot_vertical, frame.foot_right
        else:
            left, divider, right = frame.mid_left, frame.mid_vertical, frame.mid_right
        out.extend(_row_lines(row, widths, left, divider, right))
        if index == 0:
            out.append(frame.get_row(widths, "head", edge=True))
    out.append(frame.get_bottom(widths))
    return out


def _plain_shape(table: Table) -> bool:
    """Whether the table uses only what ``table_lines`` draws (rich's defaults, a left title)."""
    return (
        bool(table.columns)
        and table.width is None
        and table.min_width is None
        and table.caption is None
        and table.show_header
        and not table.show_footer
        and table.show_edge
        and not table.show_lines
        and table.leading == 0
        and table.padding == (0, 1, 0, 1)
        and table.pad_edge
        and not table.collapse_padding
        and table.title_justify == "left"
        and not any(row.end_section for row in table.rows)
        and all(
            column.width is None
            and column.min_width is None
            and column.max_width is None
            and column.justify in ("left", "right")
            and column.vertical == "top"
            and column.overflow != "ignore"
            for column in table.columns
        )
    )


_DirectCell = Wrapped | str


def _column_cells(column: TableColumn) -> list[_DirectCell] | None:
    """The header and the cells as ``Wrapped`` or one-line text (None: rich must lay it out)."""
    cells = []
    for renderable in (column.header, *column.cells):
        cell = _direct_cell(renderable)
        if cell is None:
            return None
        cells.append(cell)
    return cells


def _direct_cell(renderable: RenderableType) -> _DirectCell | None:
    if isinstance(renderable, Wrapped):
        # Its own layout splits paragraphs at newlines (``Wrapped.__rich_console__``).
        return None if _NOT_PLAIN_IN_LINES.search(renderable.text.plain) else renderable
    if isinstance(renderable, str):
        text = renderable
        if _MARKUP.search(text):
            return None
    elif type(renderable) is Text and renderable.justify is None and renderable.no_wrap is None:
        text = renderable.plain
    else:
        return None
    return None if _NOT_PLAIN.search(text) else text


def _natural(cell: _DirectCell) -> int:
    """The widest line of a cell, as rich measures it."""
    if isinstance(cell, str):
        return cell_len(cell)
    return max(cell_len(line) for line in cell.text.plain.split("\n"))


def _widths(
    table: Table, columns: Sequence[TableColumn], natural: list[int], room: int
) -> list[int] | None:
    """Each column's width with its padding, as rich gives it, or None if some column shrinks."""
    if room < 3 or any(
        width > room for column, width in zip(columns, natural, strict=True) if column.ratio is None
    ):
        return None
    ratios = [column.ratio or 0 for column in columns if column.ratio is not None]
    if table.expand and any(ratios):
        fixed = [
            0 if column.ratio is not None else width
            for column, width in zip(columns, natural, strict=True)
        ]
        shares = iter(ratio_distribute(room - sum(fixed), ratios, [3] * len(ratios)))
        widths = [
            width + next(shares) if column.ratio is not None else width
            for column, width in zip(columns, fixed, strict=True)
        ]
        return widths if sum(widths) == room else None
    if sum(natural) > room or table.expand or any(width > room for width in natural):
        return None
    return natural


def _cell_lines(cell: _DirectCell, width: int, justify: str) -> list[str] | None:
    """The cell's lines padded to ``width`` cells (rich's Padding adds a space each side)."""
    if isinstance(cell, str):
        if cell_len(cell) > width:
            return None  # rich would wrap or crop it
        if justify == "right":
            text = cell.rstrip()
            return [" " * (width - cell_len(text)) + text]
        return [cell + " " * (width - cell_len(cell))]
    lines = []
    for paragraph in cell.text.plain.split("\n"):
        for start, end in line_spans(paragraph, width):
            line = paragraph[start:end]
            size = cell_len(line)
            if size > width:
                return None  # a character wider than the column: rich crops it
            lines.append(line + " " * (width - size))
    return lines


def _row_lines(
    row: Sequence[list[str]], widths: Sequence[int], left: str, divider: str, right: str
) -> Iterator[str]:
    height = max(len(cell) for cell in row)
    for number in range(height):
        yield (
            left
            + divider.join(
                f" {cell[number]} " if number < len(cell) else " " * width
                for cell, width in zip(row, widths, strict=True)
            )
            + right
        )


def _title(title: str | Text | None, width: int) -> str | None:
    """The title line padded to the table's width; "" for none, None if rich must lay it out."""
    if not title:
        return ""
    if isinstance(title, str):
        if _MARKUP.search(title):
            return None
        text = title
    elif (
        type(title) is Text
        and title.justify is None
        and title.no_wrap is None
        and title.end == "\n"
    ):
        text = title.plain
    else:
        return None
    if _NOT_PLAIN.search(text) or cell_len(text) > width:
        return None
    return text + " " * (width - cell_len(text))


def panel_lines(title: str, parts: Sequence[RenderableType], width: int) -> list[str] | None:
    """The lines of ``Panel(Group(*parts), title=Text(title), title_align="left")`` (rich's
    defaults: rounded box, expanded, a space of padding each side) on a console ``width`` cells
    wide without colour, where rich substitutes no box; None when rich must lay it out.

    Drawing a ``score`` panel this way spares rich's console (its import alone is ~20 ms).
    """
    inner = width - 4
    heading = f" {title} "
    if inner < 2 or _NOT_PLAIN.search(title) or cell_len(heading) > inner:
        return None
    body: list[str] = []
    for part in parts:
        lines = _part_lines(part, inner)
        if lines is None:
            return None
        body.extend(lines)
    edge = box.ROUNDED
    rule = edge.top * (inner - cell_len(heading))
    return [
        edge.top_left + edge.top + heading + rule + edge.top + edge.top_right,
        *(
            f"{edge.mid_left} {line}{' ' * (inner - cell_len(line))} {edge.mid_right}"
            for line in body
        ),
        edge.get_bottom([width - 2]),
    ]


def _part_lines(part: RenderableType, width: int) -> list[str] | None:
    if isinstance(part, _Responsive):
        table = part.at_width(width)
        return None if table is None else _part_lines(table, width)
    if isinstance(part, DirectTable) and part.box is not None:
        return _table_lines(part, width, part.box)
    if isinstance(part, Wrapped) and not _NOT_PLAIN_IN_LINES.search(part.text.plain):
        return _cell_lines(part, width, "left")
    return None
