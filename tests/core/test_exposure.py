"""Content, cover, lead-time gaps and revenue at risk, checked by hand (tests/exposure_data.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rarex.core.exposure import (
    DAYS_PER_MONTH,
    Items,
    Sales,
    Stock,
    build_items,
    explode,
    lead_time_risk,
    lost_days,
    product_content,
)
from rarex.io.commercial import part_facts
from tests.exposure_data import GATES, company

SALES = {
    "P": Sales(365, 36_500, "EUR"),
    "Q": Sales(730, 7_300, "EUR"),
}  # a day: 1 and 2 units, 100 and 20 EUR
# X: 22 kg for 2.2 kg a day (derived: 0.2 in P, 2 in Q) = 10 days; Y: 10 kg at 0.5 kg a day
# = 20 days; G: no stock record.
STOCK = {"X": Stock(22, None), "Y": Stock(10, 0.5 * DAYS_PER_MONTH)}


def test_content_by_value_item_element_and_mass(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    table = explode(dataset, ["P", "Q"], ["X", "Y", "G"])
    # G is counted as a whole: the X inside it is not counted again
    np.testing.assert_allclose(table.quantity, [[0.2, 0.5, 1.0], [1.0, 0.0, 0.0]])
    facts = part_facts(dataset)
    p, q = product_content(dataset, table, GATES, facts.masses, facts.plants)
    assert p.value == pytest.approx(0.2 * 50 + 0.5 * 20 + 10)
    assert p.value_by_input == pytest.approx({"X": 10.0, "Y": 10.0, "G": 10.0})
    assert p.value_by_item == pytest.approx({"CN-2025-18/dy-metal": 10, "CN-2025-18/sm-metal": 10})
    assert p.value_by_element == pytest.approx({"Dy": 10.0, "Sm": 10.0})
    assert p.plant == "Bonn"
    # Y has no mass: the mass is incomplete and says so, never a silent zero
    assert p.mass_kg is None
    assert p.mass_missing == ("Y",)
    assert p.mass_known_kg == pytest.approx(0.2 * 1 + 1 * 2)
    assert p.mass_by_element_kg == pytest.approx({"Dy": 0.2 * 0.995})
    assert q.mass_kg == pytest.approx(1.0)


def test_days_of_cover_gaps_and_revenue_at_risk(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    table = explode(dataset, ["P", "Q"], ["X", "Y", "G"])
    items = build_items(table, [], GATES, SALES, STOCK)
    item_risks, risks = lead_time_risk(items, GATES, SALES, STOCK, lead_time_days=40)
    by_item = {i.part_id: i for i in item_risks}
    assert by_item["X"].days_of_cover == pytest.approx(10.0)
    assert by_item["X"].usage_derived
    assert by_item["Y"].days_of_cover == pytest.approx(20.0)
    assert by_item["G"].days_of_cover is None and not by_item["G"].cover_known
    assert [by_item[k].gap_days for k in "XYG"] == pytest.approx([30.0, 20.0, 40.0])
    p, q = risks
    # P stops from day 0 (no stock of G) until the licences arrive on day 40
    assert (p.lost_days, p.units_at_risk, p.revenue_at_risk) == pytest.approx((40, 40, 4_000))
    assert "no stock record for G: counted as none" in p.notes
    assert (q.lost_days, q.units_at_risk, q.revenue_at_risk) == pytest.approx((30, 60, 600))
    # refused: out of stock until the end of the horizon
    assert p.revenue_at_risk_if_refused == pytest.approx(36_500)
    assert q.revenue_at_risk_if_refused == pytest.approx((365 - 10) * 20)


def test_unknown_sales_leave_revenue_at_risk_unknown(tmp_path: Path) -> None:
    dataset = company(tmp_path)
    table = explode(dataset, ["P", "Q"], ["X", "Y", "G"])
    sales = {"P": SALES["P"]}
    items = build_items(table, [], GATES, sales, STOCK)
    item_risks, risks = lead_time_risk(items, GATES, sales, STOCK, lead_time_days=40)
    # X's usage can no longer be derived (Q has no volume): its cover is unknown, counted as 0
    x = next(i for i in item_risks if i.part_id == "X")
    assert not x.cover_known and x.gap_days == 40
    q = risks[1]
    assert q.revenue_at_risk is None and q.units_at_risk is None
    assert "no sales figures: units and revenue at risk unknown" in q.notes


def _items(covers: list[float], products: list[list[int]]) -> Items:
    edges = sorted((g, k) for g, ks in enumerate(products) for k in ks)
    edges.sort(key=lambda e: (e[0], covers[e[1]]))
    edge_product = np.array([e[0] for e in edges])
    _, starts = np.unique(edge_product, return_index=True)
    n = len(covers)
    return Items(
        ids=tuple(f"I{k}" for k in range(n)),
        cover_days=np.array(covers, dtype=float),
        cover_known=np.ones(n, dtype=bool),
        daily_usage=np.ones(n),
        usage_derived=np.zeros(n, dtype=bool),
        denied=np.zeros(n, dtype=bool),
        products=tuple(f"P{g}" for g in range(len(products))),
        edge_product=edge_product,
        edge_item=np.array([e[1] for e in edges]),
        group_start=starts.astype(np.int64),
    )


def test_lost_days_are_the_union_of_the_gaps() -> None:
    # item 0 out of stock on days [10, 20), item 1 on [40, 50): 20 days, not 40
    items = _items([10, 40, 15], [[0, 1], [0, 2], [2]])
    arrival = np.array([[20.0, 50.0, 30.0], [20.0, 100.0, np.inf]])  # two draws
    lost = lost_days(items, arrival, horizon=365).T
    # product 0: [10,20) + [40,50) = 20; or [10,20) + [40,100) = 70
    # product 1: [10,20) and [15,30) overlap: [10,30) = 20; or [10,20) + [15,365) = 355
    # product 2: [15,30) = 15; refused: [15,365) = 350
    np.testing.assert_allclose(lost, [[20, 70], [20, 355], [15, 350]])
