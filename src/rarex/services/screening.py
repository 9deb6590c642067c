"""Screening runs: stored results, reviewer decisions and re-screening after list changes.

Every run records the matcher, its threshold, the rulebook hash and the list versions it used,
so a result can be explained years later. A false-positive decision suppresses the hit on later
runs for the same party until the list entry changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rarex.core.matching import Matcher
from rarex.core.rulebook import RuleBook
from rarex.core.screening import (
    Change,
    Decision,
    HitRecord,
    PartyQuery,
    Screening,
    Verdict,
    changes_between,
)
from rarex.io.storage.repositories import one_of
from rarex.io.storage.tables import (
    Application,
    Party,
    ScreeningDecisionRow,
    ScreeningResult,
    ScreeningRun,
)
from rarex.reports.screening import decision_document, screening_document
from rarex.services.accounts import Actor
from rarex.services.errors import Invalid, NotFoundError
from rarex.services.lists import DECIDERS, SCREENERS, ListService, ScreenerCache

PARTY_KIND = "screened"


@dataclass(frozen=True)
class RunOutcome:
    run: ScreeningRun
    results: list[tuple[Party, Screening]]


@dataclass(frozen=True)
class Reviewed:
    """A party's newest result with the decisions recorded since (the run itself is kept as
    it was)."""

    party: Party
    result: ScreeningResult
    hits: list[dict[str, Any]]

    @property
    def to_review(self) -> int:
        """Hits no reviewer has decided on (for this version of the list entry)."""
        return sum(1 for h in self.hits if h["decision"] is None)

    @property
    def suppressed(self) -> int:
        return sum(1 for h in self.hits if h["suppressed"])

    @property
    def confirmed(self) -> int:
        return sum(
            1 for h in self.hits if (h["decision"] or {}).get("verdict") == Verdict.TRUE_MATCH
        )


@dataclass(frozen=True)
class RescreenReport:
    run: ScreeningRun
    parties: int
    changes: list[Change]


def _records(hits: Sequence[dict[str, Any]]) -> list[HitRecord]:
    return [
        HitRecord(
            h["entry_key"],
            h["fingerprint"],
            h["list"],
            h["listing_status"],
            h["score"],
            h["suppressed"],
        )
        for h in hits
    ]


class ScreeningService:
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
        self.lists = ListService(session, actor, rulebook, matcher, now, cache)

    # ------------------------------------------------------------------ parties and decisions

    def _party(self, query: PartyQuery, known: dict[tuple[str, str | None], Party]) -> Party:
        party = known.get((query.name, query.country))
        if party is not None:
            stored = party.identifiers or {}
            ids = sorted(set(stored.get("ids", [])) | query.identifiers)
            aliases = list(dict.fromkeys([*stored.get("aliases", []), *query.aliases]))
            if ids != stored.get("ids", []) or aliases != stored.get("aliases", []):
                party.identifiers = {**stored, "ids": ids, "aliases": aliases}
        if party is None:
            party = Party(
                org_id=self.actor.org_id,
                name=query.name,
                country=query.country,
                kind=PARTY_KIND,
                identifiers={"ids": sorted(query.identifiers), "aliases": list(query.aliases)},
                created_at=self.now(),
            )
            self.session.add(party)
            known[(query.name, query.country)] = party
        return party

    def _known_parties(self) -> dict[tuple[str, str | None], Party]:
        rows = self.session.scalars(
            select(Party).where(Party.org_id == self.actor.org_id).order_by(Party.id)
        )
        known: dict[tuple[str, str | None], Party] = {}
        for party in rows:  # the first of any same-named records made before they were refused
            known.setdefault((party.name, party.country), party)
        return known

    def _decisions(self, party_ids: Sequence[int]) -> dict[int, dict[str, Decision]]:
        found: dict[int, dict[str, Decision]] = {}
        rows = self.session.scalars(
            select(ScreeningDecisionRow)
            .where(
                ScreeningDecisionRow.org_id == self.actor.org_id,
                ScreeningDecisionRow.party_id.in_(party_ids),
            )
            .order_by(ScreeningDecisionRow.id)
        )
        for row in rows:  # the newest decision per entry wins
            found.setdefault(row.party_id, {})[row.entry_key] = Decision(
                row.entry_key,
                row.fingerprint,
                Verdict(row.verdict),
                row.reason,
                f"decision {row.id}",
            )
        return found

    # ------------------------------------------------------------------ runs

    def screen(
        self,
        queries: Sequence[PartyQuery],
        as_of: date,
        trigger: str = "batch",
        application_id: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> RunOutcome:
        """Screen parties, store every result with the matcher and list versions, and return
        them in input order."""
        self.lists.require(SCREENERS, "screen parties")
        known = self._known_parties()
        parties = [self._party(q, known) for q in queries]
        self.session.flush()
        decisions = self._decisions([p.id for p in parties])
        screener, versions = self.lists.screener()
        snapshot = self.rulebook.at(as_of)
        screenings = screener.screen_many(
            queries,
            snapshot,
            [decisions.get(p.id, {}) for p in parties],
            self.lists.links(),
            progress,
        )
        run = ScreeningRun(
            org_id=self.actor.org_id,
            as_of=as_of,
            matcher=self.matcher.name,
            threshold=self.matcher.threshold,
            list_versions=versions,
            rulebook_sha256=self.rulebook.sha256,
            trigger=trigger,
            application_id=application_id,
            parties=len(parties),
            open_hits=sum(len(s.open_hits) for s in screenings),
            created_by=self.actor.user_id or None,
            created_at=self.now(),
        )
        self.session.add(run)
        self.session.flush()
        for party, screening in zip(parties, screenings, strict=True):
            doc = screening_document(screening)
            self.session.add(
                ScreeningResult(
                    run_id=run.id,
                    org_id=self.actor.org_id,
                    party_id=party.id,
                    open_hits=doc["open_hits"],
                    hits=doc["hits"],
                    inactive=doc["not_in_force"],
                    ownership=doc["ownership"],
                )
            )
        self.session.flush()
        self.lists.record(
            "screening.run",
            "screening_run",
            str(run.id),
            {
                "trigger": trigger,
                "as_of": as_of.isoformat(),
                "matcher": run.matcher,
                "list_versions": versions,
                "parties": run.parties,
                "open_hits": run.open_hits,
            },
        )
        return RunOutcome(run, list(zip(parties, screenings, strict=True)))

    def screen_application(self, app: Application, on: date) -> RunOutcome:
        """Every party of an application (exporter, consignee, end user), on submission."""
        names = dict.fromkeys(n.strip() for n in (app.exporter, app.consignee, app.end_user))
        queries = [
            PartyQuery(name, None if name == app.exporter.strip() else app.destination)
            for name in names
            if name
        ]
        return self.screen(queries, on, trigger="application", application_id=app.id)

    def run(self, run_id: int) -> tuple[ScreeningRun, list[tuple[Party, ScreeningResult]]]:
        run = self.session.get(ScreeningRun, run_id)
        if run is None or run.org_id != self.actor.org_id:
            raise NotFoundError("not_found", f"no screening run {run_id}")
        rows = self.session.execute(
            select(Party, ScreeningResult)
            .join(ScreeningResult, ScreeningResult.party_id == Party.id)
            .where(ScreeningResult.run_id == run.id)
            .order_by(ScreeningResult.id)
        ).all()
        return run, [(p, r) for p, r in rows]

    def runs(self, limit: int = 50, before: int | None = None) -> list[ScreeningRun]:
        """The newest runs first (below the id ``before``, if given)."""
        query = select(ScreeningRun).where(ScreeningRun.org_id == self.actor.org_id)
        if before is not None:
            query = query.where(ScreeningRun.id < before)
        return list(self.session.scalars(query.order_by(ScreeningRun.id.desc()).limit(limit)))

    def latest_results(self) -> dict[int, ScreeningResult]:
        """The newest stored result of every screened party."""
        newest = (
            select(func.max(ScreeningResult.id))
            .where(ScreeningResult.org_id == self.actor.org_id)
            .group_by(ScreeningResult.party_id)
        )
        rows = self.session.scalars(select(ScreeningResult).where(ScreeningResult.id.in_(newest)))
        return {r.party_id: r for r in rows}

    def reviewed(self) -> list[Reviewed]:
        """Every screened party's newest result, with the reviewers' current decisions."""
        latest = self.latest_results()
        decisions = self._decisions(list(latest))
        parties = self.session.scalars(select(Party).where(Party.id.in_(latest.keys())))
        out = []
        for party in parties:
            result = latest[party.id]
            mine = decisions.get(party.id, {})
            hits = []
            for hit in result.hits:
                decision = mine.get(hit["entry_key"])
                if decision is not None and decision.fingerprint == hit["fingerprint"]:
                    hit = {
                        **hit,
                        "decision": decision_document(decision),
                        "suppressed": decision.verdict is Verdict.FALSE_POSITIVE,
                    }
                hits.append(hit)
            out.append(Reviewed(party, result, hits))
        return out

    # ------------------------------------------------------------------ decisions

    def decide(self, party_id: int, entry_key: str, verdict: Verdict, reason: str) -> Decision:
        """Record a reviewer's decision on one hit of a party's newest result."""
        self.lists.require(DECIDERS, "decide on screening hits")
        if verdict is Verdict.FALSE_POSITIVE and not reason.strip():
            raise Invalid("reason_required", "a false positive needs a reason", "reason")
        latest = self.latest_results().get(party_id)
        hit = next(
            (h for h in (latest.hits if latest else []) if h["entry_key"] == entry_key), None
        )
        if hit is None:
            raise NotFoundError(
                "not_found", f"party {party_id} has no hit on {entry_key} in its newest screening"
            )
        row = ScreeningDecisionRow(
            org_id=self.actor.org_id,
            party_id=party_id,
            entry_key=entry_key,
            fingerprint=hit["fingerprint"],
            verdict=verdict.value,
            reason=reason.strip(),
            decided_by=self.actor.user_id or None,
            decided_at=self.now(),
        )
        self.session.add(row)
        self.session.flush()
        self.lists.record(
            f"screening.{verdict.value}",
            "party",
            str(party_id),
            {"entry_key": entry_key, "fingerprint": hit["fingerprint"], "reason": row.reason},
        )
        return Decision(entry_key, hit["fingerprint"], verdict, row.reason, f"decision {row.id}")

    # ------------------------------------------------------------------ re-screening

    def rescreen(
        self, as_of: date, progress: Callable[[int], None] | None = None
    ) -> RescreenReport:
        """Screen every stored party again (after a list change) and report what changed."""
        latest = self.latest_results()
        parties = list(
            self.session.scalars(
                select(Party).where(Party.id.in_(latest.keys())).order_by(Party.id)
            )
        )
        queries = list(
            {
                (p.name, p.country): PartyQuery(
                    p.name,
                    p.country,
                    frozenset(p.identifiers.get("ids", [])),
                    tuple(p.identifiers.get("aliases", [])),
                )
                for p in parties
            }.values()
        )
        if not queries:
            raise Invalid("nothing_to_rescreen", "no party has been screened yet")
        outcome = self.screen(queries, as_of, trigger="rescreen", progress=progress)
        changes: list[Change] = []
        for party, screening in outcome.results:
            doc = screening_document(screening)
            before = latest.get(party.id)
            changes.extend(
                changes_between(
                    party.name,
                    _records([*before.hits, *before.inactive]) if before else [],
                    _records([*doc["hits"], *doc["not_in_force"]]),
                    party.id,
                )
            )
        return RescreenReport(outcome.run, len(queries), changes)


def applications_screening(
    session: Session, org_id: int, application_ids: Sequence[int]
) -> dict[int, dict[str, Any] | None]:
    """The newest screening of each application's parties, in three queries for any number."""
    found: dict[int, dict[str, Any] | None] = dict.fromkeys(application_ids)
    if not application_ids:
        return found
    newest = (
        select(func.max(ScreeningRun.id))
        .where(
            ScreeningRun.org_id == org_id,
            one_of(session, ScreeningRun.application_id, application_ids),
        )
        .group_by(ScreeningRun.application_id)
    )
    runs = {
        r.id: r for r in session.scalars(select(ScreeningRun).where(ScreeningRun.id.in_(newest)))
    }
    parties: dict[int, list[dict[str, Any]]] = {run_id: [] for run_id in runs}
    rows = session.execute(
        select(Party, ScreeningResult)
        .join(ScreeningResult, ScreeningResult.party_id == Party.id)
        .where(ScreeningResult.run_id.in_(list(runs)))
        .order_by(ScreeningResult.id)
    ).all()
    for party, result in rows:
        parties[result.run_id].append(_party_summary(party, result))
    for run in runs.values():
        assert run.application_id is not None
        found[run.application_id] = {
            "run_id": run.id,
            "as_of": run.as_of.isoformat(),
            "matcher": run.matcher,
            "list_versions": run.list_versions,
            "open_hits": run.open_hits,
            "parties": parties[run.id],
        }
    return found


def _party_summary(party: Party, result: ScreeningResult) -> dict[str, Any]:
    return {
        "party_id": party.id,
        "name": party.name,
        "open_hits": result.open_hits,
        "hits": [
            {
                "list": h["list"],
                "limb": h["limb"],
                "listed_name": h["listed_name"],
                "listing_status": h["listing_status"],
                "score": h["score"],
                "suppressed": h["suppressed"],
                "entry_key": h["entry_key"],
            }
            for h in result.hits
        ],
        "ownership": result.ownership,
    }
