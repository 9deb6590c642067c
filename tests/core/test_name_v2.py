"""name_v2: acronyms, abbreviations, legal forms written out, the Chinese glossary; v1 kept."""

from __future__ import annotations

import pytest

from rarex.core.matchers import MATCHERS, matcher_for
from rarex.core.matching import Candidate, Match, Query
from rarex.io.script import ChineseScript

SCRIPT = ChineseScript()
V1 = matcher_for("name_v1", SCRIPT)
V2 = matcher_for("name_v2", SCRIPT)


def match(a: str, b: str, country_a: str | None = None, country_b: str | None = None) -> Match:
    return V2.match(Query(a, country_a), Candidate(b, country=country_b))


def features(m: Match, kind: str) -> list[tuple[str, str, str]]:
    return [(f.query, f.candidate, f.how) for f in m.features if f.feature == kind]


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("IBM", "International Business Machines"),
        ("NUDT", "National University of Defense Technology"),
        ("AIDC", "Aerospace Industrial Development Corp."),
        ("I.B.M.", "International Business Machines Corporation"),
    ],
)
def test_acronyms_meet_the_words_they_spell(short: str, long: str) -> None:
    for a, b in ((short, long), (long, short)):
        m = match(a, b)
        assert m.is_match
        assert m.score == 0.9
        assert m.matcher == "name_v2"
        assert features(m, "acronym")
    assert not V1.match(Query(short), Candidate(long)).is_match


def test_an_acronym_is_review_evidence_that_a_different_country_outweighs() -> None:
    assert match("IBM", "International Business Machines", "US", "US").score == 0.92
    assert not match("IBM", "International Business Machines", "US", "DE").is_match
    assert not match("Ibm", "International Business Machines").is_match  # not written as one


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("Halifax International Security Forum", "Halifax Intl Security Forum", "abbreviation"),
        ("Neros Technologies", "Neros Tech", "abbreviation"),
        ("HENSOLDT AG", "Hensoldt Aktiengesellschaft", "legal_form"),
        ("SUBARU Corporation", "Kabushiki Kaisha SUBARU", "legal_form"),
        ("Gibbs & Cox, Inc.", "Gibbs and Cox Inc", "stopword"),
    ],
)
def test_abbreviations_and_written_out_legal_forms_are_one(a: str, b: str, kind: str) -> None:
    m = match(a, b)
    assert m.score == 1.0
    assert features(m, kind)


@pytest.mark.parametrize(
    ("chinese", "english"),
    [
        ("中国电子科技集团", "China Electronics Technology Group Corporation"),
        ("中国航空工业集团", "Aviation Industry Corporation of China"),
        ("IHI宇航株式会社", "IHI Aerospace Co., Ltd."),
        ("通用原子航空系统公司", "General Atomics Aeronautical Systems"),
    ],
)
def test_chinese_organisation_words_meet_their_english_rendering(
    chinese: str, english: str
) -> None:
    m = match(chinese, english)
    assert m.is_match
    assert features(m, "glossary")
    assert not V1.match(Query(chinese), Candidate(english)).is_match


def test_the_glossary_does_not_merge_different_groups() -> None:
    assert not match(
        "中国航天科技集团", "China Aerospace Science and Industry Corporation"
    ).is_match
    assert not match("哈德逊研究所", "Hudson Technologies Co.").is_match


def test_both_versions_stay_selectable_and_name_themselves() -> None:
    assert MATCHERS == ("name_v1", "name_v2")
    assert V1.match(Query("Lockheed Martin"), Candidate("Lockheed Martin")).matcher == "name_v1"
    assert matcher_for("name_v2", SCRIPT, 0.95).threshold == 0.95
    with pytest.raises(ValueError, match="name_v3"):
        matcher_for("name_v3", SCRIPT)
