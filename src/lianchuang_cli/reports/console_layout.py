"""rich tables that draw their own lines where rich's layout of them is fully determined.

``DirectTable`` is a rich ``Table`` that, without colour and with rich's defaults (a box, a space
of padding each side, a left title, one header line, left or right columns, cells that are
``Wrapped`` or one line of text), hands itself to ``plain_layout.grid_lines`` and yields the lines
it draws; anything else is rich's. ``Wrapped``, ``section`` and the line drawing itself live in
``plain_layout`` (re-exported here), which imports no rich console, text or table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from lianchuang_cli.reports.plain_layout import (
    MARKUP,
    STACK_BELOW,
    Column,
    Grid,
    GridColumn,
    Section,
    Styled,
    Wrapped,
    grid_lines,
    section,
)

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

__all__ = [
    "STACK_BELOW",
    "Column",
    "DirectTable",
    "Section",
    "Styled",
    "Wrapped",
    "WrappedTable",
    "section",
    "table_lines",
]


class DirectTable(Table):
    """A ``Table`` whose lines are written directly when the layout is determined, else by rich
    (see ``plain_layout``: ~13 ms a village ranking of 30 rows by rich, 0.7 ms drawn directly)."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = table_lines(self, console, options)
        if lines is None:
            yield from super().__rich_console__(console, options)
            return
        from rich.segment import Segment

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


def table_lines(table: Table, console: Console, options: ConsoleOptions) -> list[str] | None:
    """The lines rich would draw for ``table`` without colour, or None when rich must lay it out."""
    if console.color_system is not None or table.box is None or not _plain_shape(table):
        return None
    grid = _grid(table)
    if grid is None:
        return None
    safe = console.safe_box if table.safe_box is None else table.safe_box
    return grid_lines(grid, options.max_width, table.box.substitute(options, safe=safe))


def _grid(table: Table) -> Grid | None:
    """The table as a ``Grid``: its title, headers and cells as the literal text rich shows."""
    title = _literal(table.title or "")
    columns = []
    for column in table.columns:
        header = _literal(column.header)
        if header is None:
            return None
        columns.append(GridColumn(header, column.justify, column.ratio, not column.no_wrap))
    cells = []
    for column in table.columns:
        column_cells = [_literal(cell) for cell in column.cells]
        if any(cell is None for cell in column_cells):
            return None
        cells.append(column_cells)
    if title is None:
        return None
    rows = tuple(zip(*cells, strict=True)) if cells else ()
    return Grid(title, tuple(columns), rows, table.expand)  # type: ignore[arg-type]


def _literal(renderable: RenderableType) -> str | Wrapped | None:
    """``Wrapped`` as it is, a string or a plain ``Text`` as the text rich shows, else None."""
    if isinstance(renderable, Wrapped):
        return renderable
    if isinstance(renderable, str):
        return None if MARKUP.search(renderable) else renderable
    if (
        type(renderable) is Text
        and renderable.justify is None
        and renderable.no_wrap is None
        and renderable.end == "\n"
    ):
        return renderable.plain
    return None


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
