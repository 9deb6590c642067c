"""``rarex screen``, ``rarex lists`` and ``rarex screening`` as a user runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.core.workflow import Role
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.services import accounts

runner = CliRunner()


def run(*args: str, code: int = 0, url: str | None = None) -> str:
    env = {"RAREX_DATABASE_URL": url} if url else {}
    result = runner.invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_done_when_lockheed_hit_on_2025_02_01_and_none_on_2024_12_01() -> None:
    after = json.loads(
        run("screen", "Lockheed Martin Corporation", "--as-of", "2025-02-01", "--format", "json")
    )
    assert [(h["list"], h["listing_status"]) for h in after["hits"]] == [
        ("CN-CONTROL-LIST", "in_force")
    ]
    assert after["hits"][0]["explanation"], "the hit is explained"
    assert after["matcher"] == "name_v1" and after["list_versions"]["rulebook"]
    before = json.loads(
        run("screen", "Lockheed Martin Corporation", "--as-of", "2024-12-01", "--format", "json")
    )
    assert before["hits"] == []
    assert before["not_in_force"][0]["listing_status"] == "not_yet_in_force"


def test_batch_file_with_ownership_and_an_extra_list(tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text(
        "name,country\nLockheed Martin Corp,US\nSkunk Subsidiary LLC,US\nPlain Co,DE\n"
    )
    owners = tmp_path / "owners.csv"
    owners.write_text("owner,owned,percent\nLockheed Martin,Skunk Subsidiary LLC,75\n")
    extra = tmp_path / "list.csv"
    extra.write_text(
        "name,aliases,country,identifiers,list,start,end\nPlain Co,,DE,,CN-WATCH-LIST,2025-03-01,\n"
    )
    out = json.loads(
        run(
            "screen",
            str(parties),
            "--as-of",
            "2025-06-01",
            "--ownership",
            str(owners),
            "--list",
            f"custom={extra}",
            "--format",
            "json",
        )
    )
    by_name = {p["query"]["name"]: p for p in out["parties"]}
    assert by_name["Lockheed Martin Corp"]["open_hits"] == 1
    flag = by_name["Skunk Subsidiary LLC"]["ownership"][0]
    assert flag["listed_owner"] == "Lockheed Martin" and flag["share"] == "0.75"
    assert by_name["Plain Co"]["hits"][0]["list"] == "CN-WATCH-LIST"
    assert out["summary"] == {"parties": 3, "with_open_hits": 2, "with_ownership_flags": 1}


def test_bad_parties_file_names_row_and_field(tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_text("name,country\n,US\nGood Co,XYZ\n")
    result = runner.invoke(app, ["screen", str(parties)])
    assert result.exit_code == 2
    assert "parties.csv: row 2: name: required" in result.output
    assert "row 3: country" in result.output


def test_stored_workflow_import_screen_decide_rescreen(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    with database(database_url) as factory, unit_of_work(factory) as session:
        for role in (Role.ANALYST, Role.REVIEWER):
            accounts.add_user(
                session,
                organisation="acme",
                email=f"{role.value}@acme.test",
                name=role.value,
                role=role,
                password="correct horse battery",
                now=datetime.now(UTC),
            )
    listing = tmp_path / "partners.csv"
    listing.write_text(
        "name,aliases,country,identifiers,list,start,end\n"
        "Nova Tech Systems,,US,,CN-WATCH-LIST,2025-01-01,\n"
    )
    analyst, reviewer = "analyst@acme.test", "reviewer@acme.test"
    stored = json.loads(
        run(
            "lists",
            "import",
            "custom",
            str(listing),
            "--as",
            analyst,
            "--format",
            "json",
            url=database_url,
        )
    )
    assert stored["version"] == 1 and stored["entries"] == 1
    status = json.loads(
        run("lists", "status", "--as", analyst, "--format", "json", url=database_url)
    )
    assert [r["source"] for r in status["lists"]] == ["rulebook", "custom"]
    parties = tmp_path / "parties.csv"
    parties.write_text("name,country\nNova Tech Systems Inc,US\n")
    first = json.loads(
        run(
            "screen",
            str(parties),
            "--as",
            analyst,
            "--as-of",
            "2026-01-05",
            "--format",
            "json",
            url=database_url,
        )
    )
    party = first["parties"][0]
    assert first["run_id"] and party["open_hits"] == 1
    run(
        "screening",
        "decide",
        str(party["party_id"]),
        party["hits"][0]["entry_key"],
        "--verdict",
        "false_positive",
        "--reason",
        "different firm",
        "--as",
        reviewer,
        url=database_url,
    )
    again = json.loads(
        run(
            "screen",
            str(parties),
            "--as",
            analyst,
            "--as-of",
            "2026-01-05",
            "--format",
            "json",
            url=database_url,
        )
    )
    assert again["parties"][0]["open_hits"] == 0
    listing.write_text(
        listing.read_text().replace(
            "Nova Tech Systems,,US,,CN-WATCH-LIST,2025-01-01,",
            "Nova Tech Systems,,US,,CN-WATCH-LIST,2025-01-01,2026-01-01",
        )
    )
    run("lists", "import", "custom", str(listing), "--as", analyst, url=database_url)
    report = json.loads(
        run(
            "screening",
            "rescreen",
            "--as",
            analyst,
            "--as-of",
            "2026-01-05",
            "--format",
            "json",
            url=database_url,
        )
    )
    assert [(c["party"], c["change"], c["detail"]) for c in report["changes"]] == [
        ("Nova Tech Systems Inc", "entry_changed", "the list entry changed"),
        ("Nova Tech Systems Inc", "status_changed", "in_force → expired"),
    ]


def test_matcher_version_is_chosen_and_recorded(tmp_path: Path) -> None:
    extra = tmp_path / "list.csv"
    extra.write_text(
        "name,aliases,country,identifiers,list,start,end\n"
        "National University of Defense Technology,,CN,,CN-WATCH-LIST,2025-01-01,\n"
    )
    args = ["screen", "NUDT", "--country", "CN", "--list", f"custom={extra}", "--format", "json"]
    v1 = json.loads(run(*args, "--as-of", "2025-06-01"))
    v2 = json.loads(run(*args, "--as-of", "2025-06-01", "--matcher", "name_v2"))
    assert (v1["matcher"], v1["hits"]) == ("name_v1", [])
    assert v2["matcher"] == "name_v2" and v2["hits"][0]["matcher"] == "name_v2"
    assert any(e["feature"] == "acronym" for e in v2["hits"][0]["explanation"])
    run(*args, "--matcher", "name_v9", code=2)
