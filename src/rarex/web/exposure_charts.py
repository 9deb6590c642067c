"""The geometry and the words of the exposure page's two charts, computed here so that the
templates only draw: the runway of each licensed input against the licence lead time, and the
revenue at risk per product. Every bar has its figure and its meaning written beside it, so
colour is never the only signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from rarex.core.exposure import ItemRisk, ProductRisk
from rarex.core.montecarlo import ProductSimulation, Simulation
from rarex.services.exposure import LeadTime

LABEL = 112.0  # width of the label column, in SVG units
PLOT = 420.0  # width of the plot
NOTE = 150.0  # width of the words after the plot
AXIS = 30.0  # height of the axis above the rows
RUNWAY_ROW = 24.0
REVENUE_BAR = 11.0
REVENUE_GROUP = 3 * REVENUE_BAR + 12.0


class Runway(StrEnum):
    """How an input's stock compares with the lead time; each state is written in words."""

    GAP = "gap"
    SHORT = "short"  # covers the statutory day, not the reported upper end
    COVERED = "covered"
    UNKNOWN = "unknown"
    REFUSED = "refused"
    UNLIMITED = "unlimited"


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class RunwayRow:
    part_id: str
    y: float
    cover_width: float
    gap_x: float
    gap_width: float
    state: Runway
    words: str
    short: str  # the words beside the bar


@dataclass(frozen=True)
class RunwayChart:
    width: float
    height: float
    rows: tuple[RunwayRow, ...]
    ticks: tuple[Tick, ...]
    statutory_x: float
    reported_x: tuple[float, float]
    axis_days: float


def _axis(longest: float) -> tuple[float, float]:
    """The axis end (whole months of 30 days) and the tick step for days up to ``longest``."""
    end = max(30.0, math.ceil(longest * 1.05 / 30.0) * 30.0)
    return end, 30.0 if end <= 180 else 60.0


def _days(value: float) -> str:
    count = f"{value:.0f}"
    return f"{count} day" if count == "1" else f"{count} days"


def runway_words(item: ItemRisk, statutory: LeadTime, high: LeadTime) -> tuple[Runway, str]:
    """The state of one input's stock against the lead time, as a sentence."""
    if not item.cover_known:
        why = "no stock record" if item.on_hand is None else "its usage is unknown"
        return (
            Runway.UNKNOWN,
            f"Cover unknown ({why}): counted as none; a gap of {_days(item.gap_days)} "
            "until the statutory decision day",
        )
    if not item.used_up:
        return Runway.UNLIMITED, "Not consumed by the products sold: no gap"
    cover = item.days_of_cover or 0.0
    if item.lead_time_days is None:
        return (
            Runway.REFUSED,
            f"Licence refused or presumed denied: out of stock after {_days(cover)}",
        )
    if item.gap_days > 0:
        return (
            Runway.GAP,
            f"Gap: stock runs out {_days(item.gap_days)} before the statutory decision day",
        )
    if cover < high.calendar_days:
        return (
            Runway.SHORT,
            "Covers the statutory decision day; runs out "
            f"{_days(high.calendar_days - cover)} before the reported upper end "
            f"({high.working_days} working days)",
        )
    return Runway.COVERED, "Covers the statutory decision day and the reported range"


_SHORT = {
    Runway.GAP: "gap {gap:.0f} d",
    Runway.SHORT: "short of reported range",
    Runway.COVERED: "covered",
    Runway.UNKNOWN: "unknown: none counted",
    Runway.REFUSED: "refused: no licence",
    Runway.UNLIMITED: "not consumed",
}


def runway_chart(
    items: tuple[ItemRisk, ...], statutory: LeadTime, low: LeadTime, high: LeadTime
) -> RunwayChart:
    covers = [i.days_of_cover for i in items if i.days_of_cover is not None]
    end, step = _axis(max([float(high.calendar_days), *covers]))

    def x(days: float) -> float:
        return LABEL + PLOT * min(max(days, 0.0), end) / end

    rows = []
    for k, item in enumerate(items):
        state, words = runway_words(item, statutory, high)
        cover = end if state is Runway.UNLIMITED else (item.days_of_cover or 0.0)
        gap_end = (
            float(statutory.calendar_days)
            if state in (Runway.GAP, Runway.UNKNOWN)
            else (end if state is Runway.REFUSED else cover)
        )
        rows.append(
            RunwayRow(
                part_id=item.part_id,
                y=AXIS + RUNWAY_ROW * k,
                cover_width=x(cover) - LABEL,
                gap_x=x(cover),
                gap_width=max(x(gap_end) - x(cover), 0.0),
                state=state,
                words=words,
                short=_SHORT[state].format(gap=item.gap_days),
            )
        )
    ticks = tuple(Tick(x(d), f"{d:.0f}") for d in _frange(0.0, end, step))
    return RunwayChart(
        width=LABEL + PLOT + NOTE,
        height=AXIS + RUNWAY_ROW * len(items) + 6,
        rows=tuple(rows),
        ticks=ticks,
        statutory_x=x(statutory.calendar_days),
        reported_x=(x(low.calendar_days), x(high.calendar_days)),
        axis_days=end,
    )


@dataclass(frozen=True)
class RevenueBar:
    kind: str  # statutory, montecarlo, refused
    label: str
    short: str  # beside the bar
    y: float
    width: float
    value: float
    whisker: tuple[float, float, float] | None  # P50, P90, P95 x positions (Monte Carlo)


@dataclass(frozen=True)
class RevenueRow:
    part_id: str
    y: float
    bars: tuple[RevenueBar, ...]
    unknown: str | None  # why there are no bars


@dataclass(frozen=True)
class RevenueChart:
    width: float
    height: float
    rows: tuple[RevenueRow, ...]
    ticks: tuple[Tick, ...]
    currency: str | None


def compact(value: float) -> str:
    """A short amount for an axis label: 5.47 M, 52.5 k, 10 M, 76."""
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f}".rstrip("0").rstrip(".") + " M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:,.1f}".rstrip("0").rstrip(".") + " k"
    return f"{value:,.0f}"


def revenue_chart(
    risks: tuple[ProductRisk, ...], simulation: Simulation | None, currency: str | None
) -> RevenueChart:
    by_product: dict[str, ProductSimulation] = (
        {p.part_id: p for p in simulation.products} if simulation is not None else {}
    )
    values = [0.0]
    for risk in risks:
        values += [risk.revenue_at_risk or 0.0, risk.revenue_at_risk_if_refused or 0.0]
        sim = by_product.get(risk.part_id)
        if sim is not None:
            values.append(sim.revenue_at_risk_p95 or 0.0)
    top = max(values) or 1.0
    step = 10.0 ** math.floor(math.log10(top))
    end = math.ceil(top / step) * step
    if end / step > 6:
        step *= 2
        end = math.ceil(top / step) * step

    def w(value: float) -> float:
        return PLOT * value / end

    rows = []
    for k, risk in enumerate(risks):
        y = AXIS + REVENUE_GROUP * k
        if risk.revenue_at_risk is None:
            rows.append(RevenueRow(risk.part_id, y, (), "revenue unknown: no sales figures"))
            continue
        bars = [
            RevenueBar(
                "statutory",
                "statutory day",
                "statutory",
                y,
                w(risk.revenue_at_risk),
                risk.revenue_at_risk,
                None,
            )
        ]
        sim = by_product.get(risk.part_id)
        if sim is not None and sim.revenue_at_risk_mean is not None:
            whisker = tuple(
                LABEL + w(v or 0.0)
                for v in (sim.revenue_at_risk_p50, sim.revenue_at_risk_p90, sim.revenue_at_risk_p95)
            )
            bars.append(
                RevenueBar(
                    "montecarlo",
                    "simulated mean",
                    "mean",
                    y + REVENUE_BAR,
                    w(sim.revenue_at_risk_mean),
                    sim.revenue_at_risk_mean,
                    (whisker[0], whisker[1], whisker[2]),
                )
            )
        refused = risk.revenue_at_risk_if_refused or 0.0
        bars.append(
            RevenueBar(
                "refused", "if refused", "refused", y + 2 * REVENUE_BAR, w(refused), refused, None
            )
        )
        rows.append(RevenueRow(risk.part_id, y, tuple(bars), None))
    ticks = tuple(Tick(LABEL + w(v), compact(v)) for v in _frange(0.0, end, step))
    return RevenueChart(
        width=LABEL + PLOT + NOTE,
        height=AXIS + REVENUE_GROUP * len(risks) + 4,
        rows=tuple(rows),
        ticks=ticks,
        currency=currency,
    )


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = round((stop - start) / step)
    return [start + step * i for i in range(count + 1)]
