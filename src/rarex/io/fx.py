"""Exchange rates for assessments whose parts are priced in several currencies."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

from rarex.core.parts import Dataset
from rarex.io.importers import CURRENCIES, InputError, InputInvalid, read_csv
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.readers import NotANumber, decimal_of, shown


def load_rates(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> dict[str, Decimal]:
    """``currency,rate`` rows: one unit of ``currency`` is worth ``rate`` units of the base
    currency (the one whose rate is 1)."""
    header, rows = read_csv(path, limits)
    errors = [
        InputError(str(path), 1, c, "missing column")
        for c in ("currency", "rate")
        if c not in header
    ]
    if errors:
        raise InputInvalid(errors)
    rates: dict[str, Decimal] = {}
    for number, record in rows:
        code = str(record.get("currency", "")).strip().upper()
        if code not in CURRENCIES:
            errors.append(InputError(str(path), number, "currency", f"not ISO 4217: {shown(code)}"))
            continue
        try:
            rate = decimal_of(str(record.get("rate", "")).strip())
        except NotANumber as exc:
            errors.append(InputError(str(path), number, "rate", exc.reason))
            continue
        if not rate > 0:
            errors.append(InputError(str(path), number, "rate", "must be greater than 0"))
        elif code in rates:
            errors.append(InputError(str(path), number, "currency", f"{code} is given twice"))
        else:
            rates[code] = rate
    bases = [c for c, r in rates.items() if r == 1]
    if not errors and len(bases) != 1:
        errors.append(
            InputError(
                str(path),
                1,
                "rate",
                f"exactly one currency must have rate 1 (the base); found {len(bases)}",
            )
        )
    if errors:
        raise InputInvalid(errors)
    return rates


def convert(dataset: Dataset, rates: dict[str, Decimal], rates_file: str) -> Dataset:
    """The dataset with every unit value in the base currency of ``rates``."""
    base = next(c for c, r in rates.items() if r == 1)
    errors = []
    parts = []
    for part in dataset.parts:
        if part.unit_value is None or part.currency in (None, base):
            parts.append(dataclasses.replace(part, currency=base if part.currency else None))
            continue
        rate = rates.get(part.currency or "")
        if rate is None:
            errors.append(
                InputError(
                    dataset.source,
                    part.row,
                    "currency",
                    f"no exchange rate for {part.currency} in {rates_file}",
                )
            )
            continue
        try:
            value = decimal_of(str(part.unit_value * rate))
        except NotANumber as exc:
            errors.append(
                InputError(
                    dataset.source, part.row, "unit_value", f"converted to {base}: {exc.reason}"
                )
            )
            continue
        parts.append(dataclasses.replace(part, unit_value=value, currency=base))
    if errors:
        raise InputInvalid(errors)
    return dataclasses.replace(dataset, parts=tuple(parts))
