"""The overview: the stored assessments' answers as of a chosen day, replayed over the days on
which the rulebook changes, with the measures of uncertain status and the answers that hang
on them, and what is at risk in the newest data set (revenue, products that would stop)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from rarex.api.schemas import Day
from rarex.api.security import DbSession, clock_of
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Verdict
from rarex.core.vocab import Status
from rarex.io.importers import InputInvalid
from rarex.services import overview
from rarex.services.datasets import DatasetService
from rarex.services.stored_exposure import StoredExposure, newest_version, stored_exposure
from rarex.web.base import PageRoute, Viewer, need, page, rulebook_of

router = APIRouter(route_class=PageRoute)


@dataclass(frozen=True)
class Change:
    measure: str
    before: Status
    after: Status


@dataclass(frozen=True)
class Stop:
    """A day on the history slider: a day on which some measure's status changes, or today."""

    day: date
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class UncertainMeasure:
    id: str
    title: str
    reasons: tuple[str, ...]


def history_stops(rulebook: RuleBook, today: date) -> list[Stop]:
    changes: dict[date, list[Change]] = {today: []}
    for measure_id in rulebook.instruments:
        for day, before, after in rulebook.transitions(measure_id):
            changes.setdefault(day, []).append(Change(measure_id, before, after))
    return [Stop(day, tuple(changes[day])) for day in sorted(changes)]


def uncertain_measures(rulebook: RuleBook, day: date) -> list[UncertainMeasure]:
    snapshot = rulebook.at(day)
    return [
        UncertainMeasure(
            m,
            rulebook.instruments[m].title.en,
            tuple(
                f"{limb.ref}: {limb.reason}"
                for limb in snapshot.measure(m).limbs
                if limb.status is Status.UNCERTAIN
            ),
        )
        for m in rulebook.instruments
        if snapshot.status(m) is Status.UNCERTAIN
    ]


def _nearest(stops: list[Stop], day: date) -> int:
    before = [i for i, s in enumerate(stops) if s.day <= day]
    return before[-1] if before else 0


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: DbSession,
    who: Annotated[Viewer, Depends(need("data:read"))],
    as_of: Day | None = None,
    step: Annotated[int | None, Query(ge=0, le=10_000)] = None,
) -> HTMLResponse:
    rulebook = rulebook_of(request)
    today = clock_of(request).today()
    stops = history_stops(rulebook, today)
    if as_of is None and step is not None:
        as_of = stops[min(step, len(stops) - 1)].day
    day = as_of or today
    index = _nearest(stops, day)
    datasets = DatasetService(session, who.actor, clock_of(request).now)
    assessed = overview.as_of(datasets, rulebook, day)
    at_risk, at_risk_errors = _at_risk(request, datasets, rulebook, day)
    counts = [
        (
            a,
            Counter(p.outcome for p in a.answers),
            Counter(p.worst_case for p in a.answers),
        )
        for a in assessed
    ]
    return page(
        request,
        "overview.html.j2",
        who,
        day=day,
        stops=stops,
        index=index,
        stop=stops[index] if stops[index].day == day else None,
        uncertain=uncertain_measures(rulebook, day),
        counts=counts,
        verdicts=list(Verdict),
        rulebook_sha256=rulebook.sha256,
        at_risk=at_risk,
        at_risk_errors=at_risk_errors,
    )


def _at_risk(
    request: Request, datasets: DatasetService, rulebook: RuleBook, day: date
) -> tuple[StoredExposure | None, list[str]]:
    """What is at risk in the newest data set: the deterministic figures only (no Monte
    Carlo), computed once for this request; the exposure page has the rest."""
    version = newest_version(datasets)
    if version is None:
        return None, []
    try:
        view = stored_exposure(
            datasets, rulebook, request.app.state.calendar, version.id, day, draws=0
        )
    except InputInvalid as exc:
        return None, [str(e) for e in exc.errors]
    return view, []
