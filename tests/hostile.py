"""Hostile text, as an analyst's file, form or API call could carry it, and the checks that it
comes out of an output inert.

Every check compares with a twin: the same work done with ``benign`` text of the same length
(every character that is not a letter or digit replaced by a space). An output is inert when
it has the same structure as its twin's (the same HTML elements and attributes, the same
rendered Markdown elements) and shows the hostile text as text.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.reports.escape import visible
from rarex.reports.pdf import printable

SCRIPT = "<script>alert(1)</script>"
PAYLOADS = (
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "</style><svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    "![x](http://evil/)",
    "| table | break |",
    "[bold red]x[/]",
    "[link=http://evil]x[/link]",
    "\x1b[31m",
    "\x1b]8;;http://evil\x07",
    "over\rwrite",
)  # a NUL is refused at the door (imports, the API's text), so it never reaches an output
URL = "javascript:alert(1)"  # a whole value that a link could be made of
# Every payload, for the fields that take 300 characters and more ...
FULL = " ".join(PAYLOADS)
# ... and in three parts of at most 90 characters, for the shorter ones (a field of that kind is
# given once per part).
CHUNKS = (" ".join(PAYLOADS[:3]), " ".join(PAYLOADS[3:7]), " ".join(PAYLOADS[7:]))
assert max(len(chunk) for chunk in CHUNKS) <= 90

Make = Callable[[str], str]


def hostile(text: str) -> str:
    return text


def benign(text: str) -> str:
    """``text`` with the same length, the same words and nothing to escape: its twin."""
    return re.sub(r"[^A-Za-z0-9]", " ", text)


def value(make: Make, tag: str, payload: str = FULL) -> str:
    """A field's value: its tag, the payload, and a full stop (so that no white space or
    control character ends it and an importer's strip() leaves it whole)."""
    return make(f"{tag} {payload}") + "."


# ----------------------------------------------------------------- a data set


@dataclass
class DataSet:
    """The demo company's files with hostile part ids, descriptions and plants."""

    parts: Path
    bom: Path
    sales: Path
    inventory: Path
    ids: dict[str, str] = field(default_factory=dict)  # demo id -> id in these files
    descriptions: dict[str, str] = field(default_factory=dict)  # by new id
    plants: list[str] = field(default_factory=list)


def write_dataset(folder: Path, make: Make) -> DataSet:
    """The demo parts, BOM, sales and inventory with every part id carrying a part of the
    payloads (one of them the bare ``javascript:`` URL), every description all of them, and
    every plant a part of them."""
    folder.mkdir(parents=True, exist_ok=True)
    demo_parts, demo_bom = demo_dataset_paths()
    demo = demo_parts.parent
    parts = _read(demo_parts)
    ids: dict[str, str] = {}
    for index, row in enumerate(parts):
        old = row["part_id"]
        ids[old] = make(URL) if old == "SHF-200" else value(make, old, CHUNKS[index % 3])
    data = DataSet(
        folder / f"{make('parts <b>')}.csv",
        folder / "bom.csv",
        folder / "sales.csv",
        folder / "inventory.csv",
        ids,
    )
    plants = {p: value(make, p, CHUNKS[i % 3]) for i, p in enumerate(_plants(parts))}
    data.plants = list(plants.values())
    for row in parts:
        row["part_id"] = ids[row["part_id"]]
        row["description"] = value(make, row["description"][:12])
        data.descriptions[row["part_id"]] = row["description"]
        row["plant"] = plants.get(row["plant"], "")
    _write(data.parts, parts)
    _write(data.bom, _renamed(_read(demo_bom), ids, "parent_id", "child_id"))
    _write(data.sales, _renamed(_read(demo / "sales.csv"), ids, "product_id"))
    _write(data.inventory, _renamed(_read(demo / "inventory.csv"), ids, "part_id"))
    return data


def _plants(parts: list[dict[str, str]]) -> list[str]:
    return sorted({row["plant"] for row in parts if row["plant"]})


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)


def _renamed(
    rows: list[dict[str, str]], ids: Mapping[str, str], *columns: str
) -> list[dict[str, str]]:
    for row in rows:
        for column in columns:
            row[column] = ids[row[column]]
    return rows


# ----------------------------------------------------------------- HTML


@dataclass
class Parsed:
    """An HTML document as ``html.parser`` reads it: its elements with the names of their
    attributes, the URLs in its links, and its text."""

    elements: Counter[tuple[str, tuple[str, ...]]] = field(default_factory=Counter)
    urls: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parsed = Parsed()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parsed.elements[(tag, tuple(sorted(name for name, _ in attrs)))] += 1
        self.parsed.urls.extend(
            v or "" for n, v in attrs if n in {"href", "src", "action", "formaction", "xlink:href"}
        )

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.parsed.text.append(data)


def parse_html(html: str) -> Parsed:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.parsed


def assert_inert_html(page: str, twin: str, shown: Iterable[str], where: str) -> int:
    """``page`` has exactly the elements and attributes of its ``twin``, no link to a script
    URL, and each of ``shown`` in its text; returns how many values were checked."""
    parsed, expected = parse_html(page), parse_html(twin)
    extra = parsed.elements - expected.elements
    missing = expected.elements - parsed.elements
    assert not extra and not missing, f"{where}: elements added {extra}, lost {missing}"
    scripted = [u for u in parsed.urls if u.strip().lower().startswith(("javascript:", "data:"))]
    assert not scripted, f"{where}: links to {scripted}"
    text = "".join(parsed.text)
    checked = 0
    for item in shown:
        assert item in text, f"{where}: {item!r} is not shown as text"
        checked += 1
    return checked


# ----------------------------------------------------------------- Markdown

MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def assert_inert_markdown(document: str, twin: str, shown: Iterable[str], where: str) -> int:
    """Rendered, ``document`` has exactly the elements of its ``twin`` (so no link, image or
    HTML came from its values), and shows each of ``shown`` as text."""
    parsed = parse_html(MARKDOWN.render(document))
    expected = parse_html(MARKDOWN.render(twin))
    extra = parsed.elements - expected.elements
    missing = expected.elements - parsed.elements
    assert not extra and not missing, f"{where}: elements added {extra}, lost {missing}"
    text = " ".join("".join(parsed.text).split())
    checked = 0
    for item in shown:
        assert " ".join(visible(item).split()) in text, f"{where}: {item!r} is not shown"
        checked += 1
    return checked


# ----------------------------------------------------------------- PDF


def pdf_text(data: bytes) -> str:
    """The text a PDF made by fpdf2 shows, in drawing order: each string drawn, decoded
    through the ToUnicode map of the font it is drawn in."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}
    cmaps: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            found = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
            if found:
                cmaps[name] = _cmap(_stream(objects[int(found.group(1))]))
    out: list[str] = []
    pages = (
        int(ref) for body in objects.values() for ref in re.findall(rb"/Contents (\d+) 0 R", body)
    )
    for page in pages:
        cmap: dict[int, str] = {}
        for token in re.finditer(
            rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", _stream(objects[page]), re.S
        ):
            if token.group(1):
                cmap = cmaps[token.group(1)]
            else:
                raw = _unescape(token.group(2))
                codes = (int.from_bytes(raw[i : i + 2]) for i in range(0, len(raw), 2))
                out.append("".join(cmap.get(code, "\ufffd") for code in codes))
    return "\n".join(out)


def _stream(body: bytes) -> bytes:
    found = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
    assert found is not None
    raw = found.group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _cmap(text: bytes) -> dict[int, str]:
    mapping = {}
    for cid, uni in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", text):
        mapping[int(cid, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    return mapping


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, raw, flags=re.S)


def assert_inert_pdf(data: bytes, shown: Iterable[str], where: str) -> int:
    """The PDF has no link, action or script, and shows each of ``shown`` as its text (with
    what the font cannot draw, control characters too, as "[…]"); returns the count."""
    for marker in (b"/Annots", b"/URI", b"/JavaScript", b"/JS", b"/Launch", b"/AA"):
        assert marker not in data, f"{where}: {marker!r}"
    text = pdf_text(data)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text), f"{where}: control characters"
    squeezed = "".join(text.split())
    checked = 0
    for item in shown:
        assert "".join(printable(item).split()) in squeezed, f"{where}: {item!r} is not shown"
        checked += 1
    return checked


# ----------------------------------------------------------------- terminal

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def assert_inert_terminal(output: str, shown: Iterable[str], where: str) -> int:
    """No control character of the data reaches the terminal (only line breaks), and each of
    ``shown`` prints as written, with its control characters visible."""
    found = CONTROL.findall(output)
    assert not found, f"{where}: control characters {found[:5]} in the output"
    checked = 0
    for item in shown:
        assert visible(item) in output, f"{where}: {visible(item)!r} is not printed as written"
        checked += 1
    return checked
