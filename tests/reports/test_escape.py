"""User text in Markdown shows as written, and control characters are visible.

The Markdown checks render with markdown-it (CommonMark with GitHub's tables and
strikethrough, raw HTML allowed) and compare the rendered text with the input: any link,
image, HTML, emphasis, code, heading, list or cell made from the text would change one or the
other."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from rarex.reports.escape import markdown_code, markdown_text, visible

MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

# What Markdown, HTML and terminals read as syntax, and some ordinary characters between them.
SYNTAX = [
    *"\\`*_~[]()<>!|#&-+=.:;/\"' \t\n\r\x1b\x07\x00\x9b",
    *("aZ", "09", "1.", "&lt;", "www.", "~~", "**", "__", "```", "===", "---", "    "),
]
TEXT = st.lists(st.sampled_from(SYNTAX) | st.characters(), max_size=30).map("".join)


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(markdown: str) -> _Parsed:
    parser = _Parsed()
    parser.feed(MD.render(markdown))
    parser.close()
    return parser


def test_controls_become_visible_one_for_one() -> None:
    hostile = "a\x1b[31mb\x1b]8;;http://evil\x07c\rd\x00e\x9bf\ng\th\x7f"
    shown = visible(hostile)
    assert shown == "a␛[31mb␛]8;;http://evil␇c␍d␀e\ufffdf␊g␉h␡"
    assert len(shown) == len(hostile)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in shown)
    assert visible("Neodymium 钕 N52 [sintered] 100 °C") == "Neodymium 钕 N52 [sintered] 100 °C"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("![x](http://evil/)", "\\!\\[x\\](http://evil/)"),
        ("| table | break |", "\\| table \\| break \\|"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("# heading", "\\# heading"),
        ("- item", "\\- item"),
        ("1. item", "1\\. item"),
        ("2.5 kW motor", "2.5 kW motor"),
        ("    code", "&#32;&#32;&#32;&#32;code"),
        ("in_force, _x_, a__b", "in_force, \\_x\\_, a\\_\\_b"),
        ("MOFCOM & GAC &lt;", "MOFCOM & GAC \\&lt;"),
        ("EVM-200: 1.5 kg (die-cast)", "EVM-200: 1.5 kg (die-cast)"),
        ("a\x1b[31mb\rc", "a␛\\[31mb␍c"),
    ],
)
def test_markdown_escapes_syntax_and_leaves_plain_text(text: str, escaped: str) -> None:
    assert markdown_text(text) == escaped


def _check_shown_as_written(markdown: str, wrapper: list[str], expected: str) -> None:
    shown = parsed(markdown)
    assert shown.tags == wrapper, (markdown, MD.render(markdown))
    assert not shown.attributes
    assert _words("".join(shown.text)) == _words(expected), (markdown, MD.render(markdown))


def _words(text: str) -> list[str]:
    """Markdown trims and joins white space; the characters between it must all be there."""
    return text.split()


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_escaped_text_renders_as_written_wherever_it_stands(text: str) -> None:
    shown = visible(text)
    if not shown.strip():
        return  # only white space: Markdown shows nothing, which is no construct either
    escaped = markdown_text(text)
    assert "\n" not in escaped
    # a paragraph of its own (the start of a line), the next line of a paragraph, after other
    # text, a heading, a table cell
    _check_shown_as_written(f"{escaped}\n", ["p"], shown)
    _check_shown_as_written(f"Before\n{escaped}\n", ["p"], f"Before {shown}")
    _check_shown_as_written(f"Before {escaped} after\n", ["p"], f"Before {shown} after")
    _check_shown_as_written(f"## {escaped}\n", ["h2"], shown)
    table = f"| A | B |\n|---|---|\n| {escaped} | b |\n"
    cells = parsed(table)
    assert cells.tags == ["table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td"], table
    assert not cells.attributes
    assert [_words(t) for t in cells.text if t.strip()][2:] == [_words(shown), ["b"]], table


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_code_spans_show_their_text_as_written(text: str) -> None:
    if not visible(text):
        return
    shown = parsed(f"Assumed {markdown_code(text)} here\n")
    assert shown.tags == ["p", "code"]
    assert shown.text[1] == visible(text)


def test_the_hostile_payloads_make_no_link_image_or_html() -> None:
    for payload in (
        "[x](javascript:alert(1))",
        "![x](http://evil/)",
        "<img src=x onerror=alert(1)>",
        "<http://evil/>",
        "[x]: http://evil/",
        "[link=http://evil]x[/link]",
    ):
        html = MD.render(f"Part {markdown_text(payload)}\n\n{markdown_text(payload)}\n")
        assert "<a" not in html and "<img" not in html and "<http" not in html, html
