"""Importers of party lists: cn_sanctions CSV, custom CSV and FollowTheMoney JSON lines."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from rarex.core.matching import Candidate, Matcher, Query
from rarex.core.screening import governing_limb
from rarex.io.importers import InputInvalid
from rarex.io.party_lists import ListEntry, read_cn_sanctions, read_custom_csv, read_ftm_jsonl
from rarex.io.rule_loader import load_rules
from rarex.io.script import ChineseScript

# The project's own sample in the cn_sanctions layout (see tests/data/CN_SANCTIONS_SAMPLE.md).
CN_SANCTIONS_SAMPLE = Path(__file__).parents[1] / "data" / "cn_sanctions_sample.csv"
# The public data set, present only when the shared data sits beside the clone.
CN_SANCTIONS = Path(__file__).parents[3] / "shared" / "data" / "cn_sanctions" / "sanctions.csv"
NOT_BESIDE = (
    "the public cn_sanctions data set is not beside the clone (../shared/data/cn_sanctions)"
)
ANN_1_2025 = (
    "https://www.mofcom.gov.cn/zcfb/blgg/gg/2025nswbgg/art/2025/"
    "art_9b966e20a6934cc6b4fa2cf777626854.html"
)


def lockheed_on_the_control_list(entries: list[ListEntry]) -> ListEntry:
    lockheed = [
        e
        for e in entries
        if e.name.startswith("Lockheed Martin Corporation") and e.list_id == "CN-CONTROL-LIST"
    ]
    assert lockheed
    return lockheed[0]


def meets_the_traditional_chinese_name(entry: ListEntry) -> bool:
    candidate = Candidate(entry.name, entry.aliases, entry.country)
    return Matcher(ChineseScript()).match(Query("洛克希德·馬丁公司"), candidate).is_match


def test_cn_sanctions_sample_export_control_lists() -> None:
    entries = read_cn_sanctions(CN_SANCTIONS_SAMPLE)
    assert Counter(e.list_id for e in entries) == {
        "CN-CONTROL-LIST": 6,
        "CN-WATCH-LIST": 1,
        "CN-UNRELIABLE-ENTITY-LIST": 5,
    }
    # Row 14 is an Anti-Foreign Sanctions Law countermeasure: outside export control.
    assert [e.row for e in entries] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert "Anduril Industries" not in {e.name for e in entries}

    lockheed = lockheed_on_the_control_list(entries)
    assert (lockheed.row, lockheed.start, lockheed.end) == (2, date(2025, 1, 2), None)
    assert lockheed.aliases == ("洛克希德·马丁公司",)
    assert (lockheed.country, lockheed.source) == ("US", ANN_1_2025)
    assert meets_the_traditional_chinese_name(lockheed)

    by_name = {e.name: e for e in entries}
    assert by_name["TechInsights"].start == date(2025, 10, 9)  # written 09.10.25
    assert (by_name["TechInsights"].country, by_name["TechInsights"].aliases) == (None, ())
    assert (by_name["Leidos"].start, by_name["Leidos"].end) == (
        date(2025, 3, 4),
        date(2025, 11, 10),
    )
    assert by_name["Mitsubishi Heavy Industries Ltd."].country == "JP"  # written "Japan"
    assert by_name["Subaru Corp."].country == "JP"  # written "JP"
    assert by_name["Subaru Corp."].list_id == "CN-WATCH-LIST"

    # The file mixes LF and CRLF line endings, like the public one (the Lockheed row ends in
    # CRLF, the header in LF); the rows are counted right above, and no value keeps a CR.
    raw = CN_SANCTIONS_SAMPLE.read_bytes()
    assert raw.count(b"\r\n") == 6 and raw.count(b"\n") == 14
    lines = raw.split(b"\n")
    assert not lines[0].endswith(b"\r") and lines[1].endswith(b"\r")
    assert not any(
        "\r" in text for e in entries for text in (e.name, e.source, *e.aliases, e.country or "")
    )


def test_cn_sanctions_sample_rows_follow_the_rulebook() -> None:
    """Every sample row cites the notice of a rulebook listing and keeps its listing date."""
    rulebook = load_rules().rulebook
    for entry in read_cn_sanctions(CN_SANCTIONS_SAMPLE):
        ref = governing_limb(rulebook, entry.list_id, None, entry.source)
        assert ref is not None, entry
        list_id, _, limb_id = ref.partition("/")
        [limb] = [limb for limb in rulebook.instruments[list_id].limbs if limb.id == limb_id]
        assert limb.commences is not None and limb.commences.value == entry.start, entry


@pytest.mark.skipif(not CN_SANCTIONS.is_file(), reason=NOT_BESIDE)
def test_cn_sanctions_public_export_control_lists() -> None:
    entries = read_cn_sanctions(CN_SANCTIONS)
    lists = {e.list_id for e in entries}
    assert lists == {"CN-CONTROL-LIST", "CN-WATCH-LIST", "CN-UNRELIABLE-ENTITY-LIST"}
    assert sum(e.list_id == "CN-CONTROL-LIST" for e in entries) == 139
    lockheed = lockheed_on_the_control_list(entries)
    assert lockheed.start == date(2025, 1, 2)
    assert any(alias.startswith("洛克希德") for alias in lockheed.aliases)
    assert meets_the_traditional_chinese_name(lockheed)


def test_custom_csv_with_errors_named(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "name,aliases,country,identifiers,list,start,end\n"
        "Acme Ltd,Acme;ACME Limited,GB,LEI:123,OUR-LIST,2025-01-01,\n"
        ",x,ZZ,,OUR-LIST,2025-13-01,2024-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(InputInvalid) as info:
        read_custom_csv(path)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(3, "name"), (3, "country"), (3, "start")}
    path.write_text(
        "name,aliases,country,identifiers,list,start,end\n"
        "Acme Ltd,Acme;ACME Limited,GB,LEI:123,OUR-LIST,2025-01-01,\n",
        encoding="utf-8",
    )
    [entry] = read_custom_csv(path)
    assert entry.aliases == ("Acme", "ACME Limited")
    assert entry.identifiers == frozenset({"LEI:123"})


def test_ftm_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    good = {
        "id": "x-1",
        "schema": "Company",
        "properties": {
            "name": ["Example Defense Corp"],
            "alias": ["EDC"],
            "country": ["us"],
            "leiCode": ["5493001KJTIIGC8Y1R12"],
            "startDate": ["2025-04-04"],
        },
    }
    path.write_text(json.dumps(good) + "\n" + '{"id": "x-2"}\n' + "not json\n", encoding="utf-8")
    with pytest.raises(InputInvalid) as info:
        read_ftm_jsonl(path, "CN-CONTROL-LIST")
    assert {(e.row, e.column) for e in info.value.errors} == {(2, "properties"), (3, "")}
    path.write_text(json.dumps(good) + "\n", encoding="utf-8")
    [entry] = read_ftm_jsonl(path, "CN-CONTROL-LIST")
    assert (entry.name, entry.country, entry.start) == (
        "Example Defense Corp",
        "US",
        date(2025, 4, 4),
    )
    assert "leiCode:5493001KJTIIGC8Y1R12" in entry.identifiers
