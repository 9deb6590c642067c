"""User text for the terminal: shown as written.

Text from data sets, lists, applications, file names and arguments reaches the console only
as Rich ``Text`` made by ``inert``: it is never read as Rich markup (``[bold red]`` or
``[link=…]`` print as typed), and its control characters (ESC, CR, BEL, NUL, line breaks,
the C1 controls) print as visible stand-ins (␛, ␍, ␇, ␀, ␊, �), so a value cannot colour the
terminal, open a hyperlink, move the cursor or overwrite what was printed before it.
``show_table`` (``cli/tables.py``) does the same for every cell and title of a table.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import StyleType
from rich.text import Text

from rarex.reports.escape import visible


def inert(text: object, style: StyleType = "") -> Text:
    """``text`` as Rich text that prints as written: no markup, control characters visible."""
    return Text(visible(str(text)), style=style)


def in_cell(value: RenderableType) -> RenderableType:
    """A table cell as ``cell_text``; a renderable that is not text is left as it is."""
    return cell_text(value) if isinstance(value, str | Text) else value


def cell_text(value: str | Text) -> Text:
    """A table cell, title or caption as inert text. Its line breaks stay (a table keeps a
    cell's lines inside the cell), and so do a ``Text``'s styles."""
    if isinstance(value, str):
        return Text(_visible_lines(value))
    copy = value.copy()
    copy.plain = _visible_lines(copy.plain)  # one character for one: the styles stay put
    return copy


def _visible_lines(text: str) -> str:
    return "\n".join(visible(line) for line in text.split("\n"))
