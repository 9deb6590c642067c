"""Malformed data files, made from the demo company's, and the error each must be refused with.

Each case is one file of a data set (the parts or BOM CSV file, the workbook or the JSON file),
the others being the demo's own; the importers, the command line and the uploads are tested
against the same cases.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.core.parts import Dataset
from rarex.io.importers import load_dataset

PARTS_PATH, BOM_PATH = demo_dataset_paths()
PARTS = PARTS_PATH.read_text(encoding="utf-8")
BOM = BOM_PATH.read_text(encoding="utf-8")
PART_LINES = PARTS.splitlines(keepends=True)
BOM_LINES = BOM.splitlines(keepends=True)


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def records_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def workbook_bytes(parts: str = PARTS, bom: str = BOM) -> bytes:
    """The data set as an .xlsx workbook with sheets ``parts`` and ``bom``, as openpyxl saves."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "parts"
    for row in rows_of(parts):
        sheet.append(row)
    bom_sheet = book.create_sheet("bom")
    for row in rows_of(bom):
        bom_sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_WORKBOOK = workbook_bytes()


def rezip(workbook: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The workbook with each member replaced by ``change(name, data)``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, change(info.filename, source.read(info)))
    return out.getvalue()


PARTS_SHEET = "xl/worksheets/sheet1.xml"


def in_parts_sheet(change: Callable[[bytes], bytes]) -> bytes:
    return rezip(GOOD_WORKBOOK, lambda name, data: change(data) if name == PARTS_SHEET else data)


def with_line(lines: list[str], number: int, change: Callable[[str], str]) -> str:
    """The file with its line ``number`` (the header is 1) changed."""
    return "".join(change(line) if i == number else line for i, line in enumerate(lines, 1))


def with_field(lines: list[str], number: int, column: int, value: str) -> str:
    """The file with one field of line ``number`` replaced (the line has no quoted field)."""

    def change(line: str) -> str:
        fields = line.rstrip("\n").split(",")
        fields[column] = value
        return ",".join(fields) + "\n"

    return with_line(lines, number, change)


assert "," not in rows_of(PART_LINES[2])[0][1], "the tests change row 3's description by index"
assert '"' not in PART_LINES[2] + PART_LINES[4]


@dataclass(frozen=True)
class Garbage:
    """A bad file (``option`` is ``parts``, ``bom``, ``workbook`` or ``json``) and its error:
    the file named as the user named it (with ``[sheet]`` or ``:key``), row, column, reason."""

    name: str
    option: str
    file_name: str
    data: bytes
    row: int
    column: str
    reason: str
    part: str = ""  # the sheet or the key of a JSON document

    @property
    def shown_file(self) -> str:
        return self.file_name + self.part


def _random_bytes() -> bytes:
    return random.Random(11).randbytes(4096)


CSV_CASES = [
    Garbage("utf-16", "parts", "parts.csv", PARTS.encode("utf-16"), 1, "", "UTF-16 text"),
    Garbage("utf-32", "parts", "parts.csv", PARTS.encode("utf-32"), 1, "", "UTF-32 text"),
    Garbage(
        "latin-1",
        "parts",
        "parts.csv",
        with_field(PART_LINES, 3, 1, "Rotor für Motoren").encode("latin-1"),
        3,
        "description",
        "not UTF-8 text: byte 0xfc cannot be read",
    ),
    Garbage(
        "random bytes",
        "parts",
        "parts.csv",
        _random_bytes(),
        1,
        "column 1",
        "not UTF-8 text: byte 0xcf cannot be read",
    ),
    Garbage(
        "a field over Python's csv limit",
        "parts",
        "parts.csv",
        with_field(PART_LINES, 3, 1, "x" * 140_000).encode(),
        3,
        "description",
        "longer than 32,767 characters",
    ),
    Garbage(
        "a field over Excel's cell limit",
        "parts",
        "parts.csv",
        with_field(PART_LINES, 3, 1, "x" * 40_000).encode(),
        3,
        "description",
        "longer than 32,767 characters",
    ),
    Garbage(
        "a duplicated header",
        "parts",
        "parts.csv",
        "".join(
            line.rstrip("\n") + (",origin\n" if i == 0 else ",CN\n")
            for i, line in enumerate(PART_LINES)
        ).encode(),
        1,
        "origin",
        "the column appears twice (columns 5 and 14)",
    ),
    Garbage(
        "an unterminated quote",
        "parts",
        "parts.csv",
        with_field(PART_LINES, 5, 1, '"Motor housing').encode(),
        5,
        "description",
        "a quote opened here is never closed",
    ),
    Garbage(
        "an unterminated quote that runs to the end of the file",
        "parts",
        "parts.csv",
        with_field(PART_LINES, len(PART_LINES), 1, '"Spare part').encode(),
        len(PART_LINES),
        "description",
        "a quote opened here is never closed: the rest of the file would be one value",
    ),
    Garbage(
        "a row with a value too many",
        "parts",
        "parts.csv",
        with_line(PART_LINES, 4, lambda line: line.rstrip("\n") + ",extra\n").encode(),
        4,
        "",
        "14 values, but the header has 13 columns",
    ),
    Garbage(
        "a row with a value too few",
        "bom",
        "bom.csv",
        with_line(BOM_LINES, 3, lambda line: line.rsplit(",", 1)[0] + "\n").encode(),
        3,
        "",
        "2 values, but the header has 3 columns",
    ),
    Garbage(
        "a NUL byte",
        "parts",
        "parts.csv",
        with_field(PART_LINES, 5, 1, "Motor\x00housing").encode(),
        5,
        "description",
        "contains a NUL character",
    ),
    Garbage(
        "1e400 as a quantity",
        "bom",
        "bom.csv",
        with_field(BOM_LINES, 2, 2, "1e400").encode(),
        2,
        "quantity",
        "too large to compute with: '1e400'",
    ),
    Garbage(
        "1e-400 as a quantity",
        "bom",
        "bom.csv",
        with_field(BOM_LINES, 2, 2, "1e-400").encode(),
        2,
        "quantity",
        "too small to compute with (it would be taken as 0): '1e-400'",
    ),
]


def _json(change: Callable[[dict[str, list[dict[str, str]]]], str]) -> bytes:
    return change({"parts": records_of(PARTS), "bom": records_of(BOM)}).encode()


def _big_integer(document: dict[str, list[dict[str, str]]]) -> str:
    text = json.dumps(document)
    return text.replace('"quantity": "1"', '"quantity": ' + "9" * 5000, 1)


def _surrogate(document: dict[str, list[dict[str, str]]]) -> str:
    document["parts"][1]["description"] = "Rotor @"
    return json.dumps(document).replace("Rotor @", "Rotor \\ud800")


JSON_CASES = [
    Garbage(
        "JSON nested 100,000 deep",
        "json",
        "data.json",
        _json(lambda d: '{"parts": ' + "[" * 100_000 + "]" * 100_000 + "}"),
        0,
        "",
        "not readable JSON: nested too deeply",
    ),
    Garbage(
        "a 5,000-digit integer",
        "json",
        "data.json",
        _json(_big_integer),
        1,
        "quantity",
        "too large to compute with: '9999",
        ":bom",
    ),
    Garbage(
        "a lone surrogate",
        "json",
        "data.json",
        _json(_surrogate),
        2,
        "description",
        "contains a lone surrogate code point",
        ":parts",
    ),
]

XXE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/hostname">]>\n'
)

WORKBOOK_CASES = [
    Garbage(
        "a workbook that is not a zip",
        "workbook",
        "book.xlsx",
        PARTS.encode(),
        0,
        "",
        "not an .xlsx workbook (an .xlsx file is a zip archive)",
    ),
    Garbage(
        "a truncated workbook",
        "workbook",
        "book.xlsx",
        GOOD_WORKBOOK[: len(GOOD_WORKBOOK) // 2],
        0,
        "",
        "a damaged .xlsx workbook (truncated or corrupt zip archive",
    ),
    Garbage("an empty workbook file", "workbook", "book.xlsx", b"", 0, "", "an empty file"),
    Garbage(
        "an Excel 97-2003 file",
        "workbook",
        "book.xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
        0,
        "",
        "an Excel 97-2003 (.xls) workbook, not .xlsx; save it as .xlsx",
    ),
    Garbage(
        "a real .xlsx named .xls",
        "workbook",
        "book.xls",
        GOOD_WORKBOOK,
        0,
        "",
        "the name ends in .xls, the Excel 97-2003 format",
    ),
    Garbage(
        "bad sheet XML",
        "workbook",
        "book.xlsx",
        in_parts_sheet(lambda xml: xml.replace(b'<row r="4"', b'<row r="4" <', 1)),
        4,
        "",
        "the sheet cannot be read: ParseError: not well-formed (invalid token)",
        "[parts]",
    ),
    Garbage(
        "an external entity",
        "workbook",
        "book.xlsx",
        in_parts_sheet(lambda xml: XXE + xml.replace(b"<t>EVM-200</t>", b"<t>&secret;</t>")),
        0,
        "",
        "xl/worksheets/sheet1.xml declares a DOCTYPE or entities",
    ),
]

CASES = [*CSV_CASES, *JSON_CASES, *WORKBOOK_CASES]


def write(case: Garbage, folder: Path) -> dict[str, Path]:
    """The data set's files with the case's bad one, by ``load_dataset`` keyword."""
    folder.mkdir(parents=True, exist_ok=True)
    bad = folder / case.file_name
    bad.write_bytes(case.data)
    if case.option == "workbook":
        return {"workbook": bad}
    if case.option == "json":
        return {"json_file": bad}
    files = {"parts": folder / "parts.csv", "bom": folder / "bom.csv"}
    for key, text in (("parts", PARTS), ("bom", BOM)):
        if key != case.option:
            files[key].write_text(text, encoding="utf-8")
    return files


def load(files: dict[str, Path]) -> Dataset:
    """``load_dataset`` on the files ``write`` made."""
    return load_dataset(
        parts=files.get("parts"),
        bom=files.get("bom"),
        workbook=files.get("workbook"),
        json_file=files.get("json_file"),
    )


def zip_bomb(unpacked: int = 300 * 1024 * 1024) -> bytes:
    """A valid-looking workbook whose shared strings hold one cell of ``unpacked`` bytes,
    compressed to a few hundred KB (deflate packs a run of one letter about 1,000 to 1)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(GOOD_WORKBOOK)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            member.write(b"<si><t>")
            chunk = b"a" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return out.getvalue()
