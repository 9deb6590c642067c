"""Monte Carlo of licence delays: vectorised (rarex) against a naive per-draw Python loop.

One run, side by side, on a seeded synthetic company: ``--items`` gated inputs (10,000), used
by ``--products`` products (500; each input in about ``--uses`` products), ``--draws`` draws
(10,000), delays uniform over 64-89 calendar days (45-60 China working days), 10 % refused.

- **vectorised**: ``rarex.core.montecarlo.simulate_lost_days`` (chunked to its memory budget);
  median wall time of ``--repeats`` runs, and the peak RSS above the RSS before the call.
- **naive**: for each draw, a Python loop that draws every input's delay and refusal and then,
  per product, sorts its gaps and adds up their union. It is run on ``--naive-draws`` draws and
  its time is extrapolated linearly to ``--draws`` (said so in the output).
- **check**: the naive union, fed the same arrival days as the vectorised code, gives the same
  days lost on every product for ``--check-draws`` draws (asserted).

No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import random
import statistics
import time
from pathlib import Path

import numpy as np

from rarex.core.exposure import ContentTable, Gate, Items, Sales, Stock, build_items, lost_days
from rarex.core.montecarlo import EmpiricalDelay, simulate_lost_days

DELAYS = tuple(float(d) for d in range(64, 90))
HORIZON = 365.0
DENIAL = 0.1


def company(items: int, products: int, uses: float, seed: int) -> Items:
    """Products x inputs with about ``uses`` products per input; stock of 0-90 days."""
    rng = np.random.default_rng(seed)
    need = (rng.random((products, items)) < uses / products).astype(np.float64)
    need[rng.integers(0, products, items), np.arange(items)] = 1.0  # every input is used
    ids = tuple(f"X{j}" for j in range(items))
    table = ContentTable(tuple(f"P{i}" for i in range(products)), ids, need)
    gates = {x: Gate(x, "licence_required", ()) for x in ids}
    sales = {p: Sales(3650.0, 1e6, "EUR") for p in table.products}
    usage = need.sum(axis=0) * 10.0  # units a day
    cover = rng.uniform(0, 90, items)
    stock = {x: Stock(float(cover[j] * usage[j]), None) for j, x in enumerate(ids)}
    return build_items(table, [], gates, sales, stock)


def rss_kb(key: str = "VmHWM") -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def reset_peak() -> None:
    with contextlib.suppress(OSError):  # resets VmHWM on Linux
        Path("/proc/self/clear_refs").write_text("5")


def naive_union(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of [start, end) intervals, in plain Python."""
    total, reach = 0.0, -1.0
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def naive_products(items: Items) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in items.products]
    for g, k in zip(items.edge_product.tolist(), items.edge_item.tolist(), strict=True):
        out[g].append(k)
    return out


def naive_draws(items: Items, draws: int, seed: int) -> list[list[float]]:
    """Per draw: every input's delay and refusal by scalar calls, then each product's union."""
    rng = random.Random(seed)
    cover = [min(c, HORIZON) for c in items.cover_days.tolist()]
    members = naive_products(items)
    results = []
    for _ in range(draws):
        arrival = [
            HORIZON if rng.random() < DENIAL else min(rng.choice(DELAYS), HORIZON) for _ in cover
        ]
        results.append(
            [naive_union([(cover[k], max(arrival[k], cover[k])) for k in ks]) for ks in members]
        )
    return results


def check(items: Items, draws: int, seed: int) -> float:
    """Largest difference between the naive union and ``lost_days`` on the same arrivals."""
    rng = np.random.default_rng(seed)
    arrival = rng.choice(np.array(DELAYS), size=(draws, len(items.ids)))
    arrival[rng.random(arrival.shape) < DENIAL] = np.inf
    fast = lost_days(items, arrival, HORIZON).T
    cover = [min(c, HORIZON) for c in items.cover_days.tolist()]
    members = naive_products(items)
    worst = 0.0
    for d in range(draws):
        column = np.minimum(arrival[d], HORIZON).tolist()
        for g, ks in enumerate(members):
            slow = naive_union([(cover[k], max(column[k], cover[k])) for k in ks])
            worst = max(worst, abs(slow - float(fast[g, d])))
    assert worst < 1e-6, f"naive and vectorised differ by {worst}"
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--uses", type=float, default=2.0)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-draws", type=int, default=50)
    parser.add_argument("--check-draws", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    items = company(args.items, args.products, args.uses, args.seed)
    edges = len(items.edge_item)
    print(f"{args.items:,} inputs, {args.products} products, {edges:,} product-input pairs")
    delay = EmpiricalDelay(DELAYS)

    times, peaks = [], []
    lost = None
    for _ in range(args.repeats):
        del lost
        reset_peak()
        before = rss_kb("VmRSS")
        start = time.perf_counter()
        lost = simulate_lost_days(items, delay, DENIAL, args.draws, args.seed)
        times.append(time.perf_counter() - start)
        peaks.append((rss_kb() - before) / 1024)
    vectorised = statistics.median(times)
    print(
        f"vectorised: median {vectorised:.2f} s over {args.repeats} runs "
        f"({', '.join(f'{t:.2f}' for t in times)}); peak RSS above start "
        f"{statistics.median(peaks):.0f} MB; result {lost.nbytes / 2**20:.0f} MB (float32)"
    )

    naive_times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        naive_draws(items, args.naive_draws, args.seed)
        naive_times.append(time.perf_counter() - start)
    per_draw = statistics.median(naive_times) / args.naive_draws
    naive = per_draw * args.draws
    print(
        f"naive: {per_draw * 1000:.1f} ms per draw (median of {args.repeats} runs of "
        f"{args.naive_draws} draws), extrapolated to {args.draws:,} draws: {naive:.0f} s"
    )
    print(f"ratio naive / vectorised: {naive / vectorised:.0f}x")
    worst = check(items, args.check_draws, args.seed)
    print(f"check: naive union = vectorised on {args.check_draws} draws (max diff {worst:.1e})")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": platform.platform(),
                    "items": args.items,
                    "products": args.products,
                    "edges": edges,
                    "draws": args.draws,
                    "vectorised_s": times,
                    "vectorised_peak_rss_mb": peaks,
                    "naive_s_per_draw": per_draw,
                    "naive_extrapolated_s": naive,
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
