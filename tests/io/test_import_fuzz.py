"""Fuzzing the CSV, JSON and workbook importers with structured garbage.

Every generated file (a mutation of the demo company's data, random bytes, an odd encoding,
huge or odd numbers, a broken zip or sheet XML) must end in a data set whose numbers are finite,
or in ``InputInvalid``: never in any other exception.

The suite runs the ``imports`` profile: few examples, derandomised, with a deadline, so it takes
seconds. For a longer search (see benchmarks/README.md):

    IMPORT_FUZZ_PROFILE=imports-long .venv/bin/python -m pytest -q tests/io/test_import_fuzz.py
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rarex.core.parts import Dataset
from rarex.io.importers import InputInvalid, load_dataset
from rarex.io.limits import ImportLimits
from tests.garbage import BOM, GOOD_WORKBOOK, PARTS, records_of, rezip

settings.register_profile(
    "imports",
    max_examples=25,
    deadline=timedelta(seconds=5),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "imports-long",
    parent=settings.get_profile("imports"),
    max_examples=2000,
    derandomize=False,
    deadline=None,
)
FUZZ = settings.get_profile(os.environ.get("IMPORT_FUZZ_PROFILE", "imports"))

# Small enough that no example runs long, large enough for the demo company.
LIMITS = ImportLimits(
    max_rows=5_000,
    max_cell_chars=32_767,
    max_workbook_bytes=8 * 1024 * 1024,
    max_compression_ratio=100,
    max_sheet_cells=100_000,
)

ODD_NUMBERS = [
    "1e400",
    "-1e400",
    "1e-400",
    "4.9e-324",
    "1.7976931348623157e308",
    "NaN",
    "-Infinity",
    "sNaN",
    "9" * 5000,
    "0." + "0" * 400 + "1",
    "1_000",
    "\uff11\uff12",  # full-width digits
    "-0",
    "0x10",
    "1e999999999999999999",
    "",
    " ",
]
ODD_TEXT = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.text(max_size=40),
    st.sampled_from(['"', '""', '"a', "a,b", "\r", "\n", "\x00", "\ufeff", "é"]),
    st.integers(min_value=1, max_value=200_000).map(lambda n: "x" * n),
)
TOKENS = [
    b'"',
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xed\xa0\x80",  # an encoded surrogate
    b'"""',
    b",,,,",
]
ENCODINGS = ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"]


def accepted_or_refused(**files: Path) -> Dataset | None:
    """Load the files; ``None`` when refused with ``InputInvalid`` (any other exception fails
    the test). A data set that is accepted has only finite, computable numbers."""
    try:
        dataset = load_dataset(**files, limits=LIMITS)
    except InputInvalid as exc:
        assert exc.errors, "an InputInvalid without errors"
        for error in exc.errors:
            assert isinstance(error.row, int) and error.row >= 0
            assert error.file.startswith(tuple(str(p) for p in files.values()))
        return None
    assert all(math.isfinite(q) and q > 0 for q in dataset.bom.quantity.tolist())
    for part in dataset.parts:
        if part.unit_value is not None:
            assert math.isfinite(float(part.unit_value)) and part.unit_value >= 0
        assert all(0 <= float(v) <= 1 for v in part.elements.values())
    return dataset


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few byte-level edits: tokens inserted, slices cut or replaced."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        kind = draw(st.sampled_from(["insert", "cut", "replace", "truncate"]))
        if kind == "insert":
            data[at:at] = draw(st.sampled_from(TOKENS) | st.binary(min_size=1, max_size=8))
        elif kind == "cut":
            del data[at : at + draw(st.integers(min_value=1, max_value=40))]
        elif kind == "replace":
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=4))
        else:
            del data[at:]
    return bytes(data)


@st.composite
def mutated_field(draw: st.DrawFn, text: str) -> bytes:
    """``text`` (CSV) with one field replaced by an odd value, written as CSV would be."""
    lines = text.splitlines(keepends=True)
    number = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    fields = lines[number].rstrip("\n").split(",")
    column = draw(st.integers(min_value=0, max_value=len(fields) - 1))
    value = draw(ODD_TEXT)
    if draw(st.booleans()):
        value = '"' + value.replace('"', '""') + '"'
    fields[column] = value
    lines[number] = ",".join(fields) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", *ENCODINGS]))
    return "".join(lines).encode(encoding, errors="replace")


def csv_file(text: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        mutated_field(text),
        mutated_bytes(text.encode()),
        st.binary(max_size=2000),
        st.sampled_from(ENCODINGS).map(lambda e: text.encode(e, errors="replace")),
    )


@FUZZ
@given(which=st.sampled_from(["parts", "bom"]), data=st.data())
def test_csv_files(
    tmp_path_factory: pytest.TempPathFactory, which: str, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("csv")
    files = {"parts": folder / "parts.csv", "bom": folder / "bom.csv"}
    files["parts"].write_text(PARTS, encoding="utf-8")
    files["bom"].write_text(BOM, encoding="utf-8")
    files[which].write_bytes(data.draw(csv_file(PARTS if which == "parts" else BOM)))
    accepted_or_refused(**files)


def _containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(ODD_NUMBERS),
    _containers,
    max_leaves=10,
)


@st.composite
def json_document(draw: st.DrawFn) -> bytes:
    document: dict[str, list[dict[str, Any]]] = {
        "parts": records_of(PARTS),
        "bom": records_of(BOM),
    }
    key = draw(st.sampled_from(["parts", "bom"]))
    record = draw(st.integers(min_value=0, max_value=len(document[key]) - 1))
    field = draw(st.sampled_from([*document[key][record], "extra"]))
    document[key][record][field] = draw(JSON_VALUES)
    text = json.dumps(document)
    raw_number = draw(st.sampled_from(["1e400", "-1e-400", "9" * 5000, "NaN", "Infinity", "1"]))
    text = text.replace('"quantity": "1"', f'"quantity": {raw_number}', 1)
    if draw(st.booleans()):
        text = text.replace(
            "Rotor", draw(st.sampled_from(["\\ud800", "\\u0000", '\\"', "\\\\"])), 1
        )
    encoded = text.encode(draw(st.sampled_from(["utf-8", "utf-8", *ENCODINGS])), errors="replace")
    return draw(st.one_of(st.just(encoded), mutated_bytes(encoded)))


@FUZZ
@given(
    document=st.one_of(
        json_document(),
        st.integers(min_value=1, max_value=50_000).map(lambda n: b"[" * n + b"]" * n),
        st.binary(max_size=500),
    )
)
def test_json_files(tmp_path_factory: pytest.TempPathFactory, document: bytes) -> None:
    path = tmp_path_factory.mktemp("json") / "data.json"
    path.write_bytes(document)
    accepted_or_refused(json_file=path)


MEMBERS = sorted(zipfile.ZipFile(io.BytesIO(GOOD_WORKBOOK)).namelist())
XML_TOKENS = [
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>',
    b"&e;",
    b"&#0;",
    b"&#xD800;",
    b"_xD800_",
    b"_x0000_",
    b'<c r="XFD9"><v>1</v></c>',
    b'<c r="A2" t="n"><v>1e400</v></c>',
    b'<c r="C2"><v>' + b"9" * 5000 + b"</v></c>",
    b'<c r="C3" t="e"><v>#N/A</v></c>',
    b'<c r="C4" t="b"><v>1</v></c>',
    b'<c r="C5" t="d"><v>2026-13-45</v></c>',
    b'<c r="C6" t="s"><v>99999</v></c>',
    b'<row r="0">',
    b'<row r="-1">',
    b'<row r="99999999">',
    b"</row>",
    b"<sheetData/>",
    b'<?xml version="1.0" encoding="UTF-16"?>',
]


@st.composite
def broken_workbook(draw: st.DrawFn) -> bytes:
    member = draw(st.sampled_from(MEMBERS))
    kind = draw(st.sampled_from(["token", "bytes", "drop"]))

    def change(name: str, data: bytes) -> bytes:
        if name != member:
            return data
        if kind == "drop":
            return b""
        if kind == "bytes":
            return draw(mutated_bytes(data))
        at = draw(st.integers(min_value=0, max_value=len(data)))
        return data[:at] + draw(st.sampled_from(XML_TOKENS)) + data[at:]

    return rezip(GOOD_WORKBOOK, change)


@FUZZ
@given(
    workbook=st.one_of(
        broken_workbook(),
        mutated_bytes(GOOD_WORKBOOK),
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
    )
)
def test_workbooks(tmp_path_factory: pytest.TempPathFactory, workbook: bytes) -> None:
    path = tmp_path_factory.mktemp("xlsx") / "book.xlsx"
    path.write_bytes(workbook)
    accepted_or_refused(workbook=path)
