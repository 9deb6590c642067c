"""Monte Carlo over licence approval delays and refusals: revenue at risk per product.

Each draw gives every gated item an approval delay (calendar days from the application) from
the delay model, or a refusal with the denial probability; the days each product stands
still follow from ``exposure.lost_days``, vectorised over items and draws. Draws are made in
fixed blocks, each with its own generator spawned from the seed, so the answer depends only
on the seed and the inputs, not on how many blocks are computed at once to bound memory.
Memory: the result (products x draws, float32), the draws of one chunk of blocks (within
``MEMORY_BUDGET``), and the temporaries of ``lost_days`` on 16 draws at a time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rarex.core.bom import FloatArray
from rarex.core.exposure import DAYS_PER_YEAR, Items, lost_days

BLOCK = 250  # draws per generator block
SLICE = 16  # draws per call of lost_days: its temporaries stay small enough for the caches
MEMORY_BUDGET = 256 * 2**20  # bytes of draws (delays, refusals) held at once
BYTES_PER_DRAW = 8 + 8 + 1 + 8  # per item: delay, uniform, refusal flag, arrival


@dataclass(frozen=True)
class LognormalDelay:
    """Approval delay in calendar days, lognormal with the given median and log-sd."""

    median_days: float
    sigma: float

    def sample(self, rng: np.random.Generator, shape: tuple[int, int]) -> FloatArray:
        return rng.lognormal(math.log(self.median_days), self.sigma, size=shape)

    def describe(self) -> str:
        return f"lognormal, median {self.median_days:g} days, sigma {self.sigma:g}"


@dataclass(frozen=True)
class EmpiricalDelay:
    """Approval delay in calendar days, drawn uniformly from observed (or given) samples."""

    samples_days: tuple[float, ...]
    label: str = "empirical"

    def sample(self, rng: np.random.Generator, shape: tuple[int, int]) -> FloatArray:
        return rng.choice(np.asarray(self.samples_days, dtype=np.float64), size=shape)

    def describe(self) -> str:
        low, high = min(self.samples_days), max(self.samples_days)
        return f"{self.label}: {len(self.samples_days)} values, {low:g}-{high:g} days"


DelayModel = LognormalDelay | EmpiricalDelay


@dataclass(frozen=True)
class ProductSimulation:
    """The distribution of one product's losses over the draws."""

    part_id: str
    probability_of_stockout: float
    lost_days_mean: float
    revenue_at_risk_mean: float | None
    revenue_at_risk_p50: float | None
    revenue_at_risk_p90: float | None
    revenue_at_risk_p95: float | None
    currency: str | None


@dataclass(frozen=True)
class Simulation:
    draws: int
    seed: int
    denial_probability: float
    delay: str
    horizon_days: float
    products: tuple[ProductSimulation, ...]


def simulate_lost_days(
    items: Items,
    delay: DelayModel,
    denial_probability: float,
    draws: int,
    seed: int,
    horizon: float = DAYS_PER_YEAR,
    memory_budget: int = MEMORY_BUDGET,
) -> np.ndarray[tuple[int, int], np.dtype[np.float32]]:
    """Days lost per product (rows, ``items.products``) and draw (columns), as float32."""
    if not 0 <= denial_probability <= 1:
        raise ValueError("the denial probability must be between 0 and 1")
    n_items = len(items.ids)
    out = np.zeros((len(items.products), draws), dtype=np.float32)
    blocks = -(-draws // BLOCK)
    generators = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(blocks)]
    per_chunk = max(1, memory_budget // (max(n_items, 1) * BYTES_PER_DRAW * BLOCK))
    for first in range(0, blocks, per_chunk):
        rows = []
        for b in range(first, min(first + per_chunk, blocks)):
            size = min(BLOCK, draws - b * BLOCK)
            rng = generators[b]
            arrival = delay.sample(rng, (size, n_items))
            refused = rng.random((size, n_items)) < denial_probability
            refused |= items.denied
            rows.append(np.where(refused, np.inf, arrival))
        arrival = np.concatenate(rows, axis=0)
        lo = first * BLOCK
        for at in range(0, arrival.shape[0], SLICE):
            part = arrival[at : at + SLICE]
            out[:, lo + at : lo + at + len(part)] = lost_days(items, part, horizon).T
    return out


def summarise(
    items: Items,
    lost: np.ndarray[tuple[int, int], np.dtype[np.float32]],
    revenue: Sequence[float | None],
    currencies: Sequence[str | None],
    *,
    seed: int,
    denial_probability: float,
    delay: DelayModel,
    horizon: float = DAYS_PER_YEAR,
) -> Simulation:
    """Mean and percentiles of revenue at risk, and the chance of a stock-out, per product."""
    quantiles = np.percentile(lost, [50, 90, 95], axis=1) if lost.size else np.zeros((3, 0))
    means = lost.mean(axis=1, dtype=np.float64) if lost.shape[1] else np.zeros(len(lost))
    stockout = (lost > 0).mean(axis=1) if lost.shape[1] else np.zeros(len(lost))
    products = []
    for g, part_id in enumerate(items.products):
        annual = revenue[g]
        per_day = None if annual is None else annual / DAYS_PER_YEAR
        products.append(
            ProductSimulation(
                part_id=part_id,
                probability_of_stockout=float(stockout[g]),
                lost_days_mean=float(means[g]),
                revenue_at_risk_mean=None if per_day is None else per_day * float(means[g]),
                revenue_at_risk_p50=None if per_day is None else per_day * float(quantiles[0, g]),
                revenue_at_risk_p90=None if per_day is None else per_day * float(quantiles[1, g]),
                revenue_at_risk_p95=None if per_day is None else per_day * float(quantiles[2, g]),
                currency=currencies[g],
            )
        )
    return Simulation(
        draws=lost.shape[1],
        seed=seed,
        denial_probability=denial_probability,
        delay=delay.describe(),
        horizon_days=horizon,
        products=tuple(products),
    )
