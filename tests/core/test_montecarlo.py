"""The Monte Carlo: seeded and reproducible, and converging to the analytic expectation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rarex.core.exposure import DAYS_PER_MONTH, ContentTable, Gate, Items, Sales, Stock, build_items
from rarex.core.montecarlo import EmpiricalDelay, LognormalDelay, simulate_lost_days, summarise

GATE = {"X": Gate("X", "licence_required", ("CN-2025-18/main",))}
SALES = {"P": Sales(365, 36_500, "EUR")}  # 100 EUR a day


def one_input(cover_days: float) -> Items:
    """One product needing one unit of one item a day, with ``cover_days`` of stock."""
    table = ContentTable(("P",), ("X",), np.array([[1.0]]))
    return build_items(table, [], GATE, SALES, {"X": Stock(cover_days, DAYS_PER_MONTH)})


def many_inputs() -> Items:
    rng = np.random.default_rng(7)
    table = ContentTable(
        tuple(f"P{i}" for i in range(5)),
        tuple(f"X{j}" for j in range(40)),
        (rng.random((5, 40)) < 0.3).astype(float),
    )
    gates = {f"X{j}": Gate(f"X{j}", "licence_required", ()) for j in range(40)}
    stock = {f"X{j}": Stock(float(j * 3), None) for j in range(40)}
    sales = {f"P{i}": Sales(365.0 * (i + 1), 1000.0, "EUR") for i in range(5)}
    return build_items(table, [], gates, sales, stock)


def test_same_seed_same_answer_whatever_the_memory_budget() -> None:
    items = many_inputs()
    delay = LognormalDelay(60, 0.4)
    first = simulate_lost_days(items, delay, 0.1, draws=1_200, seed=42)
    again = simulate_lost_days(items, delay, 0.1, draws=1_200, seed=42)
    chunked = simulate_lost_days(items, delay, 0.1, draws=1_200, seed=42, memory_budget=1)
    other = simulate_lost_days(items, delay, 0.1, draws=1_200, seed=43)
    assert np.array_equal(first, again)
    assert np.array_equal(first, chunked)
    assert not np.array_equal(first, other)


def test_converges_to_the_expectation_of_an_empirical_delay() -> None:
    # cover 45 days; delays 30, 60 or 90 days; 10 % refused (then 365 - 45 = 320 days lost):
    # E[lost] = 0.1 * 320 + 0.9 * (0 + 15 + 45) / 3 = 50 days, i.e. 5,000 EUR
    items = one_input(45)
    delay = EmpiricalDelay((30.0, 60.0, 90.0))
    lost = simulate_lost_days(items, delay, 0.1, draws=200_000, seed=1)
    result = summarise(
        items, lost, [36_500.0], ["EUR"], seed=1, denial_probability=0.1, delay=delay
    ).products[0]
    assert result.lost_days_mean == pytest.approx(50, abs=1.0)  # 4 standard errors
    assert result.revenue_at_risk_mean == pytest.approx(5_000, abs=100)
    # a stock-out happens unless the delay is 30 days and the licence is granted
    assert result.probability_of_stockout == pytest.approx(1 - 0.9 / 3, abs=0.01)
    assert result.revenue_at_risk_p50 == pytest.approx(15 * 100)
    assert result.revenue_at_risk_p95 == pytest.approx(320 * 100)


def _call(forward: float, k: float, mu: float, sigma: float) -> float:
    """E[(D - k)+] for a lognormal D (the Black-Scholes formula with no discounting)."""
    d1 = (mu + sigma**2 - math.log(k)) / sigma
    return forward * _phi(d1) - k * _phi(d1 - sigma)


def _phi(x: float) -> float:
    """The standard normal distribution function."""
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def test_converges_to_the_expectation_of_a_lognormal_delay() -> None:
    cover, horizon, median, sigma = 45.0, 365.0, 60.0, 0.3
    mu = math.log(median)
    forward = math.exp(mu + sigma**2 / 2)
    expected = _call(forward, cover, mu, sigma) - _call(forward, horizon, mu, sigma)
    lost = simulate_lost_days(one_input(cover), LognormalDelay(median, sigma), 0.0, 100_000, 3)
    standard_error = float(lost.std()) / math.sqrt(lost.size)
    assert float(lost.mean()) == pytest.approx(expected, abs=4 * standard_error)


def test_refused_items_never_arrive() -> None:
    items = one_input(100)
    lost = simulate_lost_days(items, EmpiricalDelay((10.0,)), 1.0, draws=10, seed=0)
    assert np.all(lost == 265)


def test_denial_probability_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        simulate_lost_days(one_input(10), EmpiricalDelay((10.0,)), 1.5, draws=10, seed=0)
