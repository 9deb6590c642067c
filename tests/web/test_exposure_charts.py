"""The exposure charts say in words how each input's stock compares with the lead time, and
draw the gap where the words say there is one."""

from __future__ import annotations

from datetime import date

import pytest

from rarex.core.exposure import Gate, ItemRisk, ProductRisk
from rarex.services.exposure import LeadTime
from rarex.web.exposure_charts import Runway, compact, revenue_chart, runway_chart, runway_words

DAY = date(2026, 11, 22)
STATUTORY = LeadTime(DAY, 45, date(2027, 1, 25), 64, True, "45 working days")
LOW = STATUTORY
HIGH = LeadTime(DAY, 60, date(2027, 2, 19), 89, True, "60 working days")


def item(
    cover: float | None,
    *,
    on_hand: float | None = 10.0,
    known: bool = True,
    used_up: bool = True,
    refused: bool = False,
) -> ItemRisk:
    lead = None if refused else 64.0
    gap = 0.0 if cover is None or lead is None else max(lead - cover, 0.0)
    return ItemRisk(
        part_id="X",
        gate=Gate("X", "licence_required", ("M/l1",)),
        on_hand=on_hand,
        daily_usage=1.0,
        usage_derived=False,
        days_of_cover=cover,
        cover_known=known,
        used_up=used_up,
        lead_time_days=lead,
        gap_days=64.0 if not known else gap,
        gap_days_if_refused=365.0,
    )


@pytest.mark.parametrize(
    ("risk", "state", "words"),
    [
        (item(28.5), Runway.GAP, "Gap: stock runs out 36 days before the statutory decision day"),
        (item(76.0), Runway.SHORT, "runs out 13 days before the reported upper end"),
        (item(120.0), Runway.COVERED, "Covers the statutory decision day and the reported range"),
        (item(None, on_hand=None, known=False), Runway.UNKNOWN, "no stock record"),
        (item(None, known=False), Runway.UNKNOWN, "its usage is unknown"),
        (item(None, used_up=False), Runway.UNLIMITED, "no gap"),
        (item(30.0, refused=True), Runway.REFUSED, "out of stock after 30 days"),
        (item(63.4), Runway.GAP, "runs out 1 day before"),
    ],
)
def test_each_state_is_said_in_words(risk: ItemRisk, state: Runway, words: str) -> None:
    found, sentence = runway_words(risk, STATUTORY, HIGH)
    assert found is state
    assert words in sentence


def test_the_gap_runs_from_the_end_of_cover_to_the_decision_day() -> None:
    chart = runway_chart((item(28.5), item(120.0)), STATUTORY, LOW, HIGH)
    gap, covered = chart.rows
    assert gap.gap_x == pytest.approx(112.0 + gap.cover_width)
    assert gap.gap_x + gap.gap_width == pytest.approx(chart.statutory_x)
    assert covered.gap_width == 0.0 and covered.short == "covered"
    assert chart.reported_x[0] == chart.statutory_x < chart.reported_x[1]
    assert chart.axis_days >= 120.0


def test_products_without_sales_get_words_not_bars() -> None:
    known = ProductRisk("A", (), 10.0, 365.0, 100.0, 1000.0, 36500.0, "EUR", ())
    unknown = ProductRisk("B", (), 10.0, 365.0, None, None, None, None, ())
    chart = revenue_chart((known, unknown), None, "EUR")
    a, b = chart.rows
    assert [bar.kind for bar in a.bars] == ["statutory", "refused"]
    assert a.bars[1].width > a.bars[0].width
    assert b.bars == () and b.unknown == "revenue unknown: no sales figures"
    assert compact(5_472_705) == "5.47 M" and compact(10_000_000) == "10 M"
