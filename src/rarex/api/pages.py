"""Pagination of the API's lists: ``?after=ID&limit=N`` (keyset, by id), or ``?before=ID`` for
the lists that show the newest first, and a ``Link`` header with ``rel="next"`` while there may
be more. A list stays a JSON array."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request, Response

from rarex.api.schemas import MAX_ID

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Page:
    """``cursor`` is ``after`` (ids above it, ascending) or ``before`` (below it, newest first)."""

    cursor: str
    at: int
    limit: int

    @property
    def after(self) -> int:
        return self.at


Limit = Annotated[
    int, Query(ge=1, le=MAX_LIMIT, description=f"At most this many (up to {MAX_LIMIT}).")
]


def page_of(
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="Only records with a larger id (a cursor).")
    ] = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Page:
    return Page("after", after, limit)


def newest_first_page_of(
    before: Annotated[
        int, Query(ge=1, le=MAX_ID, description="Only records with a smaller id (a cursor).")
    ] = MAX_ID,
    limit: Limit = DEFAULT_LIMIT,
) -> Page:
    return Page("before", before, limit)


def paginated(
    request: Request,
    response: Response,
    page: Page,
    rows: list[dict[str, Any]],
    key: str = "id",
) -> list[dict[str, Any]]:
    """``rows`` (at most ``page.limit``, in id order) with the link to the next page."""
    if len(rows) == page.limit:
        following = request.url.include_query_params(
            **{page.cursor: rows[-1][key], "limit": page.limit}
        )
        response.headers["Link"] = f'<{following}>; rel="next"'
    return rows
