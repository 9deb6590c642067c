"""Importers of party lists for screening: the ``cn_sanctions`` CSV, custom CSV lists and
OpenSanctions / FollowTheMoney JSON lines. Every bad value is reported with file, row, field
and reason, and nothing is returned unless every row is valid."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pycountry

from rarex.io.importers import COUNTRIES, InputError, InputInvalid
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.readers import (
    UTF8_BOM,
    parse_json,
    read_csv,
    refuse,
    shown,
    value_problem,
)

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
    errors.append(
        InputError(file, row, field, f"not a date (YYYY-MM-DD or DD.MM.YYYY): {shown(text)}")
    )
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
        errors.append(
            InputError(file, row, field, f"not an ISO 3166-1 alpha-2 code: {shown(code)}")
        )
        return None
    return code


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _csv_rows(
    path: Path, required: set[str], limits: ImportLimits
) -> Iterator[tuple[int, dict[str, str]]]:
    header, rows = read_csv(path, limits)
    missing = required - set(header)
    if missing:
        raise InputInvalid([InputError(str(path), 1, c, "missing column") for c in sorted(missing)])
    for number, row in rows:
        yield number, {k: "" if v is None else str(v) for k, v in row.items()}


def read_cn_sanctions(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[ListEntry]:
    """The rows of ``sanctions.csv`` that belong to the Control, Watch or Unreliable Entity List.

    Other rows (Anti-Foreign Sanctions Law countermeasures) are outside export control and
    are left out. The Chinese name becomes an alias.
    """
    file = str(path)
    errors: list[InputError] = []
    entries = []
    for number, row in _csv_rows(path, CN_SANCTIONS_COLUMNS, limits):
        list_id = CN_SANCTIONS_LISTS.get(row["List"].strip())
        if list_id is None:
            continue
        name = row["Name"].strip()
        if not name:
            errors.append(InputError(file, number, "Name", "required"))
            continue
        aliases = _split(row["Alias"])
        chinese = row["Chinese name"].strip()
        entries.append(
            ListEntry(
                list_id=list_id,
                name=name,
                aliases=(*aliases, chinese) if chinese else aliases,
                country=_country(row["Country"], file, number, "Country", errors, names=True),
                identifiers=frozenset(),
                start=_date(row["Date"], file, number, "Date", errors),
                end=_date(row["End date"], file, number, "End date", errors),
                source=row["Source URL"].strip(),
                row=number,
            )
        )
    if errors:
        raise InputInvalid(errors)
    return entries


CN_SANCTIONS_COLUMNS = {
    "Name",
    "Alias",
    "Chinese name",
    "Country",
    "List",
    "Date",
    "End date",
    "Source URL",
}
CUSTOM_COLUMNS = ("name", "aliases", "country", "identifiers", "list", "start", "end")


def read_custom_csv(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[ListEntry]:
    """A custom list: name, aliases (;-separated), country, identifiers, list, start, end."""
    file = str(path)
    errors: list[InputError] = []
    entries = []
    for number, row in _csv_rows(path, set(CUSTOM_COLUMNS), limits):
        name, list_id = row["name"].strip(), row["list"].strip()
        for field, value in (("name", name), ("list", list_id)):
            if not value:
                errors.append(InputError(file, number, field, "required"))
        start = _date(row["start"], file, number, "start", errors)
        end = _date(row["end"], file, number, "end", errors)
        if start and end and end < start:
            errors.append(InputError(file, number, "end", "the listing ends before it starts"))
        entries.append(
            ListEntry(
                list_id,
                name,
                _split(row["aliases"]),
                _country(row["country"], file, number, "country", errors),
                frozenset(_split(row["identifiers"])),
                start,
                end,
                file,
                number,
            )
        )
    if errors:
        raise InputInvalid(errors)
    return entries


FTM_IDENTIFIERS = ("registrationNumber", "leiCode", "innCode", "ogrnCode", "taxNumber")
FTM_TEXTS = ("name", "alias", "weakAlias", "country", "jurisdiction", "startDate", "endDate")


def _jsonl(path: Path, limits: ImportLimits) -> Iterator[tuple[int, str]]:
    """The lines of a JSON lines file, numbered from 1, decoded strictly as UTF-8."""
    file = str(path)
    if not path.is_file():
        raise refuse(file, 0, "", "file not found")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number > limits.max_rows:
                raise refuse(
                    file,
                    number,
                    "",
                    f"more than {limits.max_rows:,} rows (the limit is RAREX_IMPORT_MAX_ROWS)",
                )
            if number == 1:
                raw = raw.removeprefix(UTF8_BOM)
            try:
                yield number, raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise refuse(
                    file,
                    number,
                    "",
                    f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be read; save it as UTF-8",
                ) from None


def _ftm_problems(props: dict[str, Any], limits: ImportLimits) -> list[tuple[str, str]]:
    """The properties rarex reads must be lists of text, as FollowTheMoney writes them."""
    problems = []
    for key in (*FTM_TEXTS, *FTM_IDENTIFIERS):
        values = props.get(key, [])
        column = f"properties.{key}"
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            problems.append((column, "expected a list of text"))
            continue
        for value in values:
            problem = value_problem(value, limits)
            if problem is not None:
                problems.append((column, problem))
                break
    return problems


def read_ftm_jsonl(
    path: Path, list_id: str, limits: ImportLimits = DEFAULT_LIMITS
) -> list[ListEntry]:
    """OpenSanctions / FollowTheMoney entities, one JSON object per line, into ``list_id``."""
    file = str(path)
    errors: list[InputError] = []
    entries = []
    for number, line in _jsonl(path, limits):
        if not line.strip():
            continue
        try:
            entity = parse_json(line)
        except ValueError as exc:
            errors.append(InputError(file, number, "", str(exc).replace("readable JSON", "JSON")))
            continue
        props = entity.get("properties") if isinstance(entity, dict) else None
        if not isinstance(props, dict):
            errors.append(InputError(file, number, "properties", "missing or not an object"))
            continue
        found = _ftm_problems(props, limits)
        entity_id = entity.get("id", "")
        if isinstance(entity_id, Decimal):
            entity_id = str(entity_id)
        if not isinstance(entity_id, str):
            found.append(("id", "expected text"))
        elif (problem := value_problem(entity_id, limits)) is not None:
            found.append(("id", problem))
        if found:
            errors.extend(InputError(file, number, column, reason) for column, reason in found)
            continue
        names = [n for n in props.get("name", []) if n.strip()]
        if not names:
            errors.append(InputError(file, number, "properties.name", "required"))
            continue
        countries = props.get("country", []) or props.get("jurisdiction", [])
        ids = [f"{key}:{value}" for key in FTM_IDENTIFIERS for value in props.get(key, [])]
        start = (props.get("startDate") or [""])[0]
        end = (props.get("endDate") or [""])[0]
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
                start=_date(start[:10], file, number, "properties.startDate", errors),
                end=_date(end[:10], file, number, "properties.endDate", errors),
                source=entity_id,
                row=number,
            )
        )
    if errors:
        raise InputInvalid(errors)
    return entries
