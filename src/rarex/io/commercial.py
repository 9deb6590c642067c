"""Commercial inputs of the exposure analysis: sales, stock, and the optional part columns.

``sales.csv`` (product_id, annual_volume, annual_revenue, currency) and ``inventory.csv``
(part_id, on_hand, monthly_usage) are read strictly, like the parts and BOM: every bad value
is an ``InputError`` naming file, row, column and reason, all rows are checked, and
``InputInvalid`` lists every error at once. The optional part columns ``mass_kg``,
``annual_volume``, ``annual_revenue`` and ``plant`` (see docs/input-format.md) are checked
here too, against the row of the part they came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from rarex.core.exposure import Sales, Stock
from rarex.core.parts import Dataset
from rarex.io.importers import CURRENCIES, MAX_ERRORS, InputError, InputInvalid, read_csv
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.readers import NotANumber, decimal_of, shown

SALES_COLUMNS = ("product_id", "annual_volume", "annual_revenue", "currency")
INVENTORY_COLUMNS = ("part_id", "on_hand", "monthly_usage")
MASS_COLUMN, PLANT_COLUMN = "mass_kg", "plant"
VOLUME_COLUMN, REVENUE_COLUMN = "annual_volume", "annual_revenue"


@dataclass(frozen=True)
class PartFacts:
    """What the optional part columns say: mass per unit, plant, and sales."""

    masses: Mapping[str, float]
    plants: Mapping[str, str]
    sales: Mapping[str, Sales]


class _Errors:
    def __init__(self) -> None:
        self.errors: list[InputError] = []

    def add(self, file: str, row: int, column: str, reason: str) -> None:
        if len(self.errors) <= MAX_ERRORS:
            self.errors.append(InputError(file, row, column, reason))

    def raise_if_any(self) -> None:
        if self.errors:
            truncated = len(self.errors) > MAX_ERRORS
            raise InputInvalid(self.errors[:MAX_ERRORS], truncated)

    def amount(
        self, file: str, row: int, column: str, text: str, *, required: bool
    ) -> float | None:
        """A number of 0 or more; empty is ``None`` (an error when required)."""
        text = text.strip()
        if not text:
            if required:
                self.add(file, row, column, "required")
            return None
        try:
            number = decimal_of(text)
        except NotANumber as exc:
            self.add(file, row, column, exc.reason)
            return None
        if number < 0:
            self.add(file, row, column, f"must be a finite number of 0 or more, got {shown(text)}")
            return None
        return float(number)


def part_facts(dataset: Dataset) -> PartFacts:
    """Read ``mass_kg``, ``plant``, ``annual_volume`` and ``annual_revenue`` from the parts."""
    errors = _Errors()
    masses: dict[str, float] = {}
    plants: dict[str, str] = {}
    sales: dict[str, Sales] = {}
    for part in dataset.parts:
        extra = part.extra
        mass = errors.amount(
            dataset.source, part.row, MASS_COLUMN, extra.get(MASS_COLUMN, ""), required=False
        )
        if mass is not None:
            masses[part.part_id] = mass
        if extra.get(PLANT_COLUMN, "").strip():
            plants[part.part_id] = extra[PLANT_COLUMN].strip()
        volume_text = extra.get(VOLUME_COLUMN, "")
        revenue_text = extra.get(REVENUE_COLUMN, "")
        if volume_text.strip() or revenue_text.strip():
            volume = errors.amount(
                dataset.source, part.row, VOLUME_COLUMN, volume_text, required=True
            )
            revenue = errors.amount(
                dataset.source, part.row, REVENUE_COLUMN, revenue_text, required=True
            )
            if volume is not None and revenue is not None:
                sales[part.part_id] = Sales(volume, revenue, part.currency)
    errors.raise_if_any()
    return PartFacts(masses, plants, sales)


def load_sales(
    path: Path, dataset: Dataset, limits: ImportLimits = DEFAULT_LIMITS
) -> dict[str, Sales]:
    """Annual volume and revenue per product from a sales CSV file."""
    errors = _Errors()
    out: dict[str, Sales] = {}
    for row, record in _rows(path, SALES_COLUMNS, errors, limits):
        product_id = _known_part(path, row, "product_id", record, dataset, errors)
        volume = errors.amount(
            str(path), row, "annual_volume", record.get("annual_volume", ""), required=True
        )
        revenue = errors.amount(
            str(path), row, "annual_revenue", record.get("annual_revenue", ""), required=True
        )
        currency = (record.get("currency") or "").strip().upper() or None
        if currency is not None and currency not in CURRENCIES:
            errors.add(
                str(path), row, "currency", f"not an ISO 4217 currency code: {shown(currency)}"
            )
            continue
        if product_id is None or volume is None or revenue is None:
            continue
        if product_id in out:
            errors.add(str(path), row, "product_id", f"duplicate product_id {product_id!r}")
            continue
        out[product_id] = Sales(volume, revenue, currency or dataset.part(product_id).currency)
    errors.raise_if_any()
    return out


def load_inventory(
    path: Path, dataset: Dataset, limits: ImportLimits = DEFAULT_LIMITS
) -> dict[str, Stock]:
    """Stock on hand and monthly usage per part from an inventory CSV file."""
    errors = _Errors()
    out: dict[str, Stock] = {}
    for row, record in _rows(path, INVENTORY_COLUMNS, errors, limits):
        part_id = _known_part(path, row, "part_id", record, dataset, errors)
        on_hand = errors.amount(str(path), row, "on_hand", record.get("on_hand", ""), required=True)
        usage = errors.amount(
            str(path), row, "monthly_usage", record.get("monthly_usage", ""), required=False
        )
        if part_id is None or on_hand is None:
            continue
        if part_id in out:
            errors.add(str(path), row, "part_id", f"duplicate part_id {part_id!r}")
            continue
        out[part_id] = Stock(on_hand, usage)
    errors.raise_if_any()
    return out


def _rows(
    path: Path, columns: tuple[str, ...], errors: _Errors, limits: ImportLimits
) -> Iterator[tuple[int, Mapping[str, str]]]:
    if not path.is_file():
        raise InputInvalid([InputError(str(path), 0, "", "file not found")])
    header, rows = read_csv(path, limits)
    missing = [c for c in columns if c not in header]
    for column in missing:
        errors.add(str(path), 1, column, "missing column")
    if missing:
        errors.raise_if_any()
    text: Callable[[object], str] = lambda v: "" if v is None else str(v)  # noqa: E731
    for row, record in rows:
        yield row, {k: text(v) for k, v in record.items()}


def _known_part(
    path: Path,
    row: int,
    column: str,
    record: Mapping[str, str],
    dataset: Dataset,
    errors: _Errors,
) -> str | None:
    part_id = record.get(column, "").strip()
    if not part_id:
        errors.add(str(path), row, column, "required")
        return None
    if part_id not in dataset.index:
        errors.add(str(path), row, column, f"unknown part {shown(part_id)} (not in parts)")
        return None
    return part_id
