"""Licences issued on approval: types, validity, balances, shipments and amendments.

Reg. Art. 15: a single licence covers one export to one end user and is valid for at most one
year; a general licence covers several exports to one or more end users for at most three years;
registration covers the Art. 19 cases. Reg. Art. 18: a change of a key element (item,
destination, end user, end use) needs a new application; other changes are decided within 20
working days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class LicenceType(StrEnum):
    SINGLE = "single"
    GENERAL = "general"
    REGISTRATION = "registration"


MAX_VALIDITY_YEARS: dict[LicenceType, int] = {LicenceType.SINGLE: 1, LicenceType.GENERAL: 3}

KEY_ELEMENTS = frozenset({"items", "destination", "end_user", "end_use"})  # Reg. Art. 18(2)


class LicenceRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LicenceTerms:
    licence_type: LicenceType
    valid_from: date
    valid_until: date
    quantity: Decimal
    value: Decimal
    end_users: tuple[str, ...]


@dataclass(frozen=True)
class Draw:
    """One shipment against a licence."""

    shipped_on: date
    quantity: Decimal
    value: Decimal


@dataclass(frozen=True)
class Balance:
    quantity: Decimal
    value: Decimal
    shipments: int


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def check_terms(terms: LicenceTerms) -> None:
    """Refuse terms the Regulation does not allow."""
    if terms.valid_until < terms.valid_from:
        raise LicenceRefused("invalid_validity", "the licence ends before it starts")
    limit = MAX_VALIDITY_YEARS.get(terms.licence_type)
    if limit is not None and terms.valid_until > _add_years(terms.valid_from, limit):
        raise LicenceRefused(
            "validity_too_long",
            f"a {terms.licence_type.value} licence is valid for at most {limit} year(s) "
            "(Reg. Art. 15)",
        )
    if terms.licence_type is LicenceType.SINGLE and len(terms.end_users) != 1:
        raise LicenceRefused("single_end_user", "a single licence names exactly one end user")
    if terms.quantity < 0 or terms.value < 0:
        raise LicenceRefused("negative_balance", "quantity and value must be 0 or more")


def balance(terms: LicenceTerms, draws: Iterable[Draw]) -> Balance:
    done = list(draws)
    return Balance(
        terms.quantity - sum((d.quantity for d in done), Decimal(0)),
        terms.value - sum((d.value for d in done), Decimal(0)),
        len(done),
    )


def check_draw(terms: LicenceTerms, draws: Iterable[Draw], new: Draw) -> Balance:
    """The balance after ``new``, or ``LicenceRefused`` if the licence does not cover it."""
    done = list(draws)
    if not terms.valid_from <= new.shipped_on <= terms.valid_until:
        raise LicenceRefused(
            "outside_validity",
            f"the licence is valid from {terms.valid_from} to {terms.valid_until}",
        )
    if terms.licence_type is LicenceType.SINGLE and done:
        raise LicenceRefused(
            "single_licence_used",
            "a single licence lapses once its export is made (Reg. Art. 15(2))",
        )
    if new.quantity <= 0 or new.value < 0:
        raise LicenceRefused("invalid_shipment", "a shipment has a positive quantity")
    after = balance(terms, [*done, new])
    if after.quantity < 0 or after.value < 0:
        before = balance(terms, done)
        raise LicenceRefused(
            "balance_exceeded",
            f"the shipment exceeds the balance (quantity {before.quantity}, value {before.value})",
        )
    return after


def amendment_kind(changed: Iterable[str]) -> str:
    """``new_application`` if a key element changes, else ``amendment`` (20 working days)."""
    return "new_application" if set(changed) & KEY_ELEMENTS else "amendment"
