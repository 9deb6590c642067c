"""The rules timeline: per measure, the windows in which it is in force, suspended or of
uncertain status, drawn as an SVG Gantt chart with the same windows as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from rarex.api.schemas import Day
from rarex.api.security import clock_of
from rarex.core.rulebook import RuleBook
from rarex.core.timeline import StatusWindow, clip, measure_windows
from rarex.core.vocab import Status
from rarex.services.errors import Invalid
from rarex.web.base import PageRoute, Viewer, need, page, rulebook_of

router = APIRouter(route_class=PageRoute)

DRAWN = (Status.IN_FORCE, Status.SUSPENDED, Status.UNCERTAIN)
LABEL_WIDTH = 250.0
PLOT_WIDTH = 950.0
ROW_HEIGHT = 20.0
AXIS_HEIGHT = 22.0


@dataclass(frozen=True)
class Bar:
    x: float
    width: float
    status: str
    start: date
    end: date


@dataclass(frozen=True)
class Row:
    measure: str
    title: str
    y: float
    bars: tuple[Bar, ...]
    windows: tuple[StatusWindow, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    first: date
    last: date
    width: float
    height: float
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    today_x: float | None
    hidden: tuple[str, ...]  # measures with nothing to draw in the period


def chart(rulebook: RuleBook, first: date, last: date, today: date) -> Chart:
    span = (last - first).days + 1

    def x_of(day: date) -> float:
        return LABEL_WIDTH + PLOT_WIDTH * (day - first).days / span

    rows: list[Row] = []
    hidden: list[str] = []
    for measure_id, instrument in rulebook.instruments.items():
        windows = tuple(clip(measure_windows(rulebook, measure_id), first, last))
        bars = tuple(
            Bar(
                x_of(w.start),
                max(x_of(w.end + timedelta(days=1)) - x_of(w.start), 1.0),
                w.status.value,
                w.start,
                w.end,
            )
            for w in windows
            if w.status in DRAWN and w.end is not None
        )
        if not bars:
            hidden.append(measure_id)
            continue
        y = AXIS_HEIGHT + ROW_HEIGHT * len(rows)
        rows.append(Row(measure_id, instrument.title.en, y, bars, windows))
    ticks = tuple(
        Tick(x_of(date(year, 1, 1)), str(year))
        for year in range(first.year, last.year + 1)
        if first <= date(year, 1, 1) <= last
    )
    return Chart(
        first,
        last,
        LABEL_WIDTH + PLOT_WIDTH,
        AXIS_HEIGHT + ROW_HEIGHT * len(rows) + 4,
        tuple(rows),
        ticks,
        x_of(today) if first <= today <= last else None,
        tuple(hidden),
    )


@router.get("/rules/timeline", response_class=HTMLResponse)
def timeline_page(
    request: Request,
    who: Annotated[Viewer, Depends(need("rules:read"))],
    start: Day | None = None,
    end: Day | None = None,
) -> HTMLResponse:
    today = clock_of(request).today()
    first = start or date(2023, 1, 1)
    last = end or today + timedelta(days=365)
    if last <= first:
        raise Invalid("invalid_period", "the end of the period must come after its start", "end")
    return page(
        request,
        "timeline.html.j2",
        who,
        chart=chart(rulebook_of(request), first, last, today),
        drawn=[s.value for s in DRAWN],
    )
