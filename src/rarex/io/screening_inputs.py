"""The screening inputs users bring: the parties to screen and their ownership links (CSV).

Every bad value is reported with file, row, field and reason, and nothing is returned unless
every row is valid.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from rarex.core.ownership import Link
from rarex.core.screening import PartyQuery
from rarex.io.importers import COUNTRIES, InputError, InputInvalid
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.readers import NotANumber, decimal_of, read_csv, shown

PARTY_COLUMNS = ("name", "country", "aliases", "identifiers")
OWNERSHIP_COLUMNS = ("owner", "owned", "percent")


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _rows(
    path: Path, required: tuple[str, ...], limits: ImportLimits
) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    file = str(path)
    header, rows = read_csv(path, limits)
    missing = [c for c in required if c not in header]
    if missing:
        raise InputInvalid([InputError(file, 1, c, "missing column") for c in missing])
    return file, [
        (n, {k: ("" if v is None else str(v)).strip() for k, v in row.items() if k})
        for n, row in rows
    ]


def read_parties_csv(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[PartyQuery]:
    """Parties to screen: ``name`` (required), and optionally ``country`` (ISO alpha-2),
    ``aliases`` and ``identifiers`` (both ;-separated)."""
    file, rows = _rows(path, ("name",), limits)
    errors: list[InputError] = []
    parties = []
    for number, row in rows:
        name = row.get("name", "")
        if not name:
            errors.append(InputError(file, number, "name", "required"))
            continue
        country = row.get("country", "").upper() or None
        if country is not None and country not in COUNTRIES:
            errors.append(
                InputError(
                    file, number, "country", f"not an ISO 3166-1 alpha-2 code: {shown(country)}"
                )
            )
        parties.append(
            PartyQuery(
                name,
                country,
                frozenset(_split(row.get("identifiers", ""))),
                _split(row.get("aliases", "")),
            )
        )
    if not rows:
        errors.append(InputError(file, 1, "", "no parties in the file"))
    if errors:
        raise InputInvalid(errors)
    return parties


def read_ownership_csv(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[Link]:
    """Ownership links: ``owner``, ``owned`` and ``percent`` (0 < percent <= 100)."""
    file, rows = _rows(path, OWNERSHIP_COLUMNS, limits)
    errors: list[InputError] = []
    links = []
    for number, row in rows:
        owner, owned, text = row["owner"], row["owned"], row["percent"].rstrip("%").strip()
        for field, value in (("owner", owner), ("owned", owned), ("percent", text)):
            if not value:
                errors.append(InputError(file, number, field, "required"))
        if not (owner and owned and text):
            continue
        if owner == owned:
            errors.append(InputError(file, number, "owned", "a party cannot own itself"))
            continue
        try:
            percent = decimal_of(text)
        except NotANumber as exc:
            errors.append(InputError(file, number, "percent", exc.reason))
            continue
        if not Decimal(0) < percent <= Decimal(100):
            errors.append(InputError(file, number, "percent", f"not in (0, 100]: {text}"))
            continue
        links.append(Link(owner, owned, percent / 100))
        held = sum((link.share for link in links if link.owned == owned), Decimal(0))
        if held > 1:
            errors.append(
                InputError(file, number, "percent", f"{owned} would be more than 100 % owned")
            )
    if errors:
        raise InputInvalid(errors)
    return links
