"""The name_v1 matcher: normalisation, scripts, legal forms, order, aliases, country, ids."""

from __future__ import annotations

import pytest

from rarex.core.matching import MATCHER, Candidate, Matcher, Query
from rarex.io.script import ChineseScript

MATCHER_V1 = Matcher(ChineseScript())


def score(a: str, b: str) -> float:
    return MATCHER_V1.match(Query(a), Candidate(b)).score


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lockheed Martin Corp.", "LOCKHEED MARTIN CORPORATION"),
        ("Martin Lockheed", "Lockheed Martin Inc"),
        (
            "\uff2c\uff4f\uff43\uff4b\uff48\uff45\uff45\uff44\u3000\uff2d\uff41\uff52\uff54\uff49\uff4e",
            "Lockheed Martin",
        ),  # full width
        ("L3Harris Technologies", "L3 Harris Technologies, Inc."),
        ("洛克希德·马丁公司", "洛克希德·馬丁公司"),
        ("中国航天科技集团有限公司", "中國航天科技集團"),
        ("Zhongguo Hangtian Keji Jituan", "中国航天科技集团"),
        ("Teledyne Brown Engineering Inc", "Teledyne Brown Engineering"),
    ],
)
def test_same_party_matches(a: str, b: str) -> None:
    assert score(a, b) >= 0.88


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Lockheed Martin", "Lockheed Aircraft Services"),
        ("Raytheon", "Lockheed Martin"),
        ("中国航天科技集团", "中国航天科工集团"),
        ("General Dynamics", "General Atomics"),
    ],
)
def test_different_parties_do_not_match(a: str, b: str) -> None:
    assert score(a, b) < 0.88


def test_aliases_count() -> None:
    candidate = Candidate("Lockheed Martin Corporation", aliases=("洛克希德·马丁公司",))
    match = MATCHER_V1.match(Query("洛克希德马丁"), candidate)
    assert match.is_match
    assert match.alias == "洛克希德·马丁公司"


def test_country_supports_or_weighs_against() -> None:
    candidate = Candidate("Novotech Inc", country="US")
    same = MATCHER_V1.match(Query("Novotech", country="US"), candidate)
    other = MATCHER_V1.match(Query("Novotech", country="AU"), candidate)
    assert same.score > other.score
    assert any(f.feature == "country" and "against" in f.how for f in other.features)


def test_identifiers_match_exactly() -> None:
    candidate = Candidate("Alpha Corp", identifiers=frozenset({"LEI:5493001KJTIIGC8Y1R12"}))
    match = MATCHER_V1.match(
        Query("Completely Different Name", identifiers=frozenset({"LEI:5493001KJTIIGC8Y1R12"})),
        candidate,
    )
    assert (match.score, match.is_match) == (1.0, True)
    assert match.features[0].feature == "identifier"


def test_explanation_says_which_token_met_which() -> None:
    match = MATCHER_V1.match(Query("Lockheed Martn Corp"), Candidate("Lockheed Martin"))
    tokens = {(f.query, f.candidate, f.how) for f in match.features if f.feature == "token"}
    assert ("lockheed", "lockheed", "exact") in tokens
    assert any(q == "martn" and c == "martin" and how.startswith("fuzzy") for q, c, how in tokens)
    assert any(f.feature == "legal_form" and f.query == "corp" for f in match.features)
    assert match.matcher == MATCHER
