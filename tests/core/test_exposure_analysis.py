"""The whole exposure of the demo company, and the October 2025 measures resuming."""

from __future__ import annotations

from datetime import date

import pytest

from rarex.core.exposure_analysis import resumption_assumptions
from rarex.core.verdict import Verdict
from rarex.core.vocab import Status
from rarex.core.workdays import WorkdayCalendar
from rarex.io.importers import load_dataset
from rarex.io.rule_loader import load_rules
from rarex.services.exposure import (
    ExposureReport,
    demo_exposure,
    demo_paths,
    exposure_report,
    load_commercial,
)

RULEBOOK = load_rules().rulebook
DAY = date(2026, 11, 22)


class Weekdays(WorkdayCalendar):
    """Monday to Friday: 45 working days from Sunday 22 November end on Friday 22 January."""

    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5

    def is_official(self, day: date) -> bool:
        return True


@pytest.fixture(scope="module")
def report() -> ExposureReport:
    return demo_exposure(DAY, rulebook=RULEBOOK, draws=2_000, seed=5, resume_on=date(2026, 12, 1))


def test_resumption_reads_the_suspended_measures_from_the_rulebook() -> None:
    assumed, by = resumption_assumptions(RULEBOOK)
    assert by == ("CN-2025-70",)
    assert set(assumed) == {
        "CN-2025-55",
        "CN-2025-56",
        "CN-2025-57",
        "CN-2025-58",
        "CN-2025-61",
        "CN-2025-62",
    }
    assert set(assumed.values()) == {Status.IN_FORCE}


def test_demo_exposure_names_the_items_and_the_missing_facts(report: ExposureReport) -> None:
    e = report.exposure
    assert set(e.gates) == {
        "DY-METAL",
        "TB-METAL",
        "SM-METAL",
        "GD-METAL",
        "ANODE-SG",
        "WC-POWDER",
        "GAN-WAFER",
    }
    assert e.uncertain == ("CELL-21700",)  # Ann. 58/2025: suspended, then uncertain
    radar = next(c for c in e.contents if c.part_id == "RADAR-X")
    assert radar.mass_kg is None and radar.mass_missing == ("GAN-WAFER",)
    assert e.unknown_inputs["PUMP-E"] == ("PUMP-MOTOR", "BONDED-MAG")
    ostrava = next(p for p in e.plants if p.plant == "Ostrava")
    assert ostrava.incomplete == ("PUMP-E",)
    motor = next(c for c in e.contents if c.part_id == "EVM-200")
    # 16 magnets x (2 g Dy at 300 EUR/kg + 0.5 g Tb at 1,000 EUR/kg)
    assert motor.value == pytest.approx(16 * (0.002 * 300 + 0.0005 * 1000))
    assert motor.value_by_element == pytest.approx({"Dy": 9.6, "Tb": 8.0})


def test_resuming_measures_changes_outcomes_and_adds_revenue_at_risk(
    report: ExposureReport,
) -> None:
    resumption = report.resumption
    assert resumption is not None
    changed = {c.part_id: c for c in resumption.changes}
    motor = changed["EVM-200"]
    assert (motor.outcome_before, motor.outcome_after) == (
        Verdict.NO_LICENCE_REQUIRED,
        Verdict.LICENCE_REQUIRED,
    )
    assert changed["PACK-48V"].newly_gated == ("CELL-21700",)
    assert resumption.currency == "EUR"
    assert resumption.revenue_newly_at_risk is not None
    assert resumption.revenue_newly_at_risk > 0
    assert resumption.revenue_newly_at_risk == pytest.approx(
        sum(
            (c.revenue_at_risk_after or 0) - (c.revenue_at_risk_before or 0)
            for c in changed.values()
        )
    )


def test_statutory_lead_time_in_calendar_days_from_working_days(tmp_path: object) -> None:

    paths = demo_paths()
    dataset = load_dataset(parts=paths["parts"], bom=paths["bom"])
    commercial = load_commercial(dataset, paths["sales"], paths["inventory"])
    result = exposure_report(RULEBOOK, dataset, DAY, commercial, draws=0, calendar=Weekdays())
    assert result.lead_time.calendar_days == 61  # 9 weeks less the Saturday and Sunday
    assert result.lead_time.due == date(2027, 1, 22)
    dy = next(i for i in result.exposure.items if i.part_id == "DY-METAL")
    # 60 kg at 768 kg a year (24,000 motors x 32 g) = 28.5 days; gap 61 - 28.5
    assert dy.days_of_cover == pytest.approx(60 / (768 / 365))
    assert dy.gap_days == pytest.approx(61 - 60 / (768 / 365))
    assert result.exposure.simulation is None


def test_the_monte_carlo_is_reproducible_through_the_service() -> None:
    first = demo_exposure(DAY, rulebook=RULEBOOK, draws=500, seed=9, denial_probability=0.2)
    again = demo_exposure(DAY, rulebook=RULEBOOK, draws=500, seed=9, denial_probability=0.2)
    assert first.exposure.simulation == again.exposure.simulation
    assert first.exposure.simulation is not None
    motor = next(p for p in first.exposure.simulation.products if p.part_id == "EVM-200")
    assert motor.revenue_at_risk_p95 is not None and motor.revenue_at_risk_p50 is not None
    assert motor.revenue_at_risk_p95 >= motor.revenue_at_risk_p50
