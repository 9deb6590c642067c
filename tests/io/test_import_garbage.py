"""Imports never crash and never accept garbage: every malformed file is an ``InputInvalid``
naming the file, the row, the column and the reason, and the limits hold before memory grows."""

from __future__ import annotations

import contextlib
import io
import json
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from rarex.core.parts import Dataset
from rarex.io.commercial import load_inventory, load_sales
from rarex.io.fx import load_rates
from rarex.io.importers import InputError, InputInvalid, load_dataset
from rarex.io.limits import ImportLimits
from rarex.io.party_lists import read_cn_sanctions, read_custom_csv, read_ftm_jsonl
from rarex.io.readers import NotANumber, decimal_of
from rarex.io.screening_inputs import read_ownership_csv, read_parties_csv
from tests.garbage import (
    BOM,
    CASES,
    GOOD_WORKBOOK,
    PARTS,
    Garbage,
    load,
    rezip,
    write,
    zip_bomb,
)


def refused(call: Callable[[], object]) -> list[InputError]:
    with pytest.raises(InputInvalid) as info:
        call()
    return info.value.errors


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_garbage_is_refused_with_file_row_column_and_reason(tmp_path: Path, case: Garbage) -> None:
    [first, *_] = refused(lambda: load(write(case, tmp_path)))
    assert (first.file, first.row, first.column) == (
        str(tmp_path / case.file_name) + case.part,
        case.row,
        case.column,
    )
    assert case.reason in first.reason


def demo(tmp_path: Path) -> Dataset:
    (tmp_path / "parts.csv").write_text(PARTS, encoding="utf-8")
    (tmp_path / "bom.csv").write_text(BOM, encoding="utf-8")
    return load_dataset(parts=tmp_path / "parts.csv", bom=tmp_path / "bom.csv")


def test_the_demo_files_and_their_workbook_are_read(tmp_path: Path) -> None:
    from_csv = demo(tmp_path)
    (tmp_path / "book.xlsx").write_bytes(GOOD_WORKBOOK)
    from_xlsx = load_dataset(workbook=tmp_path / "book.xlsx")
    assert [p.part_id for p in from_xlsx.parts] == [p.part_id for p in from_csv.parts]
    assert len(from_csv.parts) == 36


# ---------------------------------------------------------------- every CSV importer

# Each CSV importer with a valid file of its own: its header and one good row.
CSV_READERS: dict[str, tuple[str, Callable[[Path, Dataset], object]]] = {
    "sales": (
        "product_id,annual_volume,annual_revenue,currency\nEVM-200,10,1000,EUR\n",
        lambda p, d: load_sales(p, d),
    ),
    "inventory": (
        "part_id,on_hand,monthly_usage\nDY-METAL,5,1\n",
        lambda p, d: load_inventory(p, d),
    ),
    "fx": ("currency,rate\nEUR,1\n", lambda p, d: load_rates(p)),
    "parties": (
        "name,country,aliases,identifiers\nAcme GmbH,DE,,\n",
        lambda p, d: read_parties_csv(p),
    ),
    "ownership": ("owner,owned,percent\nA,B,60\n", lambda p, d: read_ownership_csv(p)),
    "custom list": (
        "name,aliases,country,identifiers,list,start,end\nAcme,,GB,,OUR-LIST,2025-01-01,\n",
        lambda p, d: read_custom_csv(p),
    ),
    "cn_sanctions": (
        "Name,Alias,Chinese name,Country,List,Date,End date,Source URL\n"
        "Acme,,,US,UEL,2025-01-02,,https://example.org\n",
        lambda p, d: read_cn_sanctions(p),
    ),
}


def _second_line(text: str, change: Callable[[str], str]) -> str:
    header, row, *rest = text.splitlines(keepends=True)
    return header + change(row) + "".join(rest)


def _first_field(change: Callable[[str], str]) -> Callable[[str], str]:
    def apply(line: str) -> str:
        first, sep, rest = line.partition(",")
        return change(first) + sep + rest

    return apply


MUTATIONS: dict[str, tuple[Callable[[str], bytes], int, str]] = {
    "utf-16": (lambda t: t.encode("utf-16"), 1, "UTF-16 text"),
    "latin-1": (
        lambda t: _second_line(t, _first_field(lambda f: f + "é")).encode("latin-1"),
        2,
        "not UTF-8 text: byte 0xe9",
    ),
    "a NUL byte": (
        lambda t: _second_line(t, _first_field(lambda f: f + "\x00")).encode(),
        2,
        "NUL character",
    ),
    "a duplicated column": (
        lambda t: "".join(
            line.rstrip("\n") + "," + line.split(",")[0] + "\n" for line in t.splitlines(True)
        ).encode(),
        1,
        "the column appears twice",
    ),
    "a ragged row": (
        lambda t: _second_line(t, lambda line: line.rstrip("\n") + ",x\n").encode(),
        2,
        "values, but the header has",
    ),
    "an unterminated quote": (
        lambda t: _second_line(t, lambda line: '"' + line).encode(),
        2,
        "a quote opened here is never closed",
    ),
    "a field over the csv limit": (
        lambda t: _second_line(t, _first_field(lambda f: "x" * 140_000)).encode(),
        2,
        "longer than 32,767 characters",
    ),
}


@pytest.mark.parametrize("mutation", MUTATIONS, ids=str)
@pytest.mark.parametrize("reader", CSV_READERS, ids=str)
def test_every_csv_importer_refuses_garbage(tmp_path: Path, reader: str, mutation: str) -> None:
    text, read = CSV_READERS[reader]
    dataset = demo(tmp_path)
    path = tmp_path / "file.csv"
    path.write_text(text, encoding="utf-8")
    read(path, dataset)  # the file as it is passes
    mutate, row, reason = MUTATIONS[mutation]
    path.write_bytes(mutate(text))
    [error, *_] = refused(lambda: read(path, dataset))
    assert (error.file, error.row) == (str(path), row)
    assert reason in error.reason


@pytest.mark.parametrize(
    ("text", "column", "reason"),
    [
        (
            "product_id,annual_volume,annual_revenue,currency\nEVM-200,1e400,1,EUR\n",
            "annual_volume",
            "too large",
        ),
        (
            "product_id,annual_volume,annual_revenue,currency\nEVM-200,1,1e-400,EUR\n",
            "annual_revenue",
            "too small",
        ),
    ],
)
def test_sales_figures_out_of_float_range_are_refused(
    tmp_path: Path, text: str, column: str, reason: str
) -> None:
    path = tmp_path / "sales.csv"
    path.write_text(text, encoding="utf-8")
    [error] = refused(lambda: load_sales(path, demo(tmp_path)))
    assert (error.row, error.column) == (2, column)
    assert reason in error.reason


@pytest.mark.parametrize("percent", ["NaN", "sNaN", "1e-400", "Infinity"])
def test_an_ownership_share_that_is_no_number_is_refused(tmp_path: Path, percent: str) -> None:
    path = tmp_path / "owners.csv"
    path.write_text(f"owner,owned,percent\nA,B,{percent}\n", encoding="utf-8")
    [error] = refused(lambda: read_ownership_csv(path))
    assert (error.row, error.column) == (2, "percent")


def test_an_exchange_rate_out_of_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fx.csv"
    path.write_text("currency,rate\nEUR,1\nUSD,1e400\n", encoding="utf-8")
    [error] = refused(lambda: load_rates(path))
    assert (error.row, error.column, error.reason) == (
        3,
        "rate",
        "too large to compute with: '1e400'",
    )


def test_a_value_under_a_column_without_a_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "owners.csv"
    path.write_text("owner,owned,percent,\nA,B,60,\nA,C,10,note\n", encoding="utf-8")
    [error] = refused(lambda: read_ownership_csv(path))
    assert (error.row, error.column, error.reason) == (
        3,
        "column 4",
        "a value under a column without a name",
    )


def test_numbers_are_finite_and_within_the_float_range() -> None:
    assert decimal_of("1.5e300") > 0
    assert decimal_of("0") == 0
    for text, reason in [
        ("1e400", "too large"),
        ("-1e400", "too large"),
        ("1e-400", "too small"),
        ("nan", "not a finite number"),
        ("-Infinity", "not a finite number"),
        ("1,5", "not a number"),
        ("9" * 400, "too large"),
        ("1e999999999999999999", "too large"),  # beyond the decimal context: no Overflow
        ("-1e-999999999999999999", "too small"),  # nor rounded to 0 on the way
    ]:
        with pytest.raises(NotANumber, match=reason):
            decimal_of(text)


def test_an_input_error_of_the_whole_file_names_no_row() -> None:
    assert str(InputError("book.xlsx", 0, "", "an empty file")) == "book.xlsx: an empty file"
    assert str(InputError("a.csv", 3, "origin", "bad")) == "a.csv: row 3: origin: bad"


# ---------------------------------------------------------------- JSON


def _json_errors(tmp_path: Path, text: str) -> list[InputError]:
    path = tmp_path / "data.json"
    path.write_text(text, encoding="utf-8")
    return refused(lambda: load_dataset(json_file=path))


@pytest.mark.parametrize(
    ("record", "column", "reason"),
    [
        ('{"part_id": "A", "part_id": "B"}', "part_id", "given twice in the record"),
        (
            '{"part_id": "A", "unit_value": true}',
            "unit_value",
            "expected text or a number, got true",
        ),
        ('{"part_id": "A", "description": ["x"]}', "description", "got a list"),
        ('{"part_id": "A", "description": {"x": 1}}', "description", "got an object"),
        ('{"part_id": "A", "description": "a\\u0000b"}', "description", "NUL character"),
    ],
)
def test_json_records_hold_text_and_numbers_once(
    tmp_path: Path, record: str, column: str, reason: str
) -> None:
    [error] = _json_errors(tmp_path, '{"parts": [' + record + '], "bom": []}')
    assert (error.file, error.row, error.column) == (f"{tmp_path / 'data.json'}:parts", 1, column)
    assert reason in error.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"parts": [{"part_id": NaN}]}', "NaN is not a JSON number"),
        ('{"parts": [{"part_id": "A"}],', "not readable JSON: Expecting property name"),
        ("\ufeff" * 0 + '{"parts": [}', "not readable JSON"),
    ],
)
def test_json_that_is_not_json_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    [error] = _json_errors(tmp_path, text)
    assert (error.row, error.column) == (0, "")
    assert reason in error.reason


def test_ftm_json_lines_garbage_is_refused_line_by_line(tmp_path: Path) -> None:
    good = {"id": "x-1", "properties": {"name": ["Example Corp"], "country": ["us"]}}
    lines = [
        json.dumps(good),
        "[1, 2]",  # not an object
        json.dumps({"id": "x-3", "properties": {"name": "Example Corp"}}),  # not a list
        json.dumps({"id": "x-4", "properties": {"name": ["A"], "startDate": {"a": 1}}}),
        '{"id": "x-5", "properties": {"name": ["\\ud800"]}}',
        '{"id": "x-6", "properties": {"name": [' + "9" * 5000 + "]}}",
        "[" * 100_000,
        '{"id": "x-8", "properties": {"name": [NaN]}}',
    ]
    path = tmp_path / "entities.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = refused(lambda: read_ftm_jsonl(path, "CN-CONTROL-LIST"))
    assert [(e.row, e.column) for e in errors] == [
        (2, "properties"),
        (3, "properties.name"),
        (4, "properties.startDate"),
        (5, "properties.name"),
        (6, "properties.name"),
        (7, ""),
        (8, ""),
    ]
    assert "lone surrogate" in errors[3].reason and "nested too deeply" in errors[5].reason
    path.write_bytes(json.dumps(good).encode() + b"\n\xff\n")
    [error] = refused(lambda: read_ftm_jsonl(path, "CN-CONTROL-LIST"))
    assert (error.row, error.reason) == (
        2,
        "not UTF-8 text: byte 0xff cannot be read; save it as UTF-8",
    )


# ---------------------------------------------------------------- limits


def _csv_files(tmp_path: Path, parts: str = PARTS, bom: str = BOM) -> dict[str, Path]:
    (tmp_path / "parts.csv").write_text(parts, encoding="utf-8")
    (tmp_path / "bom.csv").write_text(bom, encoding="utf-8")
    return {"parts": tmp_path / "parts.csv", "bom": tmp_path / "bom.csv"}


def test_rows_over_the_limit_are_refused_in_every_format(tmp_path: Path) -> None:
    limits = ImportLimits(max_rows=30)  # the demo has 36 parts and 29 BOM lines
    [error] = refused(lambda: load_dataset(**_csv_files(tmp_path), limits=limits))
    assert (error.file, error.row) == (str(tmp_path / "parts.csv"), 32)
    assert error.reason == "more than 30 rows (the limit is RAREX_IMPORT_MAX_ROWS)"
    (tmp_path / "book.xlsx").write_bytes(GOOD_WORKBOOK)
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx", limits=limits))
    assert (error.file, error.row) == (f"{tmp_path / 'book.xlsx'}[parts]", 32)
    document = {"parts": [{"part_id": str(i)} for i in range(31)], "bom": []}
    (tmp_path / "data.json").write_text(json.dumps(document), encoding="utf-8")
    [error] = refused(lambda: load_dataset(json_file=tmp_path / "data.json", limits=limits))
    assert (error.row, error.reason) == (
        31,
        "more than 30 rows (the limit is RAREX_IMPORT_MAX_ROWS)",
    )
    load_dataset(**_csv_files(tmp_path), limits=ImportLimits(max_rows=36))


def test_cells_over_the_length_limit_are_refused(tmp_path: Path) -> None:
    limits = ImportLimits(max_cell_chars=20)
    errors = refused(lambda: load_dataset(**_csv_files(tmp_path), limits=limits))
    assert (errors[0].row, errors[0].column) == (2, "description")
    assert "longer than 20 characters" in errors[0].reason
    (tmp_path / "book.xlsx").write_bytes(GOOD_WORKBOOK)
    errors = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx", limits=limits))
    assert (errors[0].row, errors[0].column) == (2, "description")


def test_a_sheet_with_too_many_cells_is_refused_while_it_is_read(tmp_path: Path) -> None:
    (tmp_path / "book.xlsx").write_bytes(GOOD_WORKBOOK)
    limits = ImportLimits(max_sheet_cells=13 * 10)  # the parts sheet is 13 columns wide
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx", limits=limits))
    assert (error.file, error.row) == (f"{tmp_path / 'book.xlsx'}[parts]", 11)
    assert "more than 130 cells in the sheet" in error.reason


def test_a_far_away_cell_counts_as_the_whole_row(tmp_path: Path) -> None:
    """A cell in column XFD makes openpyxl pad its row to 16,384 values: counted, refused."""
    far = rezip(
        GOOD_WORKBOOK,
        lambda name, data: (
            data.replace(
                b'</row><row r="4"',
                b'<c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row><row r="4"',
                1,
            )
            if name == "xl/worksheets/sheet1.xml"
            else data
        ),
    )
    (tmp_path / "book.xlsx").write_bytes(far)
    [error] = refused(
        lambda: load_dataset(
            workbook=tmp_path / "book.xlsx", limits=ImportLimits(max_sheet_cells=10_000)
        )
    )
    assert error.row == 3 and "more than 10,000 cells" in error.reason


def test_values_beyond_the_header_of_a_sheet_are_refused(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(io.BytesIO(GOOD_WORKBOOK))
    book["bom"]["E3"] = "stray"
    book.save(tmp_path / "book.xlsx")
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx"))
    assert (error.file, error.row, error.column) == (f"{tmp_path / 'book.xlsx'}[bom]", 3, "E")
    assert error.reason == "a value under a column without a name"


def test_a_workbook_that_unpacks_too_big_is_refused_by_its_declared_sizes(tmp_path: Path) -> None:
    (tmp_path / "book.xlsx").write_bytes(GOOD_WORKBOOK)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(GOOD_WORKBOOK)).infolist())
    limits = ImportLimits(max_workbook_bytes=unpacked - 1)
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx", limits=limits))
    assert error.reason == (
        f"the workbook unpacks to {unpacked:,} bytes, more than the limit of "
        f"{unpacked - 1:,} (RAREX_IMPORT_MAX_WORKBOOK_BYTES)"
    )
    load_dataset(workbook=tmp_path / "book.xlsx", limits=ImportLimits(max_workbook_bytes=unpacked))


def test_a_member_that_unpacks_beyond_its_declared_size_is_refused(tmp_path: Path) -> None:
    """The declared sizes are checked first, and the bytes are counted while unpacking: a
    member that claims to be small but holds more is refused, not read on."""
    data = bytearray(GOOD_WORKBOOK)
    archive = zipfile.ZipFile(io.BytesIO(GOOD_WORKBOOK))
    sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    # Lower the declared size in the member's central directory record.
    record = data.rfind(b"xl/worksheets/sheet1.xml") - 46
    assert data[record : record + 4] == b"PK\x01\x02"
    data[record + 24 : record + 28] = (100).to_bytes(4, "little")
    (tmp_path / "book.xlsx").write_bytes(bytes(data))
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx"))
    assert error.row == 0 and "a damaged .xlsx workbook" in error.reason
    assert sheet.file_size > 100


def test_a_zip_bomb_is_refused_at_once_without_building_its_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bomb = zip_bomb()  # one cell of 300 MB
    assert len(bomb) < 600_000
    (tmp_path / "bomb.xlsx").write_bytes(bomb)

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("openpyxl was asked to read the zip bomb")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        [error] = refused(lambda: load_dataset(workbook=tmp_path / "bomb.xlsx"))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (error.file, error.row, error.column) == (str(tmp_path / "bomb.xlsx"), 0, "")
    assert "unpacks to" in error.reason and "RAREX_IMPORT_MAX_WORKBOOK_BYTES" in error.reason
    assert elapsed < 2 and peak < 5_000_000
    # Under a higher size limit, the compression ratio still gives it away.
    limits = ImportLimits(max_workbook_bytes=1 << 30)
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "bomb.xlsx", limits=limits))
    assert "xl/sharedStrings.xml is compressed" in error.reason
    assert "to 1, more than the limit of 100 to 1" in error.reason


def test_a_row_numbered_beyond_excels_last_row_is_refused_quickly(tmp_path: Path) -> None:
    """openpyxl yields an empty row for every number skipped: a row numbered 2,000,000,000 would
    take minutes of empty rows; it is refused at Excel's last row instead."""
    far = rezip(
        GOOD_WORKBOOK,
        lambda name, data: (
            data.replace(b'<row r="4"', b'<row r="2000000000"', 1).replace(
                b'r="A4"', b'r="A2000000000"', 1
            )
            if name == "xl/worksheets/sheet1.xml"
            else data
        ),
    )
    (tmp_path / "book.xlsx").write_bytes(far)
    started = time.perf_counter()
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx"))
    assert time.perf_counter() - started < 5
    assert (error.file, error.row, error.column) == (
        f"{tmp_path / 'book.xlsx'}[parts]",
        1_048_577,
        "",
    )
    assert error.reason == "beyond Excel's last row, 1,048,576"


def test_a_workbook_openpyxl_cannot_open_is_refused_and_left_closed(tmp_path: Path) -> None:
    """openpyxl does not close the archive when ``load_workbook`` fails (found by the fuzz
    test): the file must be closed when the refusal is raised, not whenever it is collected."""
    broken = rezip(GOOD_WORKBOOK, lambda name, data: b"" if name.endswith("sheet2.xml") else data)
    (tmp_path / "book.xlsx").write_bytes(broken)
    [error] = refused(lambda: load_dataset(workbook=tmp_path / "book.xlsx"))
    assert (error.file, error.row) == (str(tmp_path / "book.xlsx"), 0)
    assert error.reason.startswith("the workbook cannot be read: ")
    assert open_files(tmp_path / "book.xlsx") == []


def open_files(path: Path) -> list[str]:
    """The descriptors this process holds open on ``path`` (Linux's /proc)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("no /proc/self/fd to list open files")
    found = []
    for fd in Path("/proc/self/fd").iterdir():
        with contextlib.suppress(OSError):
            if fd.readlink() == path:
                found.append(fd.name)
    return found
