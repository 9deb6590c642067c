"""The FastAPI app factory. Settings are passed in; nothing is read at import time."""

from __future__ import annotations

import gc
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import Session

from rarex import __version__
from rarex.api import errors, routes, screening_routes
from rarex.api.docs import install_docs
from rarex.api.middleware import BodyLimit, RefuseNulInQuery, SecurityHeaders
from rarex.api.security import Sessions
from rarex.clock import Clock
from rarex.core.audit import AuditKey
from rarex.core.matchers import matcher_for
from rarex.core.rulebook import RuleBook
from rarex.core.workdays import WorkdayCalendar
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.rule_loader import load_rules
from rarex.io.script import ChineseScript
from rarex.io.storage.db import make_engine, session_factory, unit_of_work
from rarex.services.applications import refresh_due_dates
from rarex.services.lists import ScreenerCache
from rarex.services.screening_jobs import Jobs, stop_orphaned_jobs
from rarex.settings import Settings
from rarex.web import pages

MIN_SECRET = 32


class ConfigurationError(RuntimeError):
    pass


def create_app(
    settings: Settings,
    *,
    demo: bool = False,
    rulebook: RuleBook | None = None,
    calendar: WorkdayCalendar | None = None,
    clock: Clock | None = None,
    prepare_database: bool = True,
) -> FastAPI:
    """The app. ``prepare_database``: at start, work out the stored due dates again and mark
    jobs left running by a stopped server as failed; ``rarex serve --workers N`` does that once,
    before its processes start, and builds each with :func:`from_environment`."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    if secret is None:
        if not demo:
            raise ConfigurationError(
                "set RAREX_SECRET_KEY (at least 32 characters); only the demo runs without one"
            )
        secret = secrets.token_urlsafe(48)
    if len(secret) < MIN_SECRET:
        raise ConfigurationError(f"RAREX_SECRET_KEY must have at least {MIN_SECRET} characters")
    audit_key = _audit_key(settings, demo)
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        if prepare_database:
            with unit_of_work(application.state.session_factory) as session:
                prepare(session, application.state.calendar)
        # The rulebook, matchers and dictionaries loaded above live as long as the process:
        # kept out of the collector's sight, a full collection under load walks only what
        # requests made (tens of milliseconds less at the tail).
        gc.freeze()
        yield
        gc.unfreeze()
        application.state.screening_jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        docs_url=None,
        redoc_url=None,
        title="rarex",
        version=__version__,
        lifespan=lifespan,
        description="China's export controls on rare earths and critical minerals: "
        "rules, assessments, licence applications and their deadlines.",
    )
    app.state.clock = clock = clock or settings.clock()
    app.state.behind_tls = settings.behind_tls
    app.state.session_factory = session_factory(engine, audit_key)
    app.state.engine = engine
    app.state.rulebook = rulebook or load_rules(settings.rules_dir).rulebook
    app.state.calendar = calendar or ChinaCalendar()
    app.state.import_limits = settings.import_limits()
    app.state.sessions = Sessions(secret, settings.session_hours * 3600)
    errors.install(app)
    try:
        app.state.matcher = matcher_for(settings.matcher, ChineseScript())
    except ValueError as exc:
        raise ConfigurationError(f"RAREX_MATCHER: {exc}") from None
    app.state.screener_cache = ScreenerCache()
    app.state.screening_jobs = Jobs(app.state.session_factory, clock.now)
    app.include_router(routes.router, prefix="/api")
    app.include_router(screening_routes.router, prefix="/api")
    pages.install(app)
    install_docs(app)
    app.add_middleware(RefuseNulInQuery)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders, behind_tls=settings.behind_tls)  # outermost: on 413 too
    return app


def prepare(session: Session, calendar: WorkdayCalendar) -> None:
    """What a server does once before it answers: work out the stored due dates again (the
    calendar may have been updated) and fail the screening jobs a stopped server left running."""
    refresh_due_dates(session, calendar)
    stop_orphaned_jobs(session)


def from_environment() -> FastAPI:
    """The app of one ``rarex serve --workers N`` process: settings from the environment, the
    database already prepared by the command."""
    return create_app(Settings(), prepare_database=False)


def _audit_key(settings: Settings, demo: bool) -> AuditKey:
    """The key of the audit chain: RAREX_AUDIT_KEY, or in the demo a new one for this run."""
    if settings.audit_key is None:
        if not demo:
            raise ConfigurationError(
                "set RAREX_AUDIT_KEY (at least 32 characters, kept outside the database): it "
                "keys the audit trail; only the demo runs without one"
            )
        return AuditKey(secrets.token_urlsafe(48))
    try:
        return AuditKey(settings.audit_key.get_secret_value())
    except ValueError as exc:
        raise ConfigurationError(f"RAREX_AUDIT_KEY: {exc}") from None
