"""Tables that never cut a figure, an id, a date or a word.

Rich shrinks a table that is wider than the terminal by cutting cells with "…", so a money
figure "42,089,123" can print as "42,08…". ``show_table`` lays a table out itself instead:

- When stdout is not a terminal (a pipe or a file), the table is printed at its full width.
- In a terminal, text columns wrap between words, and no column is narrower than its longest
  word; a column marked ``no_wrap`` (figures, ids, bars) keeps its whole width.
- If even that does not fit the terminal, each row is printed as a record, one "header: value"
  line per column, which fits wherever its longest word does.

Cells, titles and captions are printed as written (``cli/safe.py``): brackets in them are text,
not Rich markup, so "[official; S06]" or a part named "[red]" shows as written, and control
characters from the data (ESC, CR, BEL, …) show as visible symbols instead of acting on the
terminal.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType
from rich.measure import Measurement
from rich.rule import Rule
from rich.segment import Segments
from rich.table import Column, Table

from rarex.cli.safe import cell_text, in_cell, inert

UNBOUNDED = 1_000_000


@dataclass(frozen=True)
class _Extent:
    """The narrowest and widest a column's content can be (without padding)."""

    least: int
    most: int


def show_table(console: Console, table: Table) -> None:
    """Print ``table`` without cutting anything, as the module docstring describes."""
    _defuse(table)
    options = console.options.update(width=UNBOUNDED, markup=False)
    extents = [_extent(console, options, column) for column in table.columns]
    natural = Measurement.get(console, options, table).maximum
    overhead = natural - sum(e.most for e in extents)
    if not console.is_terminal:
        _print_at(console, table, natural)
        return
    room = console.width - overhead
    if sum(e.most for e in extents) <= room:
        console.print(table, markup=False)
        return
    if sum(e.least for e in extents) > room:
        _print_records(console, table)
        return
    for column, width in zip(table.columns, _share(extents, room), strict=True):
        column.width = width
        column.overflow = "fold"
    console.print(table, markup=False)


def _defuse(table: Table) -> None:
    """Every cell, the title and the caption as text that prints as written."""
    if table.title is not None:
        title = cell_text(table.title)
        if isinstance(table.title, str):
            title.style = table.title_style or "table.title"
        table.title = title
    if table.caption is not None:
        table.caption = cell_text(table.caption)
    for column in table.columns:
        column._cells[:] = [in_cell(cell) for cell in column._cells]  # Rich has no setter


def _extent(console: Console, options: ConsoleOptions, column: Column) -> _Extent:
    cells: list[RenderableType] = [column.header, *column.cells]
    measured = [Measurement.get(console, options, cell) for cell in cells]
    most = max((m.maximum for m in measured), default=1)
    least = most if column.no_wrap else max((m.minimum for m in measured), default=1)
    return _Extent(max(least, 1), max(most, 1))


def _share(extents: list[_Extent], room: int) -> list[int]:
    """Column widths that fill ``room``: each column gets its least width, and the rest goes
    to the columns that would wrap, in proportion to how much more they could use."""
    widths = [e.least for e in extents]
    spare = room - sum(widths)
    wants = [e.most - e.least for e in extents]
    total = sum(wants)
    if total == 0:
        return widths
    for index, want in enumerate(wants):
        widths[index] += spare * want // total
    left = room - sum(widths)
    for index in sorted(range(len(wants)), key=lambda i: -wants[i]):
        if left <= 0:
            break
        if widths[index] < extents[index].most:
            widths[index] += 1
            left -= 1
    return widths


def _print_at(console: Console, table: Table, width: int) -> None:
    """Lay the table out at ``width`` even where that is wider than the console."""
    lines = console.render(table, console.options.update(width=width, markup=False))
    console.print(Segments(lines), crop=False, soft_wrap=True)


def _print_records(console: Console, table: Table) -> None:
    """One block per row, a "header  value" line per column, the blocks divided by rules."""
    headers = [column.header for column in table.columns]
    columns = [list(column.cells) for column in table.columns]
    if table.title is not None:
        console.print(table.title, style="bold", markup=False)
    for row_index in range(table.row_count):
        cells = [cells_of[row_index] for cells_of in columns]
        style = table.rows[row_index].style or ""
        console.print(Rule(style="dim"))
        record = Table.grid(padding=(0, 2))
        record.add_column(style="bold", no_wrap=True)
        record.add_column(overflow="fold")
        for header, cell in zip(headers, cells, strict=True):
            record.add_row(header, cell, style=style)
        console.print(record, markup=False)
    if table.caption is not None:
        console.print(table.caption, style="dim", markup=False)


def show_heading(console: Console, title: str) -> None:
    """A section heading, whole: Rich's rule would cut a long title with "…"."""
    console.print()
    console.print(inert(title, "bold underline"))
