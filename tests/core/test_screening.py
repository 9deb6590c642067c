"""Screening as of a date: listings in and out of force, imported entries governed by the
rulebook's listings, Chinese and pinyin names, legal forms, ownership chains, decisions that
suppress false positives until the entry changes, and what a re-screening reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from rarex.core.matching import Matcher
from rarex.core.ownership import Link
from rarex.core.rulebook import RuleBook
from rarex.core.screening import (
    Decision,
    HitRecord,
    ListedParty,
    PartyQuery,
    Screener,
    Verdict,
    changes_between,
    governing_limb,
    rulebook_parties,
)
from rarex.core.vocab import Status
from rarex.io.rule_loader import load_rules
from rarex.io.script import ChineseScript


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return load_rules().rulebook


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(ChineseScript())


def custom(name: str, list_id: str = "CN-WATCH-LIST", **extra: object) -> ListedParty:
    fields: dict[str, object] = {
        "key": f"custom:{list_id}:{name}",
        "source": "custom",
        "list_id": list_id,
        "name": name,
        "start": date(2025, 1, 1),
        **extra,
    }
    return ListedParty(**fields)  # type: ignore[arg-type]


def test_lockheed_is_a_control_list_hit_from_its_listing_day_only(
    rulebook: RuleBook, matcher: Matcher
) -> None:
    screener = Screener.build(matcher, rulebook_parties(rulebook))
    query = PartyQuery("Lockheed Martin Corporation")
    after = screener.screen(query, rulebook.at(date(2025, 2, 1)))
    assert [h.party.limb for h in after.hits] == ["CN-CONTROL-LIST/ann-1-2025"]
    assert after.hits[0].status is Status.IN_FORCE
    assert any(
        f.feature == "legal_form" and f.query == "corporation" for f in after.hits[0].match.features
    )
    before = screener.screen(query, rulebook.at(date(2024, 12, 1)))
    assert before.hits == ()
    assert [h.status for h in before.inactive] == [Status.NOT_YET_IN_FORCE]


def test_unrelated_company_is_not_a_hit(rulebook: RuleBook, matcher: Matcher) -> None:
    screener = Screener.build(matcher, rulebook_parties(rulebook))
    result = screener.screen(PartyQuery("Siemens Energy AG"), rulebook.at(date(2026, 1, 1)))
    assert result.hits == () and result.inactive == ()


def test_imported_entry_follows_the_rulebook_listing_of_its_day(rulebook: RuleBook) -> None:
    # an imported Control List entry of 2025-01-02 is governed by Ann. 1/2025
    assert governing_limb(rulebook, "CN-CONTROL-LIST", date(2025, 1, 2), "") == (
        "CN-CONTROL-LIST/ann-1-2025"
    )
    assert governing_limb(rulebook, "CN-CONTROL-LIST", date(2019, 5, 5), "") is None
    assert governing_limb(rulebook, "NOT-A-LIST", date(2025, 1, 2), "") is None


def test_imported_entry_status_by_its_own_dates(rulebook: RuleBook, matcher: Matcher) -> None:
    entry = custom("Example Dynamics", end=date(2026, 3, 1))
    screener = Screener.build(matcher, [entry])
    query = PartyQuery("EXAMPLE DYNAMICS, INC.")
    assert screener.screen(query, rulebook.at(date(2024, 6, 1))).inactive[0].status is (
        Status.NOT_YET_IN_FORCE
    )
    assert screener.screen(query, rulebook.at(date(2025, 6, 1))).hits[0].status is Status.IN_FORCE
    ended = screener.screen(query, rulebook.at(date(2026, 3, 1)))
    assert ended.hits == () and ended.inactive[0].status is Status.EXPIRED


def test_chinese_traditional_and_pinyin_names_meet(rulebook: RuleBook, matcher: Matcher) -> None:
    entry = custom("Beijing Zhongke Photonics", aliases=("北京中科光电有限公司",), country="CN")
    screener = Screener.build(matcher, [entry])
    snapshot = rulebook.at(date(2026, 1, 1))
    traditional = screener.screen(PartyQuery("北京中科光電有限公司"), snapshot)
    assert traditional.hits and traditional.hits[0].match.score == 1.0
    assert any("simplified" in f.how for f in traditional.hits[0].match.features)
    pinyin = screener.screen(PartyQuery("Beijing Zhongke Guangdian Co., Ltd."), snapshot)
    assert pinyin.hits, "pinyin of the Chinese alias meets the romanised name"


def test_false_positive_is_suppressed_until_the_entry_changes(
    rulebook: RuleBook, matcher: Matcher
) -> None:
    entry = custom("Nova Tech Systems")
    snapshot = rulebook.at(date(2026, 1, 1))
    query = PartyQuery("Nova Tech Systems Ltd")
    first = Screener.build(matcher, [entry]).screen(query, snapshot)
    assert len(first.open_hits) == 1
    decision = Decision(entry.key, entry.fingerprint, Verdict.FALSE_POSITIVE, "different firm")
    again = Screener.build(matcher, [entry]).screen(query, snapshot, {entry.key: decision})
    assert again.hits[0].suppressed and again.open_hits == ()
    changed = replace(entry, aliases=("Nova Technology Systems",))
    assert changed.fingerprint != entry.fingerprint
    after_change = Screener.build(matcher, [changed]).screen(query, snapshot, {entry.key: decision})
    assert len(after_change.open_hits) == 1
    assert after_change.hits[0].stale_decision == decision


def test_subsidiary_owned_through_a_chain_is_flagged(rulebook: RuleBook, matcher: Matcher) -> None:
    parent = custom("Listed Parent Industries", list_id="CN-CONTROL-LIST")
    links = [
        Link("Listed Parent Industries Corp.", "Holding BV", Decimal("0.9")),
        Link("Holding BV", "Target Components GmbH", Decimal("0.6")),
        Link("Holding BV", "Minor Stake Ltd", Decimal("0.4")),
    ]
    screener = Screener.build(matcher, [parent])
    snapshot = rulebook.at(date(2026, 1, 1))
    results = screener.screen_many(
        [PartyQuery("Target Components GmbH"), PartyQuery("Minor Stake Ltd")], snapshot, None, links
    )
    target, minor = results
    assert target.hits == ()
    assert [f.listed_owner for f in target.ownership] == ["Listed Parent Industries Corp."]
    assert target.ownership[0].share == Decimal("0.54")
    assert " → ".join(target.ownership[0].chains[0].parties).startswith("Listed Parent")
    assert minor.ownership == ()  # 0.9 x 0.4 = 36 %
    single = screener.screen(PartyQuery("Target Components GmbH"), snapshot, links=links)
    assert single.ownership == target.ownership


def test_owner_on_the_unreliable_entity_list_does_not_extend_to_subsidiaries(
    rulebook: RuleBook, matcher: Matcher
) -> None:
    owner = custom("Unreliable Parent Inc", list_id="CN-UNRELIABLE-ENTITY-LIST")
    links = [Link("Unreliable Parent Inc", "Daughter Ltd", Decimal("1"))]
    result = Screener.build(matcher, [owner]).screen(
        PartyQuery("Daughter Ltd"), rulebook.at(date(2026, 1, 1)), links=links
    )
    assert result.ownership == ()


def test_rescreen_changes_are_reported() -> None:
    before = [
        HitRecord("a", "f1", "CN-CONTROL-LIST", "in_force", 0.95, False),
        HitRecord("b", "f2", "CN-WATCH-LIST", "in_force", 0.9, True),
        HitRecord("c", "f3", "CN-WATCH-LIST", "in_force", 0.9, False),
    ]
    after = [
        HitRecord("a", "f1", "CN-CONTROL-LIST", "suspended", 0.95, False),
        HitRecord("b", "f9", "CN-WATCH-LIST", "in_force", 0.9, False),
        HitRecord("d", "f4", "CN-UNRELIABLE-ENTITY-LIST", "in_force", 0.99, False),
    ]
    kinds = {(c.entry_key, c.kind) for c in changes_between("P", before, after)}
    assert kinds == {
        ("a", "status_changed"),
        ("b", "entry_changed"),
        ("b", "decision_lapsed"),
        ("c", "hit_gone"),
        ("d", "new_hit"),
    }


def test_an_entry_whose_listing_left_the_rulebook_falls_back_on_its_own_dates(
    rulebook: RuleBook, matcher: Matcher
) -> None:
    entry = custom("Vanished Listing Corp", list_id="CN-CONTROL-LIST", limb="CN-CONTROL-LIST/gone")
    result = Screener.build(matcher, [entry]).screen(
        PartyQuery("Vanished Listing Corp"), rulebook.at(date(2026, 1, 1))
    )
    assert result.hits[0].status is Status.IN_FORCE
    assert "imported list" in result.hits[0].status_reason


def test_ownership_flag_says_how_firm_the_rule_is_on_the_day(
    rulebook: RuleBook, matcher: Matcher
) -> None:
    parent = custom("Listed Parent Industries", list_id="CN-CONTROL-LIST")
    links = [Link("Listed Parent Industries", "Daughter GmbH", Decimal("0.8"))]
    screener = Screener.build(matcher, [parent])
    during = screener.screen(
        PartyQuery("Daughter GmbH"), rulebook.at(date(2026, 1, 1)), links=links
    )
    assert during.owner_status == {"Listed Parent Industries": Status.IN_FORCE}
    assert "CN-2025-61 is suspended" in during.ownership_basis
    after = screener.screen(
        PartyQuery("Daughter GmbH"), rulebook.at(date(2026, 11, 22)), links=links
    )
    assert "CN-2025-61 is uncertain" in after.ownership_basis
