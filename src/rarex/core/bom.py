"""The bill-of-materials graph as arrays, ordered in levels for a vectorised rollup.

Parts are numbered 0..n-1. An edge says "one unit of ``parent`` contains ``quantity`` units
of ``child``". A part may have many parents (shared sub-assemblies) and the graph may be
deep; it must be acyclic. Levels are heights: leaves are level 0 and every parent sits one
level above its highest child, so a rollup that walks the levels upwards sees every child
before its parents and computes each shared sub-assembly once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class BomCycle(ValueError):
    """The BOM contains a cycle; ``path`` lists the part indices around it (first = last)."""

    def __init__(self, path: list[int]) -> None:
        super().__init__(f"cycle through {len(path) - 1} parts")
        self.path = path


@dataclass(frozen=True)
class Bom:
    """An acyclic BOM over ``n_parts`` parts, with its levels computed once."""

    n_parts: int
    parent: IntArray
    child: IntArray
    quantity: FloatArray
    level: IntArray  # height of each part: 0 for leaves
    edge_order: IntArray  # edge indices sorted by the level of their parent
    level_edge_bounds: IntArray  # edges of parents at level L: edge_order[b[L-1]:b[L]]

    @classmethod
    def build(cls, n_parts: int, parent: IntArray, child: IntArray, quantity: FloatArray) -> Bom:
        """Index the edges and compute levels; raise ``BomCycle`` if the graph has a cycle."""
        parent = np.asarray(parent, dtype=np.int64)
        child = np.asarray(child, dtype=np.int64)
        quantity = np.asarray(quantity, dtype=np.float64)
        level = _levels(n_parts, parent, child)
        edge_level = level[parent] if len(parent) else np.zeros(0, dtype=np.int64)
        # by level, and by parent within a level, so each level's rows come out grouped
        edge_order = np.lexsort((parent, edge_level))
        max_level = int(level.max()) if n_parts else 0
        bounds = np.searchsorted(edge_level[edge_order], np.arange(1, max_level + 1), side="right")
        return cls(n_parts, parent, child, quantity, level, edge_order, bounds)

    def level_matrices(self) -> list[tuple[IntArray, sparse.csr_matrix]]:
        """Per level L ≥ 1: the parents at that level and their rows of the quantity matrix."""
        out = []
        start = 0
        for stop in self.level_edge_bounds:
            edges = self.edge_order[start:stop]
            start = int(stop)
            if len(edges) == 0:
                continue
            edge_parents = self.parent[edges]  # sorted: one run per parent
            first = np.flatnonzero(np.r_[True, edge_parents[1:] != edge_parents[:-1]])
            parents = edge_parents[first]
            indptr = np.r_[first, len(edges)]
            matrix = sparse.csr_matrix(
                (self.quantity[edges], self.child[edges], indptr),
                shape=(len(parents), self.n_parts),
            )
            out.append((parents, matrix))
        return out

    def roots(self) -> IntArray:
        """Parts that are nobody's child."""
        has_parent = np.zeros(self.n_parts, dtype=bool)
        has_parent[self.child] = True
        return np.flatnonzero(~has_parent)

    def children_index(self) -> tuple[IntArray, IntArray]:
        """CSR-style index: the edges of part p are ``order[start[p]:start[p + 1]]``."""
        order = np.argsort(self.parent, kind="stable")
        start = np.searchsorted(self.parent[order], np.arange(self.n_parts + 1))
        return order, start


def _levels(n_parts: int, parent: IntArray, child: IntArray) -> IntArray:
    """Heights by peeling leaves (Kahn's algorithm on child→parent edges, vectorised)."""
    level = np.zeros(n_parts, dtype=np.int64)
    if len(parent) == 0:
        return level
    remaining = np.bincount(parent, minlength=n_parts)  # children not yet placed
    by_child = np.argsort(child)  # any order within one child will do
    child_start = np.zeros(n_parts + 1, dtype=np.int64)
    np.cumsum(np.bincount(child, minlength=n_parts), out=child_start[1:])
    frontier = np.flatnonzero(remaining == 0)
    placed = len(frontier)
    current = 0
    while len(frontier):
        level[frontier] = current
        counts = child_start[frontier + 1] - child_start[frontier]
        if counts.sum() == 0:
            break
        # the edges whose child is in the frontier
        starts = np.repeat(child_start[frontier], counts)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        edges = by_child[starts + offsets]
        dropped = np.bincount(parent[edges], minlength=n_parts)
        remaining -= dropped
        frontier = np.flatnonzero((dropped > 0) & (remaining == 0))
        placed += len(frontier)
        current += 1
    if placed < n_parts:
        raise BomCycle(_find_cycle(np.flatnonzero(remaining > 0), parent, child))
    return level


def _find_cycle(candidates: IntArray, parent: IntArray, child: IntArray) -> list[int]:
    """One cycle among the parts the peeling could not place (iterative DFS)."""
    stuck = set(candidates.tolist())
    children: dict[int, list[int]] = {}
    for p, c in zip(parent.tolist(), child.tolist(), strict=True):
        if p in stuck and c in stuck:
            children.setdefault(p, []).append(c)
    state: dict[int, int] = {}  # 1 = on the stack, 2 = done
    for start in sorted(stuck):
        if state.get(start):
            continue
        stack = [(start, iter(children.get(start, [])))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                stack.append((nxt, iter(children.get(nxt, []))))
                path.append(nxt)
    raise AssertionError("unplaced parts without a cycle")
