"""Importers of party lists: cn_sanctions CSV, custom CSV and FollowTheMoney JSON lines."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from rarex.core.matching import Candidate, Matcher, Query
from rarex.io.importers import InputInvalid
from rarex.io.party_lists import read_cn_sanctions, read_custom_csv, read_ftm_jsonl
from rarex.io.script import ChineseScript

CN_SANCTIONS = Path(__file__).parents[3] / "shared" / "data" / "cn_sanctions" / "sanctions.csv"


def test_cn_sanctions_export_control_lists() -> None:
    entries = read_cn_sanctions(CN_SANCTIONS)
    lists = {e.list_id for e in entries}
    assert lists == {"CN-CONTROL-LIST", "CN-WATCH-LIST", "CN-UNRELIABLE-ENTITY-LIST"}
    assert sum(e.list_id == "CN-CONTROL-LIST" for e in entries) == 139
    lockheed = [
        e
        for e in entries
        if e.name.startswith("Lockheed Martin Corporation") and e.list_id == "CN-CONTROL-LIST"
    ]
    assert lockheed and lockheed[0].start == date(2025, 1, 2)
    assert any(alias.startswith("洛克希德") for alias in lockheed[0].aliases)
    matcher = Matcher(ChineseScript())
    candidate = Candidate(lockheed[0].name, lockheed[0].aliases, lockheed[0].country)
    assert matcher.match(Query("洛克希德·馬丁公司"), candidate).is_match


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
