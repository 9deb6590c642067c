"""Small datasets written as the user would write them, for assessment tests."""

from __future__ import annotations

import csv
from pathlib import Path

from rarex.core.parts import PART_COLUMNS, Dataset
from rarex.io.importers import load_dataset


def write_csv(path: Path, header: list[str], rows: list[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in header})
    return path


def part(part_id: str, value: object, origin: str = "", **fields: object) -> dict[str, object]:
    return {
        "part_id": part_id,
        "description": fields.pop("description", part_id),
        "unit_value": value,
        "currency": "EUR",
        "origin": origin,
        **fields,
    }


def dataset(
    tmp_path: Path, parts: list[dict[str, object]], bom: list[tuple[str, str, object]]
) -> Dataset:
    parts_csv = write_csv(tmp_path / "parts.csv", list(PART_COLUMNS), parts)
    bom_csv = write_csv(
        tmp_path / "bom.csv",
        ["parent_id", "child_id", "quantity"],
        [{"parent_id": p, "child_id": c, "quantity": q} for p, c, q in bom],
    )
    return load_dataset(parts=parts_csv, bom=bom_csv)


DY_METAL = {"form": "metal", "elements": "Dy:0.995", "control_code": "1C905.a"}
NDFEB_DY = {"form": "permanent_magnet", "elements": "Nd:0.25;Dy:0.05;Fe:0.69;B:0.01"}
SM_METAL = {"form": "metal", "elements": "Sm:0.999"}
