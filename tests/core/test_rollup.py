"""BOM levels and the vectorised rollup, against hand-computed figures."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from rarex.core.bom import Bom, BomCycle
from rarex.core.rollup import RollupInput, roll_up


def bom(n: int, edges: list[tuple[int, int, float]]) -> Bom:
    parent, child, qty = zip(*edges, strict=True) if edges else ((), (), ())
    return Bom.build(
        n,
        np.array(parent, dtype=np.int64),
        np.array(child, dtype=np.int64),
        np.array(qty, dtype=np.float64),
    )


def facts(values: list[float], category: list[int], **flags: list[bool]) -> RollupInput:
    n = len(values)
    return RollupInput(
        unit_value=np.array(values, dtype=np.float64),
        input_category=np.array(category, dtype=np.int64),
        input_elements=np.zeros((n, 0), dtype=bool),
        flags={name: np.array(flags.get(name, [False] * n)) for name in ("tech", "unknown")},
    )


def test_levels_are_heights() -> None:
    b = bom(4, [(0, 1, 1), (1, 2, 1), (0, 3, 1), (3, 2, 1)])
    assert b.level.tolist() == [2, 1, 0, 1]
    assert b.roots().tolist() == [0]


def test_cycle_is_reported_with_its_path() -> None:
    with pytest.raises(BomCycle) as info:
        bom(4, [(0, 1, 1), (1, 2, 1), (2, 3, 1), (3, 1, 1)])
    path = info.value.path
    assert path[0] == path[-1]
    assert set(path) == {1, 2, 3}


def test_quantities_multiply_across_levels() -> None:
    # motor -> 2 rotors -> 4 magnets each -> 0.05 units of China-origin Dy each (value 100)
    b = bom(4, [(0, 1, 2), (1, 2, 4), (2, 3, 0.05)])
    r = roll_up(b, facts([10_000, 500, 40, 100], [-1, -1, -1, 0]), n_categories=1)
    assert r.content_total.tolist() == pytest.approx([2 * 4 * 0.05 * 100, 4 * 0.05 * 100, 5, 100])
    assert r.share(np.array([10_000, 500, 40, 100.0]))[0] == pytest.approx(40 / 10_000)


def test_shared_subassembly_counts_once_per_path() -> None:
    # product 0 uses sub-assembly 2 directly (x3) and through 1 (1 x 2); 2 holds input 3
    b = bom(4, [(0, 1, 1), (1, 2, 2), (0, 2, 3), (2, 3, 1)])
    r = roll_up(b, facts([1000, 100, 10, 1], [-1, -1, -1, 0]), n_categories=1)
    assert r.content_total[0] == pytest.approx(5.0)


def test_counted_input_is_not_descended_into() -> None:
    # a China-origin magnet (counted) containing China-origin Dy (counted too)
    b = bom(3, [(0, 1, 1), (1, 2, 0.1)])
    r = roll_up(b, facts([1000, 50, 200], [-1, 0, 0]), n_categories=1)
    assert r.content_total.tolist() == pytest.approx([50, 50, 200])


def test_flags_propagate_to_every_ancestor() -> None:
    b = bom(5, [(0, 1, 1), (1, 2, 1), (3, 4, 1)])
    r = roll_up(
        b,
        facts(
            [1, 1, 1, 1, 1],
            [-1] * 5,
            tech=[False, False, True, False, False],
            unknown=[False, False, False, False, True],
        ),
        n_categories=1,
    )
    assert r.flags["tech"].tolist() == [True, True, True, False, False]
    assert r.flags["unknown"].tolist() == [False, False, False, True, True]


def test_matches_a_naive_recursive_explosion_on_a_random_forest() -> None:
    rng = np.random.default_rng(7)
    n = 300
    edges = []
    for p in range(n):
        for c in (
            rng.choice(np.arange(p + 1, n), size=min(3, n - p - 1), replace=False)
            if p < n - 1
            else []
        ):
            edges.append((p, int(c), float(rng.integers(1, 4))))
    values = rng.uniform(1, 100, n)
    category = np.where(rng.random(n) < 0.1, 0, -1)
    b = bom(n, edges)
    r = roll_up(b, facts(values.tolist(), category.tolist()), n_categories=1)
    children: dict[int, list[tuple[int, float]]] = {}
    for p, c, q in edges:
        children.setdefault(p, []).append((c, q))

    @cache
    def naive(p: int) -> float:
        if category[p] >= 0:
            return float(values[p])
        return sum(q * naive(c) for c, q in children.get(p, []))

    for p in range(0, n, 17):
        assert r.content_total[p] == pytest.approx(naive(p))


def test_elements_by_category_or_per_part_give_the_same_content() -> None:
    b = bom(4, [(0, 1, 2), (0, 2, 3), (1, 3, 1)])
    category = np.array([-1, 0, 1, 1])
    consistent = np.array([[0, 0], [1, 0], [0, 1], [0, 1]], dtype=bool)  # element per category
    per_part = consistent.copy()
    per_part[3] = [1, 1]  # part 3 also carries the first element: no fixed map any more

    def rolled(elements: np.ndarray) -> np.ndarray:
        facts = RollupInput(np.array([100.0, 5.0, 7.0, 11.0]), category, elements, {})
        return roll_up(b, facts, n_categories=2).content_by_element

    assert rolled(consistent)[0].tolist() == pytest.approx([2 * 5.0, 3 * 7.0])
    assert rolled(per_part)[0].tolist() == pytest.approx([2 * 5.0, 3 * 7.0])
    assert rolled(per_part)[1].tolist() == pytest.approx([5.0, 0.0])
