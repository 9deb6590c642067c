"""Read parts and BOMs from CSV, an Excel workbook or JSON, strictly.

Every malformed value becomes an ``InputError`` that names the file, the row, the column and
the reason; all rows are checked before anything is returned, and ``InputInvalid`` is raised
if any of them failed, so nothing is assessed from input that failed validation.
Rows are numbered as the user sees them: the header is row 1 of a CSV file or sheet, and a
JSON record is numbered from 1 in its array.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from sys import intern
from types import MappingProxyType
from typing import Any

import numpy as np
import pycountry

from rarex.core.bom import Bom, BomCycle
from rarex.core.parts import (
    ATTRIBUTE_KEYS,
    BOM_COLUMNS,
    CATEGORICAL_ATTRIBUTES,
    PART_COLUMNS,
    Dataset,
    Part,
)
from rarex.core.vocab import ELEMENT_SYMBOLS, Form
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.readers import (
    MAX_ERRORS,
    Collector,
    InputError,
    InputInvalid,
    NotANumber,
    Row,
    Workbook,
    decimal_of,
    json_rows,
    read_csv,
    read_json_document,
)

__all__ = [
    "COUNTRIES",
    "CURRENCIES",
    "MAX_ERRORS",
    "InputError",
    "InputInvalid",
    "Row",
    "build_dataset",
    "load_dataset",
    "read_csv",
]

FRACTION_TOLERANCE = Decimal("1e-9")
COUNTRIES: frozenset[str] = frozenset(c.alpha_2 for c in pycountry.countries)
CURRENCIES: frozenset[str] = frozenset(c.alpha_3 for c in pycountry.currencies)
FORMS: frozenset[str] = frozenset(f.value for f in Form)

EMPTY: Mapping[str, Any] = MappingProxyType({})  # shared by every row without extra data


def read_json_records(
    path: Path, key: str, limits: ImportLimits = DEFAULT_LIMITS
) -> tuple[list[str], Iterator[Row]]:
    """The records under ``key`` of a JSON document ``{"parts": [...], "bom": [...]}``."""
    document = read_json_document(path, limits)
    records = document.get(key) if isinstance(document, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise InputInvalid([InputError(str(path), 1, key, "expected a list of objects")])
    errors = Collector()
    rows = json_rows(f"{path}:{key}", records, limits, errors)
    errors.raise_if_any()
    # JSON objects may leave out empty fields: an absent key reads as an empty value.
    header = sorted(
        {k for _, record in rows for k in record} | set(PART_COLUMNS) | set(BOM_COLUMNS)
    )
    return header, iter(rows)


# ---------------------------------------------------------------- the dataset


def load_dataset(
    *,
    parts: Path | None = None,
    bom: Path | None = None,
    workbook: Path | None = None,
    json_file: Path | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> Dataset:
    """Read and validate a dataset from CSV files, a workbook or a JSON file, within
    ``limits`` (the entry points pass the ``Settings``' ones)."""
    for path in (parts, bom, workbook, json_file):
        if path is not None and not path.is_file():
            raise InputInvalid([InputError(str(path), 0, "", "file not found")])
    if workbook is not None:
        with Workbook(workbook, limits) as book:
            parts_file, bom_file = f"{workbook}[parts]", f"{workbook}[bom]"
            return build_dataset(
                (parts_file, *book.sheet("parts", parts_file)),
                (bom_file, *book.sheet("bom", bom_file)),
                source=parts_file,
            )
    if json_file is not None:
        parts_src = (str(json_file) + ":parts", *read_json_records(json_file, "parts", limits))
        bom_src = (str(json_file) + ":bom", *read_json_records(json_file, "bom", limits))
    elif parts is not None:
        parts_src = (str(parts), *read_csv(parts, limits))
        bom_src = (str(bom), *read_csv(bom, limits)) if bom is not None else ("", [], iter(()))
    else:
        raise ValueError("give parts (and bom) CSV files, a workbook or a JSON file")
    return build_dataset(parts_src, bom_src, source=parts_src[0])


def build_dataset(
    parts_src: tuple[str, list[str], Iterable[Row]],
    bom_src: tuple[str, list[str], Iterable[Row]],
    source: str,
) -> Dataset:
    errors = Collector()
    parts_file, parts_header, parts_rows = parts_src
    bom_file, bom_header, bom_rows = bom_src
    _check_header(parts_file, parts_header, PART_COLUMNS, errors)
    if bom_file:
        _check_header(bom_file, bom_header, BOM_COLUMNS, errors)
    errors.raise_if_any()

    parsed = _PartParser(parts_file, errors)
    part_list: list[Part] = []
    index: dict[str, int] = {}
    refused: set[str] = set()  # ids of rows already reported, so the BOM does not repeat them
    for number, record in parts_rows:
        part = parsed.parse(number, record)
        if part is None:
            refused.add(_text(record.get("part_id")))
            continue
        if part.part_id in index:
            first = part_list[index[part.part_id]].row
            errors.add(
                parts_file,
                number,
                "part_id",
                f"duplicate part_id {part.part_id!r} (first on row {first})",
            )
            continue
        index[part.part_id] = len(part_list)
        part_list.append(part)

    parents: list[int] = []
    children: list[int] = []
    quantities: list[float] = []
    rows: list[int] = []
    for number, record in bom_rows:
        ids = []
        for column in ("parent_id", "child_id"):
            value = _text(record.get(column))
            if not value:
                errors.add(bom_file, number, column, "required")
            elif value in refused and value not in index:
                continue
            elif value not in index:
                errors.add(bom_file, number, column, f"unknown part {value!r} (not in parts)")
            else:
                ids.append(index[value])
        quantity = _number(bom_file, number, "quantity", record.get("quantity"), errors)
        if quantity is not None and not quantity > 0:
            errors.add(bom_file, number, "quantity", f"must be greater than 0, got {quantity}")
            quantity = None
        if len(ids) == 2 and quantity is not None:
            parents.append(ids[0])
            children.append(ids[1])
            quantities.append(float(quantity))
            rows.append(number)
    errors.raise_if_any()
    if not part_list:
        raise InputInvalid([InputError(parts_file, 1, "", "no parts")])

    try:
        graph = Bom.build(
            len(part_list),
            np.array(parents, dtype=np.int64),
            np.array(children, dtype=np.int64),
            np.array(quantities, dtype=np.float64),
        )
    except BomCycle as cycle:
        names = [part_list[i].part_id for i in cycle.path]
        closing = _edge_row(cycle.path[-2], cycle.path[-1], parents, children, rows)
        raise InputInvalid(
            [InputError(bom_file, closing, "child_id", "cycle: " + " → ".join(names))]
        ) from None
    return Dataset(source, tuple(part_list), index, graph, tuple(rows))


def _edge_row(p: int, c: int, parents: list[int], children: list[int], rows: list[int]) -> int:
    for i, (pp, cc) in enumerate(zip(parents, children, strict=True)):
        if pp == p and cc == c:
            return rows[i]
    return 0


def _check_header(
    file: str, header: list[str], required: tuple[str, ...], errors: Collector
) -> None:
    for column in required:
        if column not in header:
            errors.add(file, 1, column, "missing column")


# ---------------------------------------------------------------- values


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(file: str, row: int, column: str, value: Any, errors: Collector) -> Decimal | None:
    text = _text(value)
    if not text:
        errors.add(file, row, column, "required")
        return None
    try:
        return decimal_of(text)
    except NotANumber as exc:
        errors.add(file, row, column, exc.reason)
        return None


class _PartParser:
    """Parses part rows, interning the repeated element and attribute strings."""

    def __init__(self, file: str, errors: Collector) -> None:
        self.file = file
        self.errors = errors
        self._elements: dict[str, Mapping[str, Decimal] | None] = {}
        self._attributes: dict[str, Mapping[str, Decimal | str] | None] = {}

    def error(self, row: int, column: str, reason: str) -> None:
        self.errors.add(self.file, row, column, reason)

    def parse(self, row: int, record: Mapping[str, Any]) -> Part | None:
        before = len(self.errors.errors)
        part_id = _text(record.get("part_id"))
        if not part_id:
            self.error(row, "part_id", "required")
        unit_value: Decimal | None = None
        if _text(record.get("unit_value")):
            unit_value = _number(
                self.file, row, "unit_value", record.get("unit_value"), self.errors
            )
            if unit_value is not None and unit_value < 0:
                self.error(row, "unit_value", f"must be 0 or more, got {unit_value}")
        currency = intern(_text(record.get("currency")).upper()) or None
        if currency is not None and currency not in CURRENCIES:
            self.error(row, "currency", f"not an ISO 4217 currency code: {currency!r}")
        origin = self._country(row, "origin", record.get("origin"))
        tech_origin = self._country(row, "tech_origin", record.get("tech_origin"))
        form_text = _text(record.get("form")).lower()
        if form_text and form_text not in FORMS:
            self.error(
                row, "form", f"unknown form {form_text!r} (one of {', '.join(sorted(FORMS))})"
            )
        hs_code = _text(record.get("hs_code")).replace(".", "").replace(" ", "") or None
        if hs_code is not None and not (hs_code.isdigit() and len(hs_code) in (6, 8, 10)):
            self.error(row, "hs_code", f"expected 6, 8 or 10 digits, got {hs_code!r}")
        elements = self._parse_elements(row, _text(record.get("elements")))
        attributes = self._parse_attributes(row, _text(record.get("attributes")))
        if len(self.errors.errors) > before or self.errors.truncated:
            return None
        extra = {k: intern(_text(v)) for k, v in record.items() if k not in PART_COLUMNS and k}
        return Part(
            part_id=part_id,
            description=intern(_text(record.get("description"))),
            unit_value=unit_value,
            currency=currency,
            origin=origin,
            control_code=_text(record.get("control_code")) or None,
            hs_code=hs_code,
            form=Form(form_text) if form_text else None,
            elements=elements if elements is not None else EMPTY,
            attributes=attributes if attributes is not None else EMPTY,
            tech_origin=tech_origin,
            row=row,
            extra=extra or EMPTY,
        )

    def _country(self, row: int, column: str, value: Any) -> str | None:
        text = _text(value).upper()
        if not text:
            return None
        if text not in COUNTRIES:
            self.error(row, column, f"not an ISO 3166-1 alpha-2 country code: {text!r}")
            return None
        return intern(text)

    def _parse_elements(self, row: int, text: str) -> Mapping[str, Decimal] | None:
        if text in self._elements:
            cached = self._elements[text]
            if cached is None:
                self.error(row, "elements", "invalid (see the first row with the same value)")
            return cached
        result: dict[str, Decimal] = {}
        ok = True
        for chunk in filter(None, (c.strip() for c in text.split(";"))):
            symbol, sep, fraction = (p.strip() for p in chunk.partition(":"))
            if not sep:
                self.error(row, "elements", f"{chunk!r}: expected SYMBOL:FRACTION")
                ok = False
                continue
            if symbol not in ELEMENT_SYMBOLS:
                self.error(row, "elements", f"unknown element symbol {symbol!r}")
                ok = False
                continue
            try:
                value = decimal_of(fraction)
            except NotANumber as exc:
                self.error(row, "elements", f"{symbol}: {exc.reason}")
                ok = False
                continue
            if not 0 <= value <= 1:
                self.error(row, "elements", f"{symbol}: mass fraction {fraction} is outside 0-1")
                ok = False
            elif symbol in result:
                self.error(row, "elements", f"{symbol} is given twice")
                ok = False
            result[symbol] = value
        if ok and sum(result.values(), Decimal(0)) > 1 + FRACTION_TOLERANCE:
            total = sum(result.values(), Decimal(0))
            self.error(row, "elements", f"mass fractions sum to {total}, more than 1")
            ok = False
        self._elements[text] = result if ok else None
        return result if ok else None

    def _parse_attributes(self, row: int, text: str) -> Mapping[str, Decimal | str] | None:
        if text in self._attributes:
            cached = self._attributes[text]
            if cached is None:
                self.error(row, "attributes", "invalid (see the first row with the same value)")
            return cached
        result: dict[str, Decimal | str] = {}
        ok = True
        for chunk in filter(None, (c.strip() for c in text.split(";"))):
            key, sep, value = (p.strip() for p in chunk.partition("="))
            if not sep:
                self.error(row, "attributes", f"{chunk!r}: expected KEY=VALUE")
                ok = False
            elif key not in ATTRIBUTE_KEYS or key == "mass_fraction_pct":
                self.error(
                    row, "attributes", f"unknown attribute {key!r} (see docs/input-format.md)"
                )
                ok = False
            elif key in CATEGORICAL_ATTRIBUTES:
                if value not in CATEGORICAL_ATTRIBUTES[key]:
                    allowed = ", ".join(sorted(CATEGORICAL_ATTRIBUTES[key]))
                    self.error(row, "attributes", f"{key}: {value!r} is not one of {allowed}")
                    ok = False
                else:
                    result[key] = value
            else:
                try:
                    result[key] = decimal_of(value)
                except NotANumber as exc:
                    self.error(row, "attributes", f"{key}: {exc.reason}")
                    ok = False
        self._attributes[text] = result if ok else None
        return result if ok else None
