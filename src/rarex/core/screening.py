"""Party screening against China's entity lists, as of a date, with explained hits.

A listed party (``ListedParty``) comes either from the rulebook (the entities its Control List,
Watch List and Unreliable Entity List limbs name) or from an imported list (cn_sanctions,
FollowTheMoney, a custom CSV). An imported entry is governed by the rulebook limb of the same
listing where one exists, found by the official notice it cites or by its listing date, so
suspensions and liftings recorded in the rulebook apply to it too; otherwise its own start and
end dates decide.

A hit is a match at the matcher's threshold on a listing that is in force, suspended or
uncertain on the day. Listings not yet in force or ended are reported apart, never as hits.
A reviewer's false-positive decision suppresses the hit on later screenings of the same party,
until the list entry changes (its fingerprint differs): then the hit is shown again, marked so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rarex.core.matching import Candidate, Match, Matcher, Query
from rarex.core.ownership import Link, OwnershipFlag, owned_by_listed
from rarex.core.rulebook import RuleBook, Snapshot, UnknownReference
from rarex.core.screen_index import ScreeningIndex
from rarex.core.vocab import InstrumentKind, Status

RULEBOOK_SOURCE = "rulebook"
# Listings that bar or restrict exports to the party; CN-2025-61 cl. 2 extends the denial in
# principle to parties owned 50 % or more by Control List or Watch List parties.
OWNERSHIP_LISTS = frozenset({"CN-CONTROL-LIST", "CN-WATCH-LIST"})
ACTIVE = (Status.IN_FORCE, Status.SUSPENDED, Status.UNCERTAIN)  # most active first
SUBSIDIARY_RULE = "CN-2025-61"


class Verdict(StrEnum):
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True)
class ListedParty:
    """One entry of an entity list, from the rulebook or an import."""

    key: str  # stable across list versions: source, list and the entry's own identity
    source: str  # "rulebook" or the imported list's name
    list_id: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str | None = None
    identifiers: frozenset[str] = frozenset()
    start: date | None = None
    end: date | None = None
    limb: str | None = None  # the rulebook limb (``LIST/limb``) whose status governs the entry
    citation: str = ""  # the announcement or the official notice

    @property
    def fingerprint(self) -> str:
        """Changes whenever the entry's content changes (a decision is tied to it)."""
        content = {
            "list": self.list_id,
            "name": self.name,
            "aliases": sorted(self.aliases),
            "country": self.country,
            "identifiers": sorted(self.identifiers),
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "limb": self.limb,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def candidate(self) -> Candidate:
        return Candidate(self.name, self.aliases, self.country, self.identifiers)


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on one party against one list entry."""

    entry_key: str
    fingerprint: str
    verdict: Verdict
    reason: str
    ref: str = ""  # where it is recorded (e.g. the decision's id)


@dataclass(frozen=True)
class Hit:
    party: ListedParty
    status: Status
    status_reason: str
    match: Match
    decision: Decision | None = None  # the decision that applies to this entry version
    stale_decision: Decision | None = None  # a decision made on an earlier version of the entry

    @property
    def suppressed(self) -> bool:
        return self.decision is not None and self.decision.verdict is Verdict.FALSE_POSITIVE


@dataclass(frozen=True)
class Screening:
    """The answer for one name as of one day."""

    query: Query
    as_of: date
    hits: tuple[Hit, ...]  # active listings, best first; suppressed ones included, marked
    inactive: tuple[Hit, ...]  # matches on listings not yet in force or ended
    ownership: tuple[OwnershipFlag, ...] = ()
    owner_status: Mapping[str, Status] = field(default_factory=dict)  # listed owners' listings
    ownership_basis: str = ""

    @property
    def open_hits(self) -> tuple[Hit, ...]:
        """Hits a reviewer still has to look at (not suppressed as false positives)."""
        return tuple(h for h in self.hits if not h.suppressed)


def rulebook_parties(rulebook: RuleBook) -> list[ListedParty]:
    """The entities the rulebook's entity-list limbs name."""
    parties = []
    for inst in rulebook.instruments.values():
        if inst.kind is not InstrumentKind.ENTITY_LIST:
            continue
        for limb in inst.limbs:
            for entity in limb.entities:
                aliases = (*entity.aliases, *([entity.name_zh] if entity.name_zh else []))
                parties.append(
                    ListedParty(
                        key=f"{RULEBOOK_SOURCE}:{inst.id}/{limb.id}:{entity.name}",
                        source=RULEBOOK_SOURCE,
                        list_id=inst.id,
                        name=entity.name,
                        aliases=aliases,
                        country=entity.country,
                        limb=f"{inst.id}/{limb.id}",
                        citation=limb.announcement or inst.title.en,
                    )
                )
    return parties


def governing_limb(rulebook: RuleBook, list_id: str, start: date | None, source: str) -> str | None:
    """The rulebook limb of the listing an imported entry belongs to, if the rulebook has it.

    The official notice's URL decides first (a limb citing it); otherwise the listing date
    (a limb of the same list commencing that day, when exactly one does)."""
    inst = rulebook.instruments.get(list_id)
    if inst is None or inst.kind is not InstrumentKind.ENTITY_LIST:
        return None
    url = _canonical_url(source)
    if url:
        for limb in inst.limbs:
            urls = {_canonical_url(rulebook.sources[s].url) for s in limb.sources}
            if url in urls:
                return f"{inst.id}/{limb.id}"
    if start is None:
        return None
    same_day = [
        limb for limb in inst.limbs if limb.commences is not None and limb.commences.value == start
    ]
    return f"{inst.id}/{same_day[0].id}" if len(same_day) == 1 else None


def _canonical_url(url: str) -> str:
    text = url.strip().lower()
    for prefix in ("https://", "http://"):
        text = text.removeprefix(prefix)
    return text.removeprefix("www.").rstrip("/")


def entry_status(party: ListedParty, snapshot: Snapshot) -> tuple[Status, str]:
    """Whether the listing is in force on the snapshot's day, and why."""
    day = snapshot.as_of
    if party.end is not None and day >= party.end:
        return Status.EXPIRED, f"removed from the list on {party.end.isoformat()}"
    if party.start is not None and day < party.start:
        return Status.NOT_YET_IN_FORCE, f"listed from {party.start.isoformat()}"
    if party.limb is not None:
        try:
            state = snapshot.limb(party.limb)
        except UnknownReference:
            state = None  # a listing the rulebook no longer has: the entry's own dates decide
        if state is not None:
            unverified = "; rests on an unverified fact" if state.unverified else ""
            return state.status, f"{party.limb}: {state.reason}{unverified}"
    if party.start is None:
        return Status.IN_FORCE, "on the imported list; its listing date is not given"
    return Status.IN_FORCE, f"listed since {party.start.isoformat()} (imported list)"


def decide_hits(
    query: Query,
    matches: Iterable[tuple[ListedParty, Match]],
    snapshot: Snapshot,
    decisions: Mapping[str, Decision],
) -> Screening:
    """Sort matches into active hits and inactive listings, applying recorded decisions."""
    hits: list[Hit] = []
    inactive: list[Hit] = []
    for party, match in matches:
        status, reason = entry_status(party, snapshot)
        decision = decisions.get(party.key)
        current = decision if decision and decision.fingerprint == party.fingerprint else None
        stale = decision if decision and current is None else None
        hit = Hit(party, status, reason, match, current, stale)
        (hits if status in ACTIVE else inactive).append(hit)
    order = sorted(hits, key=lambda h: (-h.match.score, h.party.list_id, h.party.key))
    return Screening(query, snapshot.as_of, tuple(order), tuple(inactive))


def listed_owner_names(screenings: Mapping[str, Screening]) -> dict[str, Status]:
    """Owners (by the name used in the ownership links) with an open hit on a list whose
    subsidiaries CN-2025-61 catches, with the most active status of those listings."""
    owners = {}
    for name, screening in screenings.items():
        statuses = [
            hit.status
            for hit in screening.open_hits
            if hit.party.list_id in OWNERSHIP_LISTS and hit.status in ACTIVE
        ]
        if statuses:
            owners[name] = min(statuses, key=ACTIVE.index)
    return owners


def ownership_basis(snapshot: Snapshot) -> str:
    """Why a 50 % flag matters on the day, and how firmly (CN-2025-61's status)."""
    try:
        state = snapshot.measure(SUBSIDIARY_RULE)
    except UnknownReference:
        return f"{SUBSIDIARY_RULE} is not in the rulebook"
    return (
        f"{SUBSIDIARY_RULE} cl. 2 denies in principle exports to subsidiaries owned 50 % or "
        f"more by Control List or Watch List parties; on {snapshot.as_of.isoformat()} "
        f"{SUBSIDIARY_RULE} is {state.status.value.replace('_', ' ')}"
    )


def ownership_flags(
    party: str, links: Sequence[Link], listed_owners: Iterable[str]
) -> tuple[OwnershipFlag, ...]:
    return tuple(owned_by_listed(party, links, listed_owners, Decimal("0.5")))


@dataclass(frozen=True)
class Change:
    """What differs for one party between two screenings."""

    party: str
    kind: str  # new_hit, hit_gone, status_changed, entry_changed, decision_lapsed
    entry_key: str
    detail: str
    party_id: int | None = None


@dataclass(frozen=True)
class HitRecord:
    """A stored hit, as the re-screening compares it."""

    entry_key: str
    fingerprint: str
    list_id: str
    status: str
    score: float
    suppressed: bool


def changes_between(
    party: str,
    before: Sequence[HitRecord],
    after: Sequence[HitRecord],
    party_id: int | None = None,
) -> list[Change]:
    """The differences a list update made for one party, for the re-screening report. Matches
    on listings not (or no longer) in force count too, so a listing that ends or starts shows
    as a status change."""
    old = {r.entry_key: r for r in before}
    new = {r.entry_key: r for r in after}
    changes = []

    def change(kind: str, key: str, detail: str) -> None:
        changes.append(Change(party, kind, key, detail, party_id))

    for key in sorted(new.keys() - old.keys()):
        r = new[key]
        change("new_hit", key, f"{r.list_id} ({r.status}), score {r.score}")
    for key in sorted(old.keys() - new.keys()):
        change("hit_gone", key, f"{old[key].list_id} was {old[key].status}")
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        if a.fingerprint != b.fingerprint:
            change("entry_changed", key, "the list entry changed")
        if a.status != b.status:
            change("status_changed", key, f"{a.status} → {b.status}")
        if a.suppressed and not b.suppressed and Status(b.status) in ACTIVE:
            change("decision_lapsed", key, "false-positive decision no longer applies")
    return changes


@dataclass(frozen=True)
class PartyQuery:
    """A party to screen: its name (as the user knows it), country and identifiers."""

    name: str
    country: str | None = None
    identifiers: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()

    def queries(self) -> tuple[Query, ...]:
        return tuple(
            Query(name, self.country, self.identifiers) for name in (self.name, *self.aliases)
        )


class Screener:
    """Screens parties against listed parties with a matcher, as of a snapshot."""

    def __init__(self, index: ScreeningIndex, parties: Sequence[ListedParty]) -> None:
        self.index = index
        self.parties = list(parties)

    @classmethod
    def build(cls, matcher: Matcher, parties: Sequence[ListedParty]) -> Screener:
        return cls(ScreeningIndex(matcher, [p.candidate() for p in parties]), parties)

    @property
    def matcher(self) -> Matcher:
        return self.index.matcher

    def _matches(self, party: PartyQuery) -> list[tuple[ListedParty, Match]]:
        best: dict[int, Match] = {}
        for query in party.queries():
            for i, match in self.index.search(query):
                if i not in best or match.score > best[i].score:
                    best[i] = match
        return [(self.parties[i], match) for i, match in best.items()]

    def screen(
        self,
        party: PartyQuery,
        snapshot: Snapshot,
        decisions: Mapping[str, Decision] | None = None,
        links: Sequence[Link] = (),
    ) -> Screening:
        """One party: its hits, inactive listings and ownership flags."""
        return self.screen_many([party], snapshot, [decisions or {}], links)[0]

    def screen_many(
        self,
        parties: Sequence[PartyQuery],
        snapshot: Snapshot,
        decisions: Sequence[Mapping[str, Decision]] | None = None,
        links: Sequence[Link] = (),
        progress: Callable[[int], None] | None = None,
    ) -> list[Screening]:
        """Many parties; the owners above them in the links are screened once, not per party."""
        owner_results = {
            owner: decide_hits(Query(owner), self._matches(PartyQuery(owner)), snapshot, {})
            for owner in sorted(_upstream([p.name for p in parties], links))
        }
        listed_owners = listed_owner_names(owner_results)
        basis = ownership_basis(snapshot)
        results = []
        for n, party in enumerate(parties):
            found = decide_hits(
                party.queries()[0],
                self._matches(party),
                snapshot,
                decisions[n] if decisions is not None else {},
            )
            flags = ownership_flags(party.name, links, listed_owners) if listed_owners else ()
            results.append(
                Screening(
                    found.query,
                    found.as_of,
                    found.hits,
                    found.inactive,
                    flags,
                    {f.listed_owner: listed_owners[f.listed_owner] for f in flags},
                    basis if flags else "",
                )
            )
            if progress is not None:
                progress(1)
        return results


def _upstream(parties: Sequence[str], links: Sequence[Link]) -> set[str]:
    """Every owner above any of ``parties`` in the ownership links."""
    owners: dict[str, set[str]] = {}
    for link in links:
        owners.setdefault(link.owned, set()).add(link.owner)
    seen: set[str] = set()
    stack = list(parties)
    while stack:
        for owner in owners.get(stack.pop(), ()):
            if owner not in seen:
                seen.add(owner)
                stack.append(owner)
    return seen
