"""The exposure answer as one call: for the dashboard, the CLI and scripts.

``exposure_report`` takes a validated dataset with its commercial facts and the options of
the lead-time scenarios, turns working days into calendar days on China's official calendar,
and returns a typed ``ExposureReport``. ``demo_exposure`` does the same for the bundled demo
company (``rarex/demo``: parts, BOM, sales and inventory).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from rarex.core.exposure_analysis import (
    Commercial,
    Exposure,
    Resumption,
    Scenario,
    analyse,
    resume_scenario,
)
from rarex.core.montecarlo import DelayModel, EmpiricalDelay
from rarex.core.parts import Dataset
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment
from rarex.core.vocab import EndUse, EndUserType
from rarex.core.workdays import REVIEW_WORKING_DAYS, WorkdayCalendar, add_workdays
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.commercial import load_inventory, load_sales, part_facts
from rarex.io.importers import load_dataset
from rarex.io.limits import DEFAULT_LIMITS, ImportLimits
from rarex.io.rule_loader import load_rules

# Industry reports put approvals under Ann. 18/2025 at about 45-60 working days (fact sheet,
# source S38, secondary); the default delay model draws uniformly from that range.
REPORTED_DELAY_WORKING_DAYS = (45, 60)
REPORTED_DELAY_SOURCE = "S38"
DEMO_SHIPMENT = Shipment("DE", "US", "Example Automotive Inc.", EndUserType.CIVIL, EndUse.CIVIL)


@dataclass(frozen=True)
class LeadTime:
    """The statutory decision day of a licence applied for on ``applied_on``."""

    applied_on: date
    working_days: int
    due: date
    calendar_days: int  # from the as-of date (when stock is counted) to ``due``
    provisional: bool  # part of the period lies beyond the published holiday schedule
    basis: str


@dataclass(frozen=True)
class ExposureReport:
    """Everything the exposure analysis answers, as typed values."""

    exposure: Exposure
    lead_time: LeadTime
    resumption: Resumption | None
    source: str


def lead_time(
    calendar: WorkdayCalendar, as_of: date, applied_on: date, working_days: int
) -> LeadTime:
    """``working_days`` China working days after ``applied_on``, in calendar days from as-of."""
    due, _, provisional = add_workdays(calendar, applied_on, working_days)
    return LeadTime(
        applied_on=applied_on,
        working_days=working_days,
        due=due,
        calendar_days=(due - as_of).days,
        provisional=provisional,
        basis=f"{working_days} working days on China's official calendar (Reg. Art. 17(1))",
    )


def reported_delay(
    calendar: WorkdayCalendar, as_of: date, applied_on: date, low: int, high: int
) -> EmpiricalDelay:
    """Delays uniform over ``low``-``high`` working days, as calendar days from as-of."""
    days = tuple(
        float(lead_time(calendar, as_of, applied_on, n).calendar_days) for n in range(low, high + 1)
    )
    return EmpiricalDelay(days, label=f"{low}-{high} working days, uniform")


def load_commercial(
    dataset: Dataset,
    sales: Path | None = None,
    inventory: Path | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> Commercial:
    """Sales, stock, masses and plants from the optional part columns and files.

    A sales file's rows replace the part columns' figures for the same product. Raises
    ``InputInvalid`` with every error.
    """
    facts = part_facts(dataset)
    sold = dict(facts.sales)
    if sales is not None:
        sold.update(load_sales(sales, dataset, limits))
    stock = load_inventory(inventory, dataset, limits) if inventory is not None else {}
    return Commercial(sales=sold, stock=stock, masses=facts.masses, plants=facts.plants)


def exposure_report(
    rulebook: RuleBook,
    dataset: Dataset,
    as_of: date,
    commercial: Commercial,
    *,
    lead_time_working_days: int = REVIEW_WORKING_DAYS,
    applied_on: date | None = None,
    delay: DelayModel | None = None,
    denial_probability: float = 0.0,
    draws: int = 10_000,
    seed: int = 0,
    horizon_days: float = 365.0,
    include_uncertain: bool = False,
    shipment: Shipment | None = None,
    inputs_to: str | None = None,
    resume_on: date | None = None,
    calendar: WorkdayCalendar | None = None,
) -> ExposureReport:
    """The exposure of ``dataset`` on ``as_of`` under the given lead-time scenario.

    ``delay`` defaults to the reported 45-60 working days; ``resume_on`` adds the case of the
    suspended October 2025 measures resuming on that day.
    """
    calendar = calendar or ChinaCalendar()
    start = applied_on or as_of
    statutory = lead_time(calendar, as_of, start, lead_time_working_days)
    scenario = Scenario(
        lead_time_days=float(statutory.calendar_days),
        delay=delay or reported_delay(calendar, as_of, start, *REPORTED_DELAY_WORKING_DAYS),
        denial_probability=denial_probability,
        draws=draws,
        seed=seed,
        horizon_days=horizon_days,
        include_uncertain=include_uncertain,
    )
    exposure = analyse(
        rulebook, dataset, as_of, scenario, commercial, shipment=shipment, inputs_to=inputs_to
    )
    resumption = None
    if resume_on is not None:
        resumed_lead = lead_time(calendar, resume_on, resume_on, lead_time_working_days)
        resumption = resume_scenario(
            rulebook,
            dataset,
            resume_on,
            Scenario(
                lead_time_days=float(resumed_lead.calendar_days),
                delay=scenario.delay,
                horizon_days=horizon_days,
                include_uncertain=include_uncertain,
            ),
            commercial,
            shipment=shipment,
            inputs_to=inputs_to,
        )
    return ExposureReport(exposure, statutory, resumption, dataset.source)


def demo_paths() -> dict[str, Path]:
    folder = Path(str(resources.files("rarex") / "demo"))
    return {name: folder / f"{name}.csv" for name in ("parts", "bom", "sales", "inventory")}


def demo_exposure(
    as_of: date,
    *,
    rulebook: RuleBook | None = None,
    draws: int = 10_000,
    seed: int = 0,
    denial_probability: float = 0.0,
    resume_on: date | None = None,
) -> ExposureReport:
    """The exposure of the bundled demo company, its products shipped from Germany to a US
    civil end user."""
    paths = demo_paths()
    dataset = load_dataset(parts=paths["parts"], bom=paths["bom"])
    commercial = load_commercial(dataset, paths["sales"], paths["inventory"])
    return exposure_report(
        rulebook or load_rules().rulebook,
        dataset,
        as_of,
        commercial,
        draws=draws,
        seed=seed,
        denial_probability=denial_probability,
        shipment=DEMO_SHIPMENT,
        resume_on=resume_on,
    )
