"""The acceptance checks of the rulebook, on the bundled rules."""

from __future__ import annotations

from datetime import date

import pytest

from rarex.core.rulebook import RuleBook
from rarex.core.vocab import Status
from rarex.io.rule_loader import load_rules


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return load_rules().rulebook


ANNOUNCEMENTS = [
    "CN-2023-23",
    "CN-2023-39",
    "CN-2024-33",
    "CN-2024-46",
    "CN-2024-51",
    "CN-2025-10",
    "CN-2025-18",
    "CN-2025-55",
    "CN-2025-56",
    "CN-2025-57",
    "CN-2025-58",
    "CN-2025-61",
    "CN-2025-62",
    "CN-2025-70",
    "CN-2025-72",
    "CN-2026-1",
    "CN-2024-65",
    "CN-2025-89",
    "CN-2025-68",
]
NAMED = [
    "CN-DUAL-USE-REGULATION",
    "CN-EXPORT-CONTROL-LAW",
    "CN-TECH-CATALOGUE-2023",
    "CN-CONTROL-LIST",
    "CN-WATCH-LIST",
    "CN-UNRELIABLE-ENTITY-LIST",
]
REQUIRED_IDS = ANNOUNCEMENTS + NAMED


def test_every_required_instrument_is_there(rulebook: RuleBook) -> None:
    missing = [i for i in REQUIRED_IDS if i not in rulebook.instruments]
    assert not missing
    assert any(i.startswith("US-") for i in rulebook.instruments)


def test_cn_2025_61_is_uncertain_after_its_suspension(rulebook: RuleBook) -> None:
    assert rulebook.at(date(2026, 11, 22)).status("CN-2025-61") is Status.UNCERTAIN


def test_cn_2025_18_is_in_force(rulebook: RuleBook) -> None:
    assert rulebook.at(date(2026, 11, 22)).status("CN-2025-18") is Status.IN_FORCE


def test_cn_2025_58_is_suspended_on_2025_11_10(rulebook: RuleBook) -> None:
    assert rulebook.at(date(2025, 11, 10)).status("CN-2025-58") is Status.SUSPENDED


def test_cn_2024_46_clause_split_on_new_year_2026(rulebook: RuleBook) -> None:
    snapshot = rulebook.at(date(2026, 1, 1))
    assert snapshot.status("CN-2024-46") is Status.IN_FORCE
    assert snapshot.status("CN-2024-46/cl1") is Status.IN_FORCE
    assert snapshot.status("CN-2024-46/cl2") is Status.SUSPENDED


def test_no_placeholder_is_left(rulebook: RuleBook) -> None:
    assert not [i.id for i in rulebook.instruments.values() if "Placeholder" in i.title.en]


def test_an_answer_on_an_unverified_fact_says_so(rulebook: RuleBook) -> None:
    """On the stated last day of the Ann. 70 suspension, the answer rests on its unverified
    inclusive reading, and the status reports that."""
    limb = rulebook.at(date(2026, 11, 10)).limb("CN-2025-61/cl1.1")
    assert limb.status is Status.SUSPENDED
    assert any("inclusive" in b.description for b in limb.unverified)
