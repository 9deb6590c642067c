"""A demo workspace given hostile values (or their benign twins) in every field a user
controls, through the dashboard and the API: see ``test_hostile_text.py``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.clock import TODAY
from tests.hostile import CHUNKS, PAYLOADS, DataSet, Make, value, write_dataset
from tests.web.conftest import demo_workspace, form_token, log_in

FILE = re.sub(r"[/\x00]", "_", " ".join(PAYLOADS[1:]))  # a file name holds no "/" and no NUL


@dataclass
class World:
    """A demo workspace after the work, and the values it was given."""

    client: TestClient
    make: Make
    data: DataSet
    assessments: list[int] = field(default_factory=list)
    versions: list[int] = field(default_factory=list)
    products: list[str] = field(default_factory=list)  # of the first assessment
    names: list[str] = field(default_factory=list)  # of the data sets
    end_users: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    applicants: list[str] = field(default_factory=list)  # exporter, consignee, end user
    items: list[str] = field(default_factory=list)  # part ids and descriptions
    listed: list[str] = field(default_factory=list)  # names on the list and screened
    source: str = ""
    list_file: str = ""
    reason: str = ""
    bad_value: str = ""

    def file(self, tag: str) -> str:
        return self.make(f"{tag} {FILE}.csv")


@contextmanager
def hostile_workspace(url: str, folder: Path, make: Make) -> Iterator[World]:
    with demo_workspace(url, TODAY) as client:
        log_in(client, "admin")
        world = World(client, make, write_dataset(folder, make))
        _upload(world)
        _applications(world)
        _screening(world)
        yield world


def as_sent(file_name: str) -> str:
    """A file name as a form sends it (HTML's encoding of the multipart field): the server
    receives and shows it so."""
    return re.sub(r'[\x00-\x1a\x1c-\x1f"]', lambda m: f"%{ord(m.group(0)):02X}", file_name).replace(
        "\\", "\\\\"
    )


def _upload(world: World) -> None:
    client, make, data = world.client, world.make, world.data
    token = form_token(client.get("/upload").text)
    for index, chunk in enumerate(CHUNKS):
        name, end_user = value(make, f"Data set {index}", chunk), value(make, f"End user {index}")
        sent = client.post(
            "/upload",
            data={
                "csrf_token": token,
                "name": name,
                "as_of": TODAY.isoformat(),
                "export_from": "DE",
                "destination": "US",
                "end_user": end_user,
                "end_user_type": "civil",
                "end_use": "civil",
            },
            files={
                "parts": (world.file("parts"), data.parts.read_bytes(), "text/csv"),
                "bom": (world.file("bom"), data.bom.read_bytes(), "text/csv"),
            },
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        world.assessments.append(int(sent.headers["location"].rsplit("/", 1)[1]))
        world.names.append(name)
        world.end_users.append(end_user)
    stored = _api(world, "GET", f"/api/assessments/{world.assessments[0]}")
    world.versions = [stored["version_id"]]
    world.products = [r["part_id"] for r in stored["results"]]
    facts = client.post(
        "/exposure/commercial",
        data={"csrf_token": token, "version_id": str(world.versions[0])},
        files={
            "sales": (world.file("sales"), data.sales.read_bytes(), "text/csv"),
            "inventory": (world.file("inventory"), data.inventory.read_bytes(), "text/csv"),
        },
        follow_redirects=False,
    )
    assert facts.status_code == 303, facts.text


def _applications(world: World) -> None:
    make = world.make
    for index, chunk in enumerate(CHUNKS):
        reference = value(make, f"Ref {index}", chunk)
        applicants = [value(make, f"{who} {index}") for who in ("Exporter", "Consignee", "User")]
        created = _api(
            world,
            "POST",
            "/api/applications",
            {
                "reference": reference,
                "exporter": applicants[0],
                "consignee": applicants[1],
                "end_user": applicants[2],
                "end_use": "civil",
                "destination": "US",
            },
        )
        item = [value(make, f"Item {index}", chunk), value(make, f"Item described {index}")]
        _api(
            world,
            "POST",
            f"/api/applications/{created['id']}/items",
            {"part_id": item[0], "description": item[1], "quantity": "1", "value": "1"},
        )
        world.references.append(reference)
        world.applicants.extend(applicants)
        world.items.extend(item)
    _api(
        world,
        "POST",
        "/api/parties",
        {"name": value(make, "Party"), "identifiers": {"lei": value(make, "Id", CHUNKS[0])}},
    )


def _screening(world: World) -> None:
    make = world.make
    world.listed = [value(make, f"Listed {index}") for index in range(len(CHUNKS))]
    world.source, world.list_file = value(make, "Source", CHUNKS[1]), world.file("list")
    aliases = [value(make, f"Alias {index}", chunk) for index, chunk in enumerate(CHUNKS)]
    _import_list(world, world.listed, aliases)
    run = _api(
        world, "POST", "/api/screening/runs", {"parties": [{"name": n} for n in world.listed]}
    )
    party = run["parties"][0]
    assert party["hits"], "the listed name was not found"
    world.reason = value(make, "Reason")
    _api(
        world,
        "POST",
        "/api/screening/decisions",
        {
            "party_id": party["party_id"],
            "entry_key": party["hits"][0]["entry_key"],
            "verdict": "false_positive",
            "reason": world.reason,
        },
    )
    # a second version of the list without the first entry: re-screening reports the change
    _import_list(world, world.listed[1:], aliases[1:])


def _import_list(world: World, names: list[str], aliases: list[str]) -> None:
    body = io.StringIO()
    writer = csv.writer(body, quoting=csv.QUOTE_ALL)
    writer.writerow(["name", "aliases", "country", "identifiers", "list", "start", "end"])
    for name, alias in zip(names, aliases, strict=True):
        writer.writerow([name, alias, "", "", "CN-WATCH-LIST", "2025-01-01", ""])
    _api(
        world,
        "POST",
        "/api/screening/lists",
        form={"kind": "custom", "source": world.source},
        files={"file": (world.list_file, body.getvalue().encode(), "text/csv")},
    )


def _api(
    world: World,
    method: str,
    path: str,
    json: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> dict[str, Any]:
    # the session's CSRF token, which no cookie holds: every page's log-out form carries it
    csrf = {"X-CSRF-Token": form_token(world.client.get("/").text)}
    response = world.client.request(method, path, json=json, data=form, files=files, headers=csrf)
    assert response.status_code in (200, 201), response.text
    found: dict[str, Any] = response.json()
    return found
