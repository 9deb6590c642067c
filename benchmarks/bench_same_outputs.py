"""The rollup against a naive explosion that computes the same outputs.

``bench_rollup.py``'s baseline computes only each product's content total. The rollup computes
more for every part: the content by input item (13 columns) and by element (9), and five
or-propagated flags. This script explodes each product recursively over networkx, computing all
of that per node in plain Python, checks that every product's figures equal the rollup's, and
times both in one run.

    .venv/bin/python benchmarks/bench_same_outputs.py --edges 1000000
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from generate_bom import INPUT_ITEMS, Config, generate

from rarex.core.bom import Bom
from rarex.core.rollup import RollupInput, roll_up

REL_TOL = 1e-9


def naive_outputs(graph: nx.DiGraph, node: int) -> tuple[list[float], list[bool]]:
    """Content by category and element, and flags, of one unit of ``node``; remembers nothing."""
    attrs = graph.nodes[node]
    own_flags: list[bool] = list(attrs["flags"])
    if attrs["counted"]:
        return list(attrs["own"]), own_flags
    values = [0.0] * attrs["width"]
    flags = own_flags
    for child, edge in graph.succ[node].items():
        child_values, child_flags = naive_outputs(graph, child)
        quantity = edge["quantity"]
        values = [v + quantity * c for v, c in zip(values, child_values, strict=True)]
        flags = [f or g for f, g in zip(flags, child_flags, strict=True)]
    return values, flags


def build_graph(
    facts: RollupInput,
    n_categories: int,
    parent: list[int],
    child: list[int],
    quantity: list[float],
) -> nx.DiGraph:
    n = len(facts.unit_value)
    n_elements = facts.input_elements.shape[1]
    names = list(facts.flags)
    graph = nx.DiGraph()
    for i in range(n):
        category = int(facts.input_category[i])
        counted = category >= 0
        own = [0.0] * (n_categories + n_elements)
        value = float(facts.unit_value[i]) if counted and not np.isnan(facts.unit_value[i]) else 0
        if counted:
            own[category] = value
            for e in range(n_elements):
                if facts.input_elements[i, e]:
                    own[n_categories + e] = value
        graph.add_node(
            i,
            counted=counted,
            own=own,
            width=n_categories + n_elements,
            flags=tuple(bool(facts.flags[name][i]) for name in names),
        )
    graph.add_edges_from(
        (p, c, {"quantity": q}) for p, c, q in zip(parent, child, quantity, strict=True)
    )
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    gen = generate(Config(edges=args.edges, seed=args.seed))
    unit_value, category, input_elements, flags = gen.rollup_facts()
    facts = RollupInput(unit_value, category, input_elements, flags)
    n_categories = len(INPUT_ITEMS)
    print(
        f"{gen.n_edges:,} edges, {gen.n_parts:,} parts, "
        f"{n_categories} categories, {input_elements.shape[1]} elements, {len(flags)} flags"
    )

    times = []
    bom = rolled = None
    for _ in range(args.repeats):
        bom = rolled = None  # free the previous run before timing the next, as bench_rollup does
        gc.collect()
        start = time.perf_counter()
        bom = Bom.build(gen.n_parts, gen.parent, gen.child, gen.quantity)
        rolled = roll_up(bom, facts, n_categories)
        times.append(time.perf_counter() - start)
    assert bom is not None and rolled is not None
    ours = statistics.median(times)
    print(f"rollup (build + roll_up): median {ours:.3f} s over {args.repeats} runs")

    start = time.perf_counter()
    graph = build_graph(
        facts, n_categories, gen.parent.tolist(), gen.child.tolist(), gen.quantity.tolist()
    )
    graph_s = time.perf_counter() - start
    start = time.perf_counter()
    roots = bom.roots().tolist()
    results = {root: naive_outputs(graph, root) for root in roots}
    explode_s = time.perf_counter() - start
    expected = np.hstack([rolled.content_by_category, rolled.content_by_element])
    names = list(flags)
    for root, (values, got_flags) in results.items():
        for ours_v, theirs in zip(expected[root], values, strict=True):
            assert abs(ours_v - theirs) <= REL_TOL * max(abs(ours_v), abs(theirs)), root
        assert got_flags == [bool(rolled.flags[name][root]) for name in names], root
    naive = graph_s + explode_s
    print(
        f"naive, same outputs: graph {graph_s:.1f} s + explode {explode_s:.1f} s = "
        f"{naive:.1f} s on all {len(roots):,} products; every product's figures and flags "
        f"equal the rollup's"
    )
    print(f"ratio naive / rollup: {naive / ours:.0f}x")


if __name__ == "__main__":
    main()
