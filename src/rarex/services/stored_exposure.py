"""The exposure of a stored dataset version, for the dashboard: its parts and BOM, its stored
sales and inventory, and the shipment of its stored assessments, run through
``exposure_report`` as of a day, with the US duty overlay and a short summary of what is at
risk. Read-only: nothing is stored.

Which shipment: the products' own need for a licence depends on where they ship from and to.
The shipment is taken from the version's stored assessment that covers the most products (the
newest of equals); without one, the shipment is unknown and the answers say what is missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rarex.core.duties import DutyOverlay, duty_overlay
from rarex.core.exposure import ProductRisk
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment
from rarex.core.workdays import WorkdayCalendar
from rarex.io.storage.tables import AssessmentRow, DatasetVersion
from rarex.services.commercial import CommercialService, StoredFacts
from rarex.services.datasets import DatasetService, stored_options
from rarex.services.exposure import (
    REPORTED_DELAY_SOURCE,
    REPORTED_DELAY_WORKING_DAYS,
    ExposureReport,
    LeadTime,
    exposure_report,
    lead_time,
)

PAGE_DRAWS = 2_000  # enough for stable percentiles of the demo, few enough to answer at once
PAGE_SEED = 0


@dataclass(frozen=True)
class RiskSummary:
    """What is at risk, added up over the products that depend on a licensed item.

    Amounts are added only within one currency; products without sales figures are listed,
    never counted as zero.
    """

    currency: str | None
    mixed_currencies: bool
    at_risk: float | None  # licences approved on the statutory decision day
    if_refused: float | None
    stopping: tuple[tuple[str, float], ...]  # products that stop, and for how many days
    stopping_if_refused: tuple[str, ...]
    without_sales: tuple[str, ...]
    gated_products: int


@dataclass(frozen=True)
class StoredExposure:
    version: DatasetVersion
    shipment: Shipment
    shipment_assessment: int | None  # the stored assessment the shipment comes from
    facts: StoredFacts
    report: ExposureReport
    reported: tuple[LeadTime, LeadTime]  # the reported range of approval times (S38)
    reported_source: str
    duties: DutyOverlay
    summary: RiskSummary
    missing: tuple[str, ...]  # inputs not given, in words
    draws: int
    seed: int


def newest_version(datasets: DatasetService) -> DatasetVersion | None:
    """The organisation's most recently stored dataset version, of any name."""
    versions = datasets.versions()
    return max(versions, key=lambda v: v.id) if versions else None


def shipment_of(datasets: DatasetService, version_id: int) -> tuple[Shipment, AssessmentRow | None]:
    """The shipment of the version's stored assessment that covers the most products."""
    rows = [r for r in datasets.assessments() if r.version_id == version_id]  # newest first
    if not rows:
        return Shipment(), None

    def covered(row: AssessmentRow) -> float:
        products = row.options.get("products")
        return float("inf") if products is None else float(len(products))

    best = max(rows, key=covered)  # max keeps the first (newest) of equals
    return stored_options(best)[0], best


def summarise(risks: Sequence[ProductRisk]) -> RiskSummary:
    currencies = {r.currency for r in risks if r.revenue_at_risk is not None}
    mixed = len(currencies) > 1
    known = [r for r in risks if r.revenue_at_risk is not None]
    return RiskSummary(
        currency=None if mixed or not currencies else next(iter(currencies)),
        mixed_currencies=mixed,
        at_risk=None if mixed or not known else sum(r.revenue_at_risk or 0.0 for r in known),
        if_refused=(
            None if mixed or not known else sum(r.revenue_at_risk_if_refused or 0.0 for r in known)
        ),
        stopping=tuple((r.part_id, r.lost_days) for r in risks if r.lost_days > 0),
        stopping_if_refused=tuple(r.part_id for r in risks if r.lost_days_if_refused > 0),
        without_sales=tuple(r.part_id for r in risks if r.revenue_at_risk is None),
        gated_products=len(risks),
    )


def missing_inputs(facts: StoredFacts, shipment_known: bool) -> tuple[str, ...]:
    out = []
    if facts.sales is None:
        out.append(
            "No sales file stored: revenue at risk is unknown for products without "
            "annual_volume and annual_revenue in the parts file."
        )
    if facts.stock is None:
        out.append(
            "No inventory file stored: every licensed input counts as having no stock, so "
            "production stops until its licence arrives."
        )
    if not shipment_known:
        out.append(
            "No stored assessment of this data set: the products' own shipment (from, to, "
            "end user) is unknown, so their own need for a licence may be undecided."
        )
    return tuple(out)


def stored_exposure(
    datasets: DatasetService,
    rulebook: RuleBook,
    calendar: WorkdayCalendar,
    version_id: int,
    as_of: date,
    *,
    draws: int = PAGE_DRAWS,
    seed: int = PAGE_SEED,
    resume_on: date | None = None,
) -> StoredExposure:
    """The exposure of a stored version as of ``as_of`` (``draws=0``: no Monte Carlo)."""
    version = datasets.version(version_id)
    dataset = datasets.dataset(version_id)
    facts = CommercialService(datasets, datasets.now).stored(version_id)
    shipment, source = shipment_of(datasets, version_id)
    report = exposure_report(
        rulebook,
        dataset,
        as_of,
        facts.commercial(dataset),
        draws=draws,
        seed=seed,
        shipment=shipment,
        resume_on=resume_on,
        calendar=calendar,
    )
    low, high = REPORTED_DELAY_WORKING_DAYS
    return StoredExposure(
        version=version,
        shipment=shipment,
        shipment_assessment=None if source is None else source.id,
        facts=facts,
        report=report,
        reported=(
            lead_time(calendar, as_of, as_of, low),
            lead_time(calendar, as_of, as_of, high),
        ),
        reported_source=REPORTED_DELAY_SOURCE,
        duties=duty_overlay(rulebook, dataset.parts, as_of),
        summary=summarise(report.exposure.risks),
        missing=missing_inputs(facts, source is not None),
        draws=draws,
        seed=seed,
    )
