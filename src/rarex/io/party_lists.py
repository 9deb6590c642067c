"""Importers of party lists for screening: the ``cn_sanctions`` CSV, custom CSV lists and
OpenSanctions / FollowTheMoney JSON lines. Every bad value is reported with file, row, field
and reason, and nothing is returned unless every row is valid."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pycountry

from rarex.io.importers import COUNTRIES, InputError, InputInvalid

# The cn_sanctions "List" column, mapped to the rulebook's entity lists.
CN_SANCTIONS_LISTS = {
    "List of Export Controls": "CN-CONTROL-LIST",
    "Export Control Watch List": "CN-WATCH-LIST",
    "UEL": "CN-UNRELIABLE-ENTITY-LIST",
}


@dataclass(frozen=True)
class ListEntry:
    """One listed party as an import delivers it."""

    list_id: str
    name: str
    aliases: tuple[str, ...]
    country: str | None
    identifiers: frozenset[str]
    start: date | None
    end: date | None
    source: str
    row: int


def _date(text: str, file: str, row: int, field: str, errors: list[InputError]) -> date | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(InputError(file, row, field, f"not a date (YYYY-MM-DD or DD.MM.YYYY): {text!r}"))
    return None


def _country(
    text: str, file: str, row: int, field: str, errors: list[InputError], names: bool = False
) -> str | None:
    code = text.strip().upper()
    if not code:
        return None
    if code not in COUNTRIES and names:
        try:  # some sources write the country's name ("Japan", "Czech Republic")
            return str(pycountry.countries.lookup(text.strip()).alpha_2)
        except LookupError:
            pass
    if code not in COUNTRIES:
        errors.append(InputError(file, row, field, f"not an ISO 3166-1 alpha-2 code: {code!r}"))
        return None
    return code


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def read_cn_sanctions(path: Path) -> list[ListEntry]:
    """The rows of ``sanctions.csv`` that belong to the Control, Watch or Unreliable Entity List.

    Other rows (Anti-Foreign Sanctions Law countermeasures) are outside export control and
    are left out. The Chinese name becomes an alias.
    """
    file = str(path)
    errors: list[InputError] = []
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {
            "Name",
            "Alias",
            "Chinese name",
            "Country",
            "List",
            "Date",
            "End date",
            "Source URL",
        } - set(reader.fieldnames or ())
        if missing:
            raise InputInvalid([InputError(file, 1, c, "missing column") for c in sorted(missing)])
        for number, row in enumerate(reader, start=2):
            list_id = CN_SANCTIONS_LISTS.get((row.get("List") or "").strip())
            if list_id is None:
                continue
            name = (row.get("Name") or "").strip()
            if not name:
                errors.append(InputError(file, number, "Name", "required"))
                continue
            aliases = _split(row.get("Alias") or "")
            chinese = (row.get("Chinese name") or "").strip()
            entries.append(
                ListEntry(
                    list_id=list_id,
                    name=name,
                    aliases=(*aliases, chinese) if chinese else aliases,
                    country=_country(
                        row.get("Country") or "", file, number, "Country", errors, names=True
                    ),
                    identifiers=frozenset(),
                    start=_date(row.get("Date") or "", file, number, "Date", errors),
                    end=_date(row.get("End date") or "", file, number, "End date", errors),
                    source=(row.get("Source URL") or "").strip(),
                    row=number,
                )
            )
    if errors:
        raise InputInvalid(errors)
    return entries


CUSTOM_COLUMNS = ("name", "aliases", "country", "identifiers", "list", "start", "end")


def read_custom_csv(path: Path) -> list[ListEntry]:
    """A custom list: name, aliases (;-separated), country, identifiers, list, start, end."""
    file = str(path)
    errors: list[InputError] = []
    entries = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(CUSTOM_COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise InputInvalid([InputError(file, 1, c, "missing column") for c in sorted(missing)])
        for number, row in enumerate(reader, start=2):
            name, list_id = (row.get("name") or "").strip(), (row.get("list") or "").strip()
            for field, value in (("name", name), ("list", list_id)):
                if not value:
                    errors.append(InputError(file, number, field, "required"))
            start = _date(row.get("start") or "", file, number, "start", errors)
            end = _date(row.get("end") or "", file, number, "end", errors)
            if start and end and end < start:
                errors.append(InputError(file, number, "end", "the listing ends before it starts"))
            entries.append(
                ListEntry(
                    list_id,
                    name,
                    _split(row.get("aliases") or ""),
                    _country(row.get("country") or "", file, number, "country", errors),
                    frozenset(_split(row.get("identifiers") or "")),
                    start,
                    end,
                    file,
                    number,
                )
            )
    if errors:
        raise InputInvalid(errors)
    return entries


def read_ftm_jsonl(path: Path, list_id: str) -> list[ListEntry]:
    """OpenSanctions / FollowTheMoney entities, one JSON object per line, into ``list_id``."""
    file = str(path)
    errors: list[InputError] = []
    entries = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entity: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(InputError(file, number, "", f"not JSON: {exc.msg}"))
                continue
            props = entity.get("properties")
            if not isinstance(props, dict):
                errors.append(InputError(file, number, "properties", "missing or not an object"))
                continue
            names = [n for n in props.get("name", []) if isinstance(n, str) and n.strip()]
            if not names:
                errors.append(InputError(file, number, "properties.name", "required"))
                continue
            countries = props.get("country", []) or props.get("jurisdiction", [])
            ids = [
                f"{key}:{value}"
                for key in ("registrationNumber", "leiCode", "innCode", "ogrnCode", "taxNumber")
                for value in props.get(key, [])
            ]
            start = props.get("startDate", [""])[0] if props.get("startDate") else ""
            end = props.get("endDate", [""])[0] if props.get("endDate") else ""
            entries.append(
                ListEntry(
                    list_id=list_id,
                    name=names[0],
                    aliases=(*names[1:], *props.get("alias", []), *props.get("weakAlias", [])),
                    country=_country(
                        countries[0] if countries else "",
                        file,
                        number,
                        "properties.country",
                        errors,
                    ),
                    identifiers=frozenset(ids),
                    start=_date(str(start)[:10], file, number, "properties.startDate", errors),
                    end=_date(str(end)[:10], file, number, "properties.endDate", errors),
                    source=str(entity.get("id", "")),
                    row=number,
                )
            )
    if errors:
        raise InputInvalid(errors)
    return entries
