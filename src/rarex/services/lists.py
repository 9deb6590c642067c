"""The lists parties are screened against, and the ownership links between parties.

The rulebook's entity listings always take part; imported lists (cn_sanctions CSV,
FollowTheMoney JSON lines, custom CSV) are stored as numbered versions per source, and the newest
version of each source is screened. Each list shows its freshness: when it was last updated and
how old it is.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarex.core.matching import Matcher
from rarex.core.ownership import Link
from rarex.core.rulebook import RuleBook
from rarex.core.screening import (
    RULEBOOK_SOURCE,
    ListedParty,
    Screener,
    governing_limb,
    rulebook_parties,
)
from rarex.core.vocab import InstrumentKind
from rarex.core.workflow import Role
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.party_lists import ListEntry, read_cn_sanctions, read_custom_csv, read_ftm_jsonl
from rarex.io.screening_inputs import read_ownership_csv
from rarex.io.storage import repositories as repo
from rarex.io.storage.tables import (
    ListEntryRow,
    ListVersion,
    OwnershipLinkRow,
)
from rarex.services.accounts import Actor
from rarex.services.errors import Forbidden, Invalid

LIST_KINDS = ("cn_sanctions", "custom", "ftm")
SCREENERS = frozenset({Role.ANALYST, Role.APPLICANT, Role.REVIEWER, Role.ADMIN})
LIST_KEEPERS = frozenset({Role.ANALYST, Role.ADMIN})
DECIDERS = frozenset({Role.REVIEWER, Role.ADMIN})
STALE_AFTER_DAYS = 30  # an imported list older than this is flagged as possibly out of date


@dataclass(frozen=True)
class Freshness:
    source: str
    version: str
    lists: tuple[str, ...]
    entries: int
    updated: date
    age_days: int
    latest_listing: date | None
    stale: bool
    note: str

    def document(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "version": self.version,
            "lists": list(self.lists),
            "entries": self.entries,
            "updated": self.updated.isoformat(),
            "age_days": self.age_days,
            "latest_listing": self.latest_listing.isoformat() if self.latest_listing else None,
            "stale": self.stale,
            "note": self.note,
        }


def version_document(version: ListVersion, new: bool) -> dict[str, Any]:
    """What an import stored: the source, its version number, entries and file hash."""
    return {
        "source": version.source,
        "version": version.version,
        "entries": version.entries,
        "sha256": version.sha256,
        "new_version": new,
    }


class ScreenerCache:
    """Built screeners, one per organisation, for its current list versions: building one
    normalises every listed name, which is worth doing once per list version, not once per
    request. Organisations never share a screener, since their imported lists differ."""

    def __init__(self) -> None:
        self._built: dict[int, tuple[tuple[object, ...], Screener]] = {}
        self._lock = threading.Lock()

    def get(
        self,
        org_id: int,
        matcher: Matcher,
        versions: dict[str, str],
        build: Callable[[], Screener],
    ) -> Screener:
        key = (
            matcher.name,
            matcher.threshold,
            tuple(sorted(versions.items())),
        )
        with self._lock:
            found = self._built.get(org_id)
        if found is not None and found[0] == key:
            return found[1]
        screener = build()
        with self._lock:
            self._built[org_id] = (key, screener)
        return screener


def entry_key(kind: str, source: str, entry: ListEntry) -> str:
    """A list entry's identity across versions of its list: the entity id a FollowTheMoney file
    gives, otherwise the list, the name and the listing day."""
    if kind == "ftm" and entry.source:
        return f"{source}:{entry.source}"
    start = entry.start.isoformat() if entry.start else ""
    return f"{source}:{entry.list_id}:{entry.name.casefold()}:{start}"


def citation(kind: str, path: Path, entry: ListEntry) -> str:
    """What an imported entry cites: the official notice (cn_sanctions), the entity id (ftm),
    or the file and row it came from (custom)."""
    if kind == "custom" or not entry.source:
        return f"{path.name}, row {entry.row}"
    return entry.source


def read_list(
    kind: str, path: Path, list_id: str | None, limits: ImportLimits = DEFAULT_LIMITS
) -> list[ListEntry]:
    """Read a list file of ``kind``; bad bytes are refused like bad rows (``InputInvalid``)."""
    if kind == "cn_sanctions":
        return read_cn_sanctions(path, limits)
    if kind == "custom":
        return read_custom_csv(path, limits)
    if kind == "ftm":
        if not list_id:
            raise Invalid(
                "list_required", "a FollowTheMoney import needs the list it fills", "list"
            )
        return read_ftm_jsonl(path, list_id, limits)
    raise Invalid("unknown_kind", f"unknown list kind {kind!r}; one of {LIST_KINDS}", "kind")


class ListService:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        rulebook: RuleBook,
        matcher: Matcher,
        now: Callable[[], datetime],
        cache: ScreenerCache | None = None,
    ) -> None:
        self.session = session
        self.actor = actor
        self.rulebook = rulebook
        self.matcher = matcher
        self.now = now
        self.cache = cache
        self.audit = repo.AuditLog(session, actor.org_id)

    def require(self, roles: frozenset[Role], what: str) -> None:
        if self.actor.role not in roles:
            raise Forbidden("forbidden_role", f"role {self.actor.role.value} may not {what}")

    def record(self, action: str, entity: str, entity_id: str, after: dict[str, Any]) -> None:
        self.audit.append(
            at=self.now(),
            actor=self.actor.email,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=None,
            after=after,
            rulebook_sha256=self.rulebook.sha256,
        )

    # ------------------------------------------------------------------ lists

    def _latest_versions(self) -> list[ListVersion]:
        newest = (
            select(ListVersion.source, func.max(ListVersion.version).label("version"))
            .where(ListVersion.org_id == self.actor.org_id)
            .group_by(ListVersion.source)
            .subquery()
        )
        return list(
            self.session.scalars(
                select(ListVersion)
                .join(
                    newest,
                    (ListVersion.source == newest.c.source)
                    & (ListVersion.version == newest.c.version),
                )
                .where(ListVersion.org_id == self.actor.org_id)
                .order_by(ListVersion.source)
            )
        )

    def import_list(
        self,
        kind: str,
        path: Path,
        source: str | None = None,
        list_id: str | None = None,
        limits: ImportLimits = DEFAULT_LIMITS,
    ) -> tuple[ListVersion, bool]:
        """Store a list as the next version of its source. Returns the version and whether it
        is new (an identical file adds no version). Nothing is stored if any row is bad."""
        self.require(LIST_KEEPERS, "import lists")
        entries = read_list(kind, path, list_id, limits)
        name = source or kind
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        latest = {v.source: v for v in self._latest_versions()}.get(name)
        if latest is not None and latest.sha256 == digest:
            return latest, False
        starts = [e.start for e in entries if e.start is not None]
        version = ListVersion(
            org_id=self.actor.org_id,
            source=name,
            version=(latest.version + 1) if latest else 1,
            kind=kind,
            file_name=path.name,
            sha256=digest,
            entries=len(entries),
            latest_listing=max(starts) if starts else None,
            imported_at=self.now(),
            imported_by=self.actor.user_id or None,
        )
        self.session.add(version)
        self.session.flush()
        seen: set[str] = set()
        for entry in entries:
            key = entry_key(kind, name, entry)
            if key in seen:  # the same party listed twice in one notice counts once
                continue
            seen.add(key)
            self.session.add(
                ListEntryRow(
                    list_version_id=version.id,
                    key=key,
                    list_id=entry.list_id,
                    name=entry.name,
                    aliases=list(entry.aliases),
                    country=entry.country,
                    identifiers=sorted(entry.identifiers),
                    start=entry.start,
                    end=entry.end,
                    # the listing at import, for the record; screening works it out afresh
                    limb=governing_limb(self.rulebook, entry.list_id, entry.start, entry.source),
                    citation=citation(kind, path, entry),
                )
            )
        version.entries = len(seen)  # the same party twice in one notice counts once
        self.session.flush()
        self.record(
            "list.import",
            "list",
            f"{name}#{version.version}",
            {"file": path.name, "sha256": digest, "entries": len(seen), "kind": kind},
        )
        return version, True

    def _versions(self) -> tuple[list[ListVersion], dict[str, str]]:
        """The newest version of every imported list, and every list's version label."""
        latest = self._latest_versions()
        labels = {RULEBOOK_SOURCE: self.rulebook.sha256[:16]}
        labels.update({v.source: f"{v.version}:{v.sha256[:16]}" for v in latest})
        return latest, labels

    def _parties(self, latest: list[ListVersion]) -> list[ListedParty]:
        parties = rulebook_parties(self.rulebook)
        for version in latest:
            rows = self.session.scalars(
                select(ListEntryRow)
                .where(ListEntryRow.list_version_id == version.id)
                .order_by(ListEntryRow.id)
            )
            parties.extend(
                ListedParty(
                    key=row.key,
                    source=version.source,
                    list_id=row.list_id,
                    name=row.name,
                    aliases=tuple(row.aliases),
                    country=row.country,
                    identifiers=frozenset(row.identifiers),
                    start=row.start,
                    end=row.end,
                    # worked out against the current rulebook, which may have gained the listing
                    # (or its suspension) since the import
                    limb=governing_limb(self.rulebook, row.list_id, row.start, row.citation),
                    citation=row.citation,
                )
                for row in rows
            )
        return parties

    def screener(self) -> tuple[Screener, dict[str, str]]:
        """The screener for the current lists; with a cache, the entries are read only when
        a list changed."""
        latest, labels = self._versions()

        def build() -> Screener:
            return Screener.build(self.matcher, self._parties(latest))

        if self.cache is None:
            return build(), labels
        return self.cache.get(self.actor.org_id, self.matcher, labels, build), labels

    def freshness(self, today: date) -> list[Freshness]:
        """When each list was last updated and how old it is."""
        entity_lists = [
            i for i in self.rulebook.instruments.values() if i.kind is InstrumentKind.ENTITY_LIST
        ]
        dates = [
            fact.value
            for inst in entity_lists
            for limb in inst.limbs
            for fact in (limb.commences, limb.not_before)
            if fact is not None and fact.value <= today
        ]
        latest = max(dates) if dates else None
        rows = [
            Freshness(
                source=RULEBOOK_SOURCE,
                version=self.rulebook.sha256[:16],
                lists=tuple(sorted(i.id for i in entity_lists)),
                entries=len(rulebook_parties(self.rulebook)),
                updated=latest or today,
                age_days=(today - latest).days if latest else 0,
                latest_listing=latest,
                stale=False,
                note="the rulebook's listings (named entities only); updated with the rulebook, "
                "dated by its newest listing",
            )
        ]
        for version in self._latest_versions():
            imported = version.imported_at.date()
            age = (today - imported).days
            lists = self.session.scalars(
                select(ListEntryRow.list_id)
                .where(ListEntryRow.list_version_id == version.id)
                .distinct()
            )
            rows.append(
                Freshness(
                    source=version.source,
                    version=f"{version.version}:{version.sha256[:16]}",
                    lists=tuple(sorted(lists)),
                    entries=version.entries,
                    updated=imported,
                    age_days=age,
                    latest_listing=version.latest_listing,
                    stale=age > STALE_AFTER_DAYS,
                    note=f"imported from {version.file_name}"
                    + (f"; older than {STALE_AFTER_DAYS} days" if age > STALE_AFTER_DAYS else ""),
                )
            )
        return rows

    # ------------------------------------------------------------------ ownership

    def load_ownership(self, path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> int:
        """Replace the organisation's ownership links with the file's."""
        self.require(LIST_KEEPERS, "load ownership links")
        links = read_ownership_csv(path, limits)
        for row in self.session.scalars(
            select(OwnershipLinkRow).where(OwnershipLinkRow.org_id == self.actor.org_id)
        ):
            self.session.delete(row)
        for link in links:
            self.session.add(
                OwnershipLinkRow(
                    org_id=self.actor.org_id,
                    owner=link.owner,
                    owned=link.owned,
                    share=link.share,
                    file_name=path.name,
                    loaded_at=self.now(),
                )
            )
        self.session.flush()
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.record(
            "ownership.load", "ownership", path.name, {"links": len(links), "sha256": digest}
        )
        return len(links)

    def links(self) -> list[Link]:
        rows = self.session.scalars(
            select(OwnershipLinkRow)
            .where(OwnershipLinkRow.org_id == self.actor.org_id)
            .order_by(OwnershipLinkRow.id)
        )
        return [Link(r.owner, r.owned, r.share) for r in rows]
