"""Our text, sections and tables laid out as plain lines, with rich's bytes, without rich's console.

``Wrapped`` is text that breaks its lines the Chinese way (rich's own wrapping splits numbers and
starts lines with "，"). ``section`` is a titled list of records: a table when there is room, and
below ``STACK_BELOW`` cells one block per record (heading line, then one labelled line per text
field), so that a five-column table never squeezes its text into slivers. Both are rich
renderables; ``Styled`` is text in styled runs that becomes a rich ``Text`` only where rich
draws it.

rich lays a table out through nested renderables (a ``Padding`` around every cell, each
rendered, cropped and split into lines, then split again by its container): ~13 ms for a
village ranking of 30 rows. Our tables are simple (a box, a space of padding each side, a left
title, one header line, left or right columns, cells that are ``Wrapped`` or one line of text),
and without colour their lines follow from rich's rules in a few lines (``grid_lines``):

- not expanded, every column at its natural width (its widest line) when all fit;
- expanded with ratios: figure columns at their natural width, text columns sharing the rest by
  rich's own ``ratio_distribute``, when no column has to shrink.

``panel_lines`` draws a whole ``score`` panel the same way, so ``score ONE_FILE`` imports
neither rich's console nor its text and table modules (~25 ms). Anything else (colour, a column
that must shrink, markup, tabs, control characters, a stacked section) is left to rich.
``tests/test_direct_table.py`` checks the bytes against rich's over generated tables, widths
40–250, CJK text and hostile unit names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from msgspec import Struct
from rich import box
from rich._ratio import ratio_distribute, ratio_reduce
from rich.box import Box
from rich.cells import cell_len

from lianchuang_cli.reports.text_layout import line_spans, widest_piece

if TYPE_CHECKING:  # imported where rich draws (the modules cost ~25 ms to import)
    from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

STACK_BELOW = 96
"""Below this many cells of room (a 100-column console, inside a panel) records are stacked."""


class Styled(Struct, frozen=True):
    """Text in runs of one style each (``""`` for none): a rich ``Text`` where rich draws it."""

    runs: tuple[tuple[str, str], ...]

    @property
    def plain(self) -> str:
        """The text without styles."""
        return "".join(text for text, _ in self.runs)

    def to_text(self) -> Text:
        """The rich ``Text``, run by run (as ``Text.append`` builds it)."""
        from rich.text import Text

        text = Text()
        for run, style in self.runs:
            text.append(run, style=style or None)
        return text


class Wrapped:
    """Text whose lines break the Chinese way; rich measures and renders it like any text."""

    def __init__(self, text: str | Text | Styled, style: str = "") -> None:
        self._source = text
        self._style = style
        self._text: Text | None = None if isinstance(text, str | Styled) else text

    @property
    def plain(self) -> str:
        """The text without styles."""
        return self._source if isinstance(self._source, str) else self._source.plain

    @property
    def text(self) -> Text:
        """The rich ``Text`` (a string gets ``style``; a ``Text`` or ``Styled`` keeps its own)."""
        if self._text is None:
            from rich.text import Text

            source = self._source
            self._text = (
                Text(source, style=self._style) if isinstance(source, str) else source.to_text()  # type: ignore[union-attr]
            )
        return self._text

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        plain = self.text.plain
        widest_line = max((cell_len(line) for line in plain.split("\n")), default=0)
        return Measurement(widest_piece(plain), widest_line).with_maximum(options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.segment import Segment

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


class GridColumn(Struct, frozen=True):
    """A column of a ``Grid``: its header, ``"left"`` or ``"right"``, its share when expanded,
    whether rich may narrow it (a column that does not wrap keeps its width while others can)."""

    header: str | Wrapped
    justify: str
    ratio: int | None
    wraps: bool


class Grid(Struct, frozen=True):
    """What ``grid_lines`` draws: a table with rich's defaults, a left title, literal cells."""

    title: str
    columns: tuple[GridColumn, ...]
    rows: tuple[tuple[str | Wrapped, ...], ...]
    expand: bool


class Column(Struct, frozen=True):
    """A field of a section: text (shares the room by ``ratio``) or a figure (``ratio`` None)."""

    name: str
    ratio: int | None = None


Cell = str | Styled


def section(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Section:
    """A titled list of records, as a table or, when narrow, as stacked blocks."""
    return Section(title, tuple(columns), tuple(tuple(row) for row in rows))


class Section(Struct, frozen=True):
    """A titled list of records (see ``section``)."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.stacks_at(options.max_width):
            yield self._stacked()
            return
        grid = self.grid() if console.color_system is None else None
        frame = box.SIMPLE_HEAVY.substitute(options, safe=console.safe_box)
        lines = None if grid is None else grid_lines(grid, options.max_width, frame)
        if lines is None:
            yield self._table()
            return
        yield from _segments(lines)

    def stacks_at(self, width: int) -> bool:
        """Whether the records are stacked in ``width`` cells of room (several text fields)."""
        texts = sum(1 for c in self.columns if c.ratio is not None)
        return texts > 1 and width < STACK_BELOW

    def grid(self) -> Grid | None:
        """The table as a ``Grid``; None when rich would read its title or a header as markup."""
        if any(MARKUP.search(text) for text in (self.title, *(c.name for c in self.columns))):
            return None
        texts = sum(1 for c in self.columns if c.ratio is not None)
        columns = tuple(
            GridColumn(c.name, "right" if c.ratio is None else "left", c.ratio, c.ratio is not None)
            for c in self.columns
        )
        rows = tuple(
            tuple(
                (cell if isinstance(cell, str) else cell.plain)
                if column.ratio is None
                else Wrapped(cell)
                for cell, column in zip(row, self.columns, strict=True)
            )
            for row in self.rows
        )
        # Several text columns share the whole width by their ratios; a lone one takes what it needs.
        return Grid(self.title, columns, rows, expand=texts > 1)

    def _table(self) -> Table:
        from rich.table import Table

        texts = sum(1 for c in self.columns if c.ratio is not None)
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
                *(
                    _as_text(cell) if column.ratio is None else Wrapped(_as_text(cell))
                    for cell, column in zip(row, self.columns, strict=True)
                )
            )
        return table

    def _stacked(self) -> Group:
        from rich.console import Group
        from rich.text import Text

        return Group(Text(self.title, style="italic"), *self._blocks())

    def _blocks(self) -> Iterator[RenderableType]:
        from rich.padding import Padding
        from rich.table import Table
        from rich.text import Text

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
    from rich.text import Text

    return Text(cell) if isinstance(cell, str) else cell.to_text()


def _segments(lines: Iterable[str]) -> RenderResult:
    from rich.segment import Segment

    new_line = Segment.line()
    for line in lines:
        yield Segment(line)
        yield new_line


_INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff\ud800-\udfff"
NOT_PLAIN = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE}]")
"""Characters rich strips, expands or splits lines at, and invisible ones (bidirectional controls,
zero-width and joining characters, variation selectors) whose width rich's measures do not all
agree on: such text is left to rich."""

_NOT_PLAIN_IN_LINES = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029{_INVISIBLE}]")

MARKUP = re.compile(r"[\[:]")
"""A string rich reads as markup (and emoji codes, where a console enables them)."""


def grid_lines(grid: Grid, max_width: int, frame: Box) -> list[str] | None:
    """The lines rich draws for ``grid`` in ``max_width`` cells, or None when rich must lay it out."""
    columns = grid.columns
    cells = [
        [column.header, *(row[index] for row in grid.rows)] for index, column in enumerate(columns)
    ]
    if any(not _plain_cell(cell) for column_cells in cells for cell in column_cells):
        return None
    natural = [max(_natural(cell) for cell in column_cells) + 2 for column_cells in cells]
    room = max_width - (2 + len(columns) - 1)
    widths = _widths(grid, natural, room)
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
    title = _title(grid.title, sum(widths) + 2 + len(columns) - 1)
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


def _plain_cell(cell: str | Wrapped) -> bool:
    if isinstance(cell, Wrapped):
        # Its own layout splits paragraphs at newlines (``Wrapped.__rich_console__``).
        return not _NOT_PLAIN_IN_LINES.search(cell.plain)
    return not NOT_PLAIN.search(cell)


def _natural(cell: str | Wrapped) -> int:
    """The widest line of a cell, as rich measures it."""
    if isinstance(cell, str):
        return cell_len(cell)
    return max(cell_len(line) for line in cell.plain.split("\n"))


def _widths(grid: Grid, natural: list[int], room: int) -> list[int] | None:
    """Each column's width with its padding, as rich gives it, or None where rich must decide."""
    columns = grid.columns
    if room < 3:
        return None
    if grid.expand:
        ratios = [column.ratio for column in columns if column.ratio is not None]
        if not ratios or any(
            width > room
            for column, width in zip(columns, natural, strict=True)
            if column.ratio is None
        ):
            return None
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
    widths = [min(width, room) for width in natural]  # rich measures within the room
    if sum(widths) <= room:
        return widths
    # Too wide: rich narrows the widest text columns first (figures keep their width), then,
    # if that is not enough, every column by the same share; each then holds what it measures.
    widths = _collapse(widths, [column.wraps for column in columns], room)
    if sum(widths) > room:
        widths = ratio_reduce(sum(widths) - room, [1] * len(widths), widths, widths)
    if min(widths) < 3:
        return None  # a column narrower than its padding: rich measures it differently
    return widths


def _collapse(widths: list[int], wrapable: list[bool], room: int) -> list[int]:
    """rich's ``Table._collapse_widths``: cut the widest wrapable columns down to the next
    widest, by shares, until the table fits or no wrapable column is left to cut."""
    total = sum(widths)
    excess = total - room
    if any(wrapable):
        while total and excess > 0:
            widest = max(width for width, wraps in zip(widths, wrapable, strict=True) if wraps)
            second = max(
                width if wraps and width != widest else 0
                for width, wraps in zip(widths, wrapable, strict=True)
            )
            ratios = [
                1 if width == widest and wraps else 0
                for width, wraps in zip(widths, wrapable, strict=True)
            ]
            if not any(ratios) or not widest - second:
                break
            widths = ratio_reduce(
                excess, ratios, [min(excess, widest - second)] * len(widths), widths
            )
            total = sum(widths)
            excess = total - room
    return widths


def _cell_lines(cell: str | Wrapped, width: int, justify: str) -> list[str] | None:
    """The cell's lines padded to ``width`` cells (rich's Padding adds a space each side)."""
    if isinstance(cell, str):
        if cell_len(cell) > width:
            return None  # rich would wrap or crop it
        if justify == "right":
            text = cell.rstrip()
            return [" " * (width - cell_len(text)) + text]
        return [cell + " " * (width - cell_len(cell))]
    lines = []
    for paragraph in cell.plain.split("\n"):
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


def _title(title: str, width: int) -> str | None:
    """The title line padded to the table's width; "" for none, None if rich must lay it out."""
    if not title:
        return ""
    if NOT_PLAIN.search(title) or cell_len(title) > width:
        return None
    return title + " " * (width - cell_len(title))


def panel_lines(title: str, parts: Sequence[Wrapped | Section], width: int) -> list[str] | None:
    """The lines of ``Panel(Group(*parts), title=Text(title), title_align="left")`` (rich's
    defaults: rounded box, expanded, a space of padding each side) on a console ``width`` cells
    wide without colour, where rich substitutes no box; None when rich must lay it out."""
    inner = width - 4
    heading = f" {title} "
    if inner < 2 or NOT_PLAIN.search(title) or cell_len(heading) > inner:
        return None
    body: list[str] = []
    for part in parts:
        if isinstance(part, Section):
            grid = None if part.stacks_at(inner) else part.grid()
            lines = None if grid is None else grid_lines(grid, inner, box.SIMPLE_HEAVY)
        else:
            lines = _cell_lines(part, inner, "left") if _plain_cell(part) else None
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
