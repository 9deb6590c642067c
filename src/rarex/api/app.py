"""The FastAPI app factory. Settings are passed in; nothing is read at import time."""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from rarex import __version__
from rarex.api import errors, routes, screening_routes
from rarex.api.security import Sessions
from rarex.core.matchers import matcher_for
from rarex.core.rulebook import RuleBook
from rarex.core.workdays import WorkdayCalendar
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.rule_loader import load_rules
from rarex.io.script import ChineseScript
from rarex.io.storage.db import make_engine, session_factory
from rarex.services.lists import ScreenerCache
from rarex.services.screening_jobs import Jobs
from rarex.settings import Settings
from rarex.web import pages

MIN_SECRET = 32

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ConfigurationError(RuntimeError):
    pass


class BodyLimit:
    """Refuse request bodies larger than ``limit`` bytes with 413, before they are read."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _too_large(send, self.limit)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await _too_large(send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    payload = json.dumps(errors.body("too_large", f"the request body exceeds {limit} bytes"))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": payload.encode()})


def create_app(
    settings: Settings,
    *,
    demo: bool = False,
    rulebook: RuleBook | None = None,
    calendar: WorkdayCalendar | None = None,
) -> FastAPI:
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    if secret is None:
        if not demo:
            raise ConfigurationError(
                "set RAREX_SECRET_KEY (at least 32 characters); only the demo runs without one"
            )
        secret = secrets.token_urlsafe(48)
    if len(secret) < MIN_SECRET:
        raise ConfigurationError(f"RAREX_SECRET_KEY must have at least {MIN_SECRET} characters")
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[None]:
        yield
        application.state.screening_jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        title="rarex",
        version=__version__,
        lifespan=lifespan,
        description="China's export controls on rare earths and critical minerals: "
        "rules, assessments, licence applications and their deadlines.",
    )
    app.state.clock = settings.clock()
    app.state.session_factory = session_factory(engine)
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
    app.state.screening_jobs = Jobs()
    app.include_router(routes.router, prefix="/api")
    app.include_router(screening_routes.router, prefix="/api")
    pages.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    return app
