"""User text made inert for the outputs that are not HTML (HTML has Jinja's autoescape).

- ``visible``: control characters (ESC, CR, BEL, NUL, line breaks, the C1 controls) shown as
  visible stand-ins, so text from a file cannot move a terminal's cursor, colour it, open a
  hyperlink or overwrite a line, and cannot start a new line of a report.
- ``markdown_text``: text that a CommonMark or GitHub-flavoured Markdown renderer shows exactly
  as written, wherever it stands on a line: no link, image, HTML, code, emphasis, heading,
  list, quote or table cell comes out of it.
"""

from __future__ import annotations

import re

# C0 controls and DEL become their Control Pictures (ESC → ␛, CR → ␍, LF → ␊, NUL → ␀);
# the C1 controls (U+0080 to U+009F, e.g. the 8-bit CSI U+009B) have none and become U+FFFD.
_PICTURES = {
    **{code: chr(0x2400 + code) for code in range(0x20)},
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), "\ufffd"),
}


def visible(text: str) -> str:
    """``text`` with every control character replaced by a visible stand-in, one for one."""
    return text.translate(_PICTURES)


# Characters that open or close Markdown syntax wherever they stand: backslash escapes, code
# spans and fences, emphasis, strikethrough, links and images, raw HTML and autolinks, table
# cells, headings, block quotes.
_ALWAYS = frozenset("\\`*~[]<>!|#")
# At the start of a line: bullets, setext underlines and thematic breaks; the delimiter of an
# ordered list item ("1. ", "1) ").
_LEADING = re.compile(r"^(?:[-+=]|\d{1,9}[.)](?= |$))")


def markdown_text(text: str) -> str:
    """``text`` for a Markdown document, shown as written.

    CommonMark lets any ASCII punctuation character be escaped with a backslash, and an
    escaped character is always literal text. This escapes the characters that can start or
    end a construct: always ``\\ ` * ~ [ ] < > ! | #``; ``_`` unless it stands between two
    letters or digits (where CommonMark never reads it as emphasis, so ``in_force`` stays as
    it is); ``&`` where it could start an entity (``&lt;``); and at the start of the text,
    which the report may put at the start of a line, ``-``, ``+`` and ``=`` (bullets,
    underlines, breaks), the delimiter of an ordered list item (``1. ``, ``1) ``) and
    leading spaces (four would start a code block).
    Control characters are made ``visible`` first, so the text stays on its line. A bare
    ``http://`` or ``www.`` address stays as written; a renderer with GitHub's autolink
    extension may show it as a link to itself.
    """
    text = visible(text)
    out: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        if char in _ALWAYS:
            out.append("\\" + char)
        elif char == "_":
            between = 0 < index < last and text[index - 1].isalnum() and text[index + 1].isalnum()
            out.append(char if between else "\\_")
        elif char == "&" and index < last and (text[index + 1].isalnum() or text[index + 1] == "#"):
            out.append("\\&")
        else:
            out.append(char)
    escaped = "".join(out)
    leading = _LEADING.match(escaped)
    if leading:
        marker = leading.group(0)
        escaped = marker[:-1] + "\\" + marker[-1] + escaped[len(marker) :]
    spaces = len(escaped) - len(escaped.lstrip(" "))
    return "&#32;" * spaces + escaped[spaces:]


def markdown_code(text: str) -> str:
    """``text`` as a Markdown code span, shown as written: fenced by one more backtick than its
    longest run of backticks, and padded with a space where it starts or ends with a backtick
    or with spaces on both sides (CommonMark 6.1 strips one). Not for table cells, where GFM
    splits a code span at ``|``."""
    text = visible(text)
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    spaced = text.startswith(" ") and text.endswith(" ") and bool(text.strip(" "))
    pad = " " if text.startswith("`") or text.endswith("`") or spaced else ""
    return f"{fence}{pad}{text}{pad}{fence}"
