"""Sales, inventory and the optional part columns: every bad value named, all at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from rarex.core.exposure import Sales, Stock
from rarex.io.commercial import load_inventory, load_sales, part_facts
from rarex.io.importers import InputError, InputInvalid
from tests.exposure_data import PARTS, company


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def errors(call: object, *args: object) -> list[InputError]:
    with pytest.raises(InputInvalid) as info:
        call(*args)  # type: ignore[operator]
    return info.value.errors


def test_sales_and_inventory_are_read(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    sales = write(
        tmp_path / "sales.csv",
        "product_id,annual_volume,annual_revenue,currency\nP,365,36500,\nQ,730,7300,USD\n",
    )
    stock = write(tmp_path / "inventory.csv", "part_id,on_hand,monthly_usage\nX,22,\nY,10,15\n")
    assert load_sales(sales, dataset) == {
        "P": Sales(365, 36500, "EUR"),  # the product's own currency when none is given
        "Q": Sales(730, 7300, "USD"),
    }
    assert load_inventory(stock, dataset) == {"X": Stock(22, None), "Y": Stock(10, 15)}


def test_every_bad_sales_row_is_reported(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    path = write(
        tmp_path / "sales.csv",
        "product_id,annual_volume,annual_revenue,currency\n"
        "NOPE,1,1,EUR\n"
        "P,-5,1,EUR\n"
        "Q,1,lots,EUR\n"
        "P,1,1,ZZZ\n"
        ",1,1,EUR\n",
    )
    found = errors(load_sales, path, dataset)
    assert [(e.row, e.column) for e in found] == [
        (2, "product_id"),
        (3, "annual_volume"),
        (4, "annual_revenue"),
        (5, "currency"),
        (6, "product_id"),
    ]
    assert "unknown part 'NOPE'" in found[0].reason
    assert all(e.file == str(path) for e in found)


def test_duplicate_and_missing_columns(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    path = write(tmp_path / "inventory.csv", "part_id,on_hand\nX,1\n")
    [missing] = errors(load_inventory, path, dataset)
    assert (missing.row, missing.column, missing.reason) == (1, "monthly_usage", "missing column")
    path = write(tmp_path / "inventory.csv", "part_id,on_hand,monthly_usage\nX,1,\nX,2,\nY,,1\n")
    duplicate, required = errors(load_inventory, path, dataset)
    assert (duplicate.row, duplicate.column) == (3, "part_id")
    assert (required.row, required.column, required.reason) == (4, "on_hand", "required")


def test_optional_part_columns_are_checked_on_the_parts_row(tmp_path: Path) -> None:
    parts: list[dict[str, object]] = [dict(p) for p in PARTS]
    parts[2]["mass_kg"] = "heavy"
    parts[0]["annual_volume"] = "10"  # revenue missing
    dataset = company(tmp_path, parts)
    found = errors(part_facts, dataset)
    assert [(e.row, e.column) for e in found] == [(2, "annual_revenue"), (4, "mass_kg")]
    assert found[1].reason == "not a number: 'heavy'"


def test_missing_file(tmp_path: Path) -> None:
    [error] = errors(load_sales, tmp_path / "none.csv", company(tmp_path))
    assert error.reason == "file not found"
