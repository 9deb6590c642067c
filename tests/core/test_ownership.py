"""Ownership chains: direct, through owners, added over chains, with cycles ignored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rarex.core.ownership import Link, owned_by_listed

D = Decimal


def test_direct_majority_is_flagged_with_its_chain() -> None:
    [flag] = owned_by_listed(
        "Sub GmbH", [Link("Listed Corp", "Sub GmbH", D("0.5"))], ["Listed Corp"]
    )
    assert (flag.listed_owner, flag.share) == ("Listed Corp", D("0.5"))
    assert str(flag.chains[0]) == "Listed Corp → Sub GmbH (50.00%)"


def test_below_half_is_not_flagged() -> None:
    assert owned_by_listed("Sub", [Link("L", "Sub", D("0.499"))], ["L"]) == []


def test_shares_multiply_along_a_chain() -> None:
    links = [Link("L", "Mid", D("0.8")), Link("Mid", "Sub", D("0.7"))]
    [flag] = owned_by_listed("Sub", links, ["L"])
    assert flag.share == D("0.56")
    assert flag.chains[0].parties == ("L", "Mid", "Sub")
    links[1] = Link("Mid", "Sub", D("0.6"))
    assert owned_by_listed("Sub", links, ["L"]) == []  # 48 %


def test_separate_chains_add_up() -> None:
    links = [Link("L", "Sub", D("0.3")), Link("L", "Mid", D("0.4")), Link("Mid", "Sub", D("1"))]
    [flag] = owned_by_listed("Sub", links, ["L"])
    assert flag.share == D("0.7")
    assert len(flag.chains) == 2


def test_cycles_are_not_followed() -> None:
    links = [Link("A", "B", D("0.6")), Link("B", "A", D("0.6")), Link("B", "Sub", D("0.9"))]
    [flag] = owned_by_listed("Sub", links, ["A"])
    assert flag.share == D("0.54")


def test_share_must_be_a_fraction() -> None:
    with pytest.raises(ValueError, match="not in"):
        Link("A", "B", D("1.5"))
