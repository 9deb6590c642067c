"""All dashboard pages in one router, and ``install`` to mount them with the static assets.
A new page is a module with an ``APIRouter(route_class=PageRoute)``, a template, a line in
``PAGES`` and, if it belongs in the navigation, a line in ``base.NAV``."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from rarex.web import (
    applications,
    assessments,
    auth,
    exposure,
    overview,
    screening,
    timeline,
    upload,
)

PAGES = (auth, overview, assessments, timeline, applications, screening, upload, exposure)

router = APIRouter()
for module in PAGES:
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """Serve the pages at ``/`` and their assets at ``/static`` (all from this package)."""
    app.include_router(router, include_in_schema=False)
    app.mount("/static", StaticFiles(packages=[("rarex.web", "static")]), name="static")
