"""HTTP routes for party screening: lists and their freshness, ownership links, screening runs
(synchronous for small batches, a background job with progress for files), reviewer decisions
and re-screening."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from pydantic import Field, field_validator
from sqlalchemy.orm import Session

from rarex.api.errors import RESPONSES
from rarex.api.pages import Page, newest_first_page_of, paginated
from rarex.api.schemas import MAX_ID, Body, Country, Day, Id, Text
from rarex.api.security import AppClock, DbSession, clock_of, require
from rarex.api.uploads import import_limits, saved_uploads
from rarex.core.matching import Matcher
from rarex.core.rulebook import RuleBook
from rarex.core.screening import PartyQuery, Verdict
from rarex.io.screening_inputs import read_parties_csv
from rarex.reports.screening import change_document, screening_document
from rarex.services.accounts import Actor
from rarex.services.lists import ScreenerCache, version_document
from rarex.services.screening import RunOutcome, ScreeningService
from rarex.services.screening_jobs import Jobs

router = APIRouter(tags=["screening"], responses=RESPONSES)
SYNC_LIMIT = 1000  # parties; larger batches go to a background job


class PartyToScreen(Body):
    name: str = Field(min_length=1, max_length=500)
    country: Country | None = None
    aliases: list[str] = Field(default=[], max_length=50)
    identifiers: list[str] = Field(default=[], max_length=50)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the name is blank")
        return value.strip()


class ScreenIn(Body):
    parties: list[PartyToScreen] = Field(min_length=1, max_length=SYNC_LIMIT)
    as_of: Day | None = None


class DecisionIn(Body):
    party_id: int = Field(ge=1, le=MAX_ID)
    entry_key: str = Field(min_length=1)
    verdict: Verdict
    reason: str = ""


class RescreenIn(Body):
    as_of: Day | None = None


def screening_for(request: Request, session: Session, actor: Actor) -> ScreeningService:
    """The screening service of this app (its matcher and screener cache) for one caller."""
    state = request.app.state
    rulebook: RuleBook = state.rulebook
    matcher: Matcher = state.matcher
    cache: ScreenerCache = state.screener_cache
    return ScreeningService(session, actor, rulebook, matcher, clock_of(request).now, cache)


def _run_document(outcome: RunOutcome) -> dict[str, Any]:
    run = outcome.run
    return {
        "run_id": run.id,
        "as_of": run.as_of.isoformat(),
        "matcher": run.matcher,
        "threshold": float(run.threshold),
        "list_versions": run.list_versions,
        "rulebook_sha256": run.rulebook_sha256,
        "open_hits": run.open_hits,
        "parties": [
            {"party_id": party.id, **screening_document(screening)}
            for party, screening in outcome.results
        ],
    }


@contextmanager
def _upload(file: UploadFile) -> Iterator[Path]:
    """The upload as a temporary file under its own name (errors then name the file)."""
    with saved_uploads({"file": file}) as paths:
        yield paths["file"]


@router.get("/screening/lists")
def list_freshness(
    clock: AppClock,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:read"))],
    as_of: Day | None = None,
) -> dict[str, Any]:
    day = as_of or clock.today()
    rows = screening_for(request, session, actor).lists.freshness(day)
    return {
        "as_of": day.isoformat(),
        "lists": [r.document() for r in rows],
    }


@router.post("/screening/lists", status_code=201)
def import_list(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("lists:write"))],
    kind: Annotated[Text, Form()],
    file: Annotated[UploadFile, File()],
    source: Annotated[Text | None, Form()] = None,
    list_id: Annotated[Text | None, Form(alias="list")] = None,
) -> dict[str, Any]:
    with _upload(file) as path:
        version, new = screening_for(request, session, actor).lists.import_list(
            kind, path, source, list_id, import_limits(request)
        )
    return version_document(version, new)


@router.post("/screening/ownership", status_code=201)
def load_ownership(
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("lists:write"))],
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    with _upload(file) as path:
        count = screening_for(request, session, actor).lists.load_ownership(
            path, import_limits(request)
        )
    return {"links": count}


@router.post("/screening/runs", status_code=201)
def screen_parties(
    clock: AppClock,
    body: ScreenIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:run"))],
) -> dict[str, Any]:
    queries = [
        PartyQuery(p.name.strip(), p.country, frozenset(p.identifiers), tuple(p.aliases))
        for p in body.parties
    ]
    outcome = screening_for(request, session, actor).screen(queries, body.as_of or clock.today())
    return _run_document(outcome)


@router.get("/screening/runs")
def list_runs(
    request: Request,
    response: Response,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:read"))],
    page: Annotated[Page, Depends(newest_first_page_of)],
) -> list[dict[str, Any]]:
    """Stored runs, the newest first."""
    runs = screening_for(request, session, actor).runs(page.limit, before=page.at)
    rows = [
        {
            "run_id": r.id,
            "as_of": r.as_of.isoformat(),
            "trigger": r.trigger,
            "application_id": r.application_id,
            "matcher": r.matcher,
            "list_versions": r.list_versions,
            "parties": r.parties,
            "open_hits": r.open_hits,
            "created_at": r.created_at.isoformat(),
        }
        for r in runs
    ]
    return paginated(request, response, page, rows, key="run_id")


@router.get("/screening/runs/{run_id}")
def get_run(
    run_id: Id,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:read"))],
) -> dict[str, Any]:
    run, rows = screening_for(request, session, actor).run(run_id)
    return {
        "run_id": run.id,
        "as_of": run.as_of.isoformat(),
        "trigger": run.trigger,
        "matcher": run.matcher,
        "threshold": float(run.threshold),
        "list_versions": run.list_versions,
        "rulebook_sha256": run.rulebook_sha256,
        "open_hits": run.open_hits,
        "parties": [
            {
                "party_id": party.id,
                "name": party.name,
                "country": party.country,
                "open_hits": result.open_hits,
                "hits": result.hits,
                "not_in_force": result.inactive,
                "ownership": result.ownership,
            }
            for party, result in rows
        ],
    }


@router.post("/screening/jobs", status_code=202)
def start_job(
    clock: AppClock,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:run"))],
    file: Annotated[UploadFile, File()],
    as_of: Annotated[Day | None, Form()] = None,
) -> dict[str, Any]:
    """Screen a CSV of parties in the background; poll the job for progress."""
    with _upload(file) as path:
        queries = read_parties_csv(
            path, import_limits(request)
        )  # a bad file is refused now, with every error
    jobs: Jobs = request.app.state.screening_jobs
    state = request.app.state
    job = jobs.start(
        lambda s: ScreeningService(
            s, actor, state.rulebook, state.matcher, clock.now, state.screener_cache
        ),
        actor.org_id,
        queries,
        as_of or clock.today(),
    )
    return job.document()


@router.get("/screening/jobs/{job_id}")
def job_status(
    job_id: str, request: Request, actor: Annotated[Actor, Depends(require("screening:read"))]
) -> dict[str, Any]:
    jobs: Jobs = request.app.state.screening_jobs
    return jobs.get(actor.org_id, job_id).document()


@router.post("/screening/decisions", status_code=201)
def decide(
    body: DecisionIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:decide"))],
) -> dict[str, Any]:
    decision = screening_for(request, session, actor).decide(
        body.party_id, body.entry_key, body.verdict, body.reason
    )
    return {
        "party_id": body.party_id,
        "entry_key": decision.entry_key,
        "fingerprint": decision.fingerprint,
        "verdict": decision.verdict.value,
        "reason": decision.reason,
    }


@router.post("/screening/rescreen")
def rescreen(
    clock: AppClock,
    body: RescreenIn,
    request: Request,
    session: DbSession,
    actor: Annotated[Actor, Depends(require("screening:run"))],
) -> dict[str, Any]:
    report = screening_for(request, session, actor).rescreen(body.as_of or clock.today())
    return {
        "run_id": report.run.id,
        "list_versions": report.run.list_versions,
        "parties": report.parties,
        "changes": [change_document(c) for c in report.changes],
    }
