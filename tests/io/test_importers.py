"""Every malformed value is refused with the file, row, column and reason."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from rarex.core.parts import PART_COLUMNS
from rarex.io.importers import InputError, InputInvalid, load_dataset
from tests.assessment_data import write_csv

GOOD_PARTS: list[dict[str, object]] = [
    {
        "part_id": "MOTOR",
        "description": "Motor",
        "unit_value": "100",
        "currency": "EUR",
        "origin": "DE",
        "form": "other",
    },
    {
        "part_id": "MAG",
        "description": "Magnet",
        "unit_value": "5",
        "currency": "EUR",
        "origin": "JP",
        "form": "permanent_magnet",
        "elements": "Nd:0.3;Dy:0.04;Fe:0.65;B:0.01",
        "attributes": "density_g_cm3=7.5",
        "plant": "Kyoto",
    },
]
GOOD_BOM: list[dict[str, object]] = [{"parent_id": "MOTOR", "child_id": "MAG", "quantity": "8"}]


def errors(
    tmp_path: Path,
    parts: list[dict[str, object]] | None = None,
    bom: list[dict[str, object]] | None = None,
    parts_header: list[str] | None = None,
) -> list[InputError]:
    header = parts_header or [*PART_COLUMNS, "plant"]
    p = write_csv(tmp_path / "parts.csv", header, parts if parts is not None else GOOD_PARTS)
    b = write_csv(
        tmp_path / "bom.csv",
        ["parent_id", "child_id", "quantity"],
        bom if bom is not None else GOOD_BOM,
    )
    with pytest.raises(InputInvalid) as info:
        load_dataset(parts=p, bom=b)
    return info.value.errors


def with_part(**changes: object) -> list[dict[str, object]]:
    return [GOOD_PARTS[0], {**GOOD_PARTS[1], **changes}]


@pytest.mark.parametrize(
    ("changes", "column", "reason"),
    [
        ({"unit_value": "12,5"}, "unit_value", "not a number: '12,5'"),
        ({"unit_value": "-1"}, "unit_value", "must be 0 or more"),
        ({"currency": "EURO"}, "currency", "not an ISO 4217 currency code"),
        ({"origin": "XX"}, "origin", "not an ISO 3166-1 alpha-2 country code: 'XX'"),
        ({"origin": "China"}, "origin", "not an ISO 3166-1 alpha-2"),
        ({"tech_origin": "C"}, "tech_origin", "not an ISO 3166-1 alpha-2"),
        ({"form": "magnet"}, "form", "unknown form 'magnet'"),
        ({"elements": "Nd:1.2"}, "elements", "outside 0-1"),
        ({"elements": "Nd:-0.1"}, "elements", "outside 0-1"),
        ({"elements": "Nd:0.7;Fe:0.4"}, "elements", "sum to 1.1, more than 1"),
        ({"elements": "Xx:0.1"}, "elements", "unknown element symbol 'Xx'"),
        ({"elements": "Nd=0.1"}, "elements", "expected SYMBOL:FRACTION"),
        ({"elements": "Nd:lots"}, "elements", "not a number"),
        ({"attributes": "hardness=5"}, "attributes", "unknown attribute 'hardness'"),
        ({"attributes": "purity_pct=high"}, "attributes", "purity_pct: not a number"),
        ({"attributes": "graphite_type=synthetic"}, "attributes", "is not one of"),
        ({"hs_code": "85051"}, "hs_code", "expected 6, 8 or 10 digits"),
    ],
)
def test_bad_part_value(
    tmp_path: Path, changes: dict[str, object], column: str, reason: str
) -> None:
    [error] = errors(tmp_path, with_part(**changes))
    assert (error.file, error.row, error.column) == (str(tmp_path / "parts.csv"), 3, column)
    assert reason in error.reason


def test_part_id_is_required(tmp_path: Path) -> None:
    [error] = errors(tmp_path, [*GOOD_PARTS, {**GOOD_PARTS[0], "part_id": " "}])
    assert (error.row, error.column, error.reason) == (4, "part_id", "required")


def test_missing_column(tmp_path: Path) -> None:
    header = [c for c in PART_COLUMNS if c != "origin"]
    [error] = errors(
        tmp_path,
        parts_header=header,
        parts=[{k: v for k, v in p.items() if k in header} for p in GOOD_PARTS],
    )
    assert (error.row, error.column, error.reason) == (1, "origin", "missing column")


def test_duplicate_part_id(tmp_path: Path) -> None:
    [error] = errors(tmp_path, [*GOOD_PARTS, GOOD_PARTS[1]])
    assert (error.row, error.column) == (4, "part_id")
    assert "duplicate part_id 'MAG' (first on row 3)" in error.reason


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (
            {"parent_id": "MOTOR", "child_id": "ROTOR", "quantity": "1"},
            "child_id",
            "unknown part 'ROTOR'",
        ),
        (
            {"parent_id": "GEARBOX", "child_id": "MAG", "quantity": "1"},
            "parent_id",
            "unknown part 'GEARBOX'",
        ),
        (
            {"parent_id": "MOTOR", "child_id": "MAG", "quantity": "0"},
            "quantity",
            "must be greater than 0",
        ),
        (
            {"parent_id": "MOTOR", "child_id": "MAG", "quantity": "-2"},
            "quantity",
            "must be greater than 0",
        ),
        (
            {"parent_id": "MOTOR", "child_id": "MAG", "quantity": "two"},
            "quantity",
            "not a number: 'two'",
        ),
    ],
)
def test_bad_bom_row(tmp_path: Path, row: dict[str, object], column: str, reason: str) -> None:
    [error] = errors(tmp_path, bom=[*GOOD_BOM, row])
    assert (error.file, error.row, error.column) == (str(tmp_path / "bom.csv"), 3, column)
    assert reason in error.reason


def test_cycle_is_reported_with_its_path(tmp_path: Path) -> None:
    parts = [*GOOD_PARTS, {**GOOD_PARTS[0], "part_id": "ROTOR"}]
    bom: list[dict[str, object]] = [
        *GOOD_BOM,
        {"parent_id": "MAG", "child_id": "ROTOR", "quantity": "1"},
        {"parent_id": "ROTOR", "child_id": "MOTOR", "quantity": "1"},
    ]
    [error] = errors(tmp_path, parts, bom)
    assert error.column == "child_id"
    assert "cycle:" in error.reason
    path = error.reason.split("cycle: ")[1].split(" → ")
    assert path[0] == path[-1]
    assert set(path) == {"MOTOR", "MAG", "ROTOR"}


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    found = errors(tmp_path, with_part(origin="XX", form="magnet", unit_value="x"))
    assert {e.column for e in found} == {"origin", "form", "unit_value"}


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "parts.csv", [*PART_COLUMNS, "plant"], GOOD_PARTS)
    b = write_csv(tmp_path / "bom.csv", ["parent_id", "child_id", "quantity"], GOOD_BOM)
    data = load_dataset(parts=p, bom=b)
    assert data.part("MAG").extra == {"plant": "Kyoto"}
    assert data.products() == ["MOTOR"]


def _workbook(path: Path, parts: list[dict[str, object]], bom: list[dict[str, object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "parts"
    header = [*PART_COLUMNS, "plant"]
    sheet.append(header)
    for row in parts:
        sheet.append([row.get(k, None) for k in header])
    bom_sheet = book.create_sheet("bom")
    bom_sheet.append(["parent_id", "child_id", "quantity"])
    for row in bom:
        bom_sheet.append([row["parent_id"], row["child_id"], float(str(row["quantity"]))])
    book.save(path)
    return path


def test_workbook_and_json_read_the_same_data(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "parts.csv", [*PART_COLUMNS, "plant"], GOOD_PARTS)
    b = write_csv(tmp_path / "bom.csv", ["parent_id", "child_id", "quantity"], GOOD_BOM)
    from_csv = load_dataset(parts=p, bom=b)
    from_xlsx = load_dataset(workbook=_workbook(tmp_path / "data.xlsx", GOOD_PARTS, GOOD_BOM))
    doc = tmp_path / "data.json"
    doc.write_text(json.dumps({"parts": GOOD_PARTS, "bom": GOOD_BOM}), encoding="utf-8")
    from_json = load_dataset(json_file=doc)
    for other in (from_xlsx, from_json):
        assert [
            (x.part_id, x.unit_value, x.origin, dict(x.elements), dict(x.attributes))
            for x in other.parts
        ] == [
            (x.part_id, x.unit_value, x.origin, dict(x.elements), dict(x.attributes))
            for x in from_csv.parts
        ]
        assert other.bom.quantity.tolist() == from_csv.bom.quantity.tolist()


def test_workbook_errors_name_sheet_and_excel_row(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "bad.xlsx", with_part(origin="XX"), GOOD_BOM)
    with pytest.raises(InputInvalid) as info:
        load_dataset(workbook=book)
    [error] = info.value.errors
    assert error.file.endswith("bad.xlsx[parts]")
    assert (error.row, error.column) == (3, "origin")


def test_workbook_without_bom_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    assert book.active is not None
    book.active.title = "parts"
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(InputInvalid, match="input error"):
        load_dataset(workbook=tmp_path / "x.xlsx")
