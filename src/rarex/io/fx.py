"""Exchange rates for assessments whose parts are priced in several currencies."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rarex.core.parts import Dataset
from rarex.io.importers import CURRENCIES, InputError, InputInvalid, read_csv


def load_rates(path: Path) -> dict[str, Decimal]:
    """``currency,rate`` rows: one unit of ``currency`` is worth ``rate`` units of the base
    currency (the one whose rate is 1)."""
    header, rows = read_csv(path)
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
            errors.append(InputError(str(path), number, "currency", f"not ISO 4217: {code!r}"))
            continue
        try:
            rate = Decimal(str(record.get("rate", "")).strip())
        except InvalidOperation:
            errors.append(InputError(str(path), number, "rate", "not a number"))
            continue
        if not (rate.is_finite() and rate > 0):
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
        parts.append(dataclasses.replace(part, unit_value=part.unit_value * rate, currency=base))
    if errors:
        raise InputInvalid(errors)
    return dataclasses.replace(dataset, parts=tuple(parts))
