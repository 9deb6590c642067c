"""Pagination of the API's lists: ``?after=ID&limit=N`` (keyset, by id), and a ``Link`` header
with ``rel="next"`` while there may be more. A list stays a JSON array."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request, Response

from rarex.api.schemas import MAX_ID

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    after: int
    limit: int


def page_of(
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Only records with a larger id (a cursor).")
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many (up to {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
) -> Page:
    return Page(after, limit)


def paginated(
    request: Request,
    response: Response,
    page: Page,
    rows: list[dict[str, Any]],
    key: str = "id",
) -> list[dict[str, Any]]:
    """``rows`` (at most ``page.limit``, in id order) with the link to the next page."""
    if len(rows) == page.limit:
        following = request.url.include_query_params(after=rows[-1][key], limit=page.limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return rows
