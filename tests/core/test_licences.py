"""Licence terms, balances drawn down by shipments, and amendments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rarex.core.licences import (
    Draw,
    LicenceRefused,
    LicenceTerms,
    LicenceType,
    amendment_kind,
    check_draw,
    check_terms,
)

D = date.fromisoformat


def terms(
    kind: LicenceType = LicenceType.GENERAL,
    until: str = "2027-06-30",
    end_users: tuple[str, ...] = ("A", "B"),
) -> LicenceTerms:
    return LicenceTerms(
        kind, D("2026-07-01"), D(until), Decimal("100"), Decimal("50000"), end_users
    )


@pytest.mark.parametrize(
    ("kind", "until", "users", "code"),
    [
        (LicenceType.SINGLE, "2027-07-02", ("A",), "validity_too_long"),
        (LicenceType.GENERAL, "2029-07-02", ("A",), "validity_too_long"),
        (LicenceType.SINGLE, "2027-01-01", ("A", "B"), "single_end_user"),
        (LicenceType.GENERAL, "2026-06-30", ("A",), "invalid_validity"),
    ],
)
def test_terms_the_regulation_does_not_allow(
    kind: LicenceType, until: str, users: tuple[str, ...], code: str
) -> None:
    with pytest.raises(LicenceRefused) as info:
        check_terms(terms(kind, until, users))
    assert info.value.code == code


def test_longest_allowed_terms() -> None:
    check_terms(terms(LicenceType.SINGLE, "2027-07-01", ("A",)))
    check_terms(terms(LicenceType.GENERAL, "2029-07-01"))


def test_shipments_draw_down_the_balance() -> None:
    t = terms()
    first = Draw(D("2026-08-01"), Decimal("60"), Decimal("30000"))
    after = check_draw(t, [], first)
    assert (after.quantity, after.value, after.shipments) == (Decimal(40), Decimal(20000), 1)
    with pytest.raises(LicenceRefused) as info:
        check_draw(t, [first], Draw(D("2026-09-01"), Decimal("41"), Decimal("1")))
    assert info.value.code == "balance_exceeded"


def test_shipment_outside_validity_or_after_single_use() -> None:
    with pytest.raises(LicenceRefused) as info:
        check_draw(terms(), [], Draw(D("2027-07-01"), Decimal("1"), Decimal("1")))
    assert info.value.code == "outside_validity"
    single = terms(LicenceType.SINGLE, "2027-01-01", ("A",))
    used = [Draw(D("2026-08-01"), Decimal("1"), Decimal("1"))]
    with pytest.raises(LicenceRefused) as info:
        check_draw(single, used, Draw(D("2026-08-02"), Decimal("1"), Decimal("1")))
    assert info.value.code == "single_licence_used"


def test_key_changes_need_a_new_application() -> None:
    assert amendment_kind(["end_user"]) == "new_application"
    assert amendment_kind(["consignee_address", "quantity_unit"]) == "amendment"
