"""A small company for the exposure tests, with numbers that can be checked by hand.

P (a product) holds 2 x A, and A holds 0.1 kg of X (Chinese Dy metal, 50 EUR/kg); P also
holds 0.5 kg of Y (Chinese Sm metal, 20 EUR/kg, mass not given) and one G (a Chinese
controlled assembly, 10 EUR, 2 kg) that itself holds 3 kg of X. Q (another product) holds
1 kg of X. X, Y and G need a licence; G is not descended into.
"""

from __future__ import annotations

from pathlib import Path

from rarex.core.exposure import Gate
from rarex.core.parts import PART_COLUMNS, Dataset
from rarex.io.importers import load_dataset
from tests.assessment_data import write_csv

PARTS = [
    {"part_id": "P", "unit_value": "100", "origin": "DE", "plant": "Bonn"},
    {"part_id": "A", "unit_value": "30", "origin": "DE"},
    {"part_id": "X", "unit_value": "50", "origin": "CN", "elements": "Dy:0.995", "mass_kg": "1"},
    {"part_id": "Y", "unit_value": "20", "origin": "CN", "elements": "Sm:0.999"},
    {"part_id": "G", "unit_value": "10", "origin": "CN", "mass_kg": "2"},
    {"part_id": "Q", "unit_value": "40", "origin": "DE", "plant": "Bonn"},
]
BOM = [("P", "A", 2), ("A", "X", 0.1), ("P", "Y", 0.5), ("P", "G", 1), ("G", "X", 3), ("Q", "X", 1)]
GATES = {
    "X": Gate("X", "licence_required", ("CN-2025-18/main",), ("CN-2025-18/dy-metal",), ("Dy",)),
    "Y": Gate("Y", "licence_required", ("CN-2025-18/main",), ("CN-2025-18/sm-metal",), ("Sm",)),
    "G": Gate("G", "licence_required", ("CN-2025-18/main",)),
}


def company(tmp_path: Path, parts: list[dict[str, object]] | None = None) -> Dataset:
    rows = [{"currency": "EUR", "description": p["part_id"], **p} for p in parts or PARTS]
    header = [*PART_COLUMNS, "plant", "mass_kg", "annual_volume", "annual_revenue"]
    parts_csv = write_csv(tmp_path / "parts.csv", header, rows)
    bom_csv = write_csv(
        tmp_path / "bom.csv",
        ["parent_id", "child_id", "quantity"],
        [{"parent_id": p, "child_id": c, "quantity": q} for p, c, q in BOM],
    )
    return load_dataset(parts=parts_csv, bom=bom_csv)
