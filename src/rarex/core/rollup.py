"""Roll China-origin controlled content and data gaps up the whole BOM at once.

For every part p the rollup gives, per unit of p:

- the value of China-origin controlled inputs it contains, by input category (the input item
  a counted part was classified as) and by element;
- whether any China-origin technology was used in it or below it;
- whether any input below it has an unknown origin or value, and whether such an input is
  (or may be) a controlled input.

A part that is itself a counted input contributes its own unit value and is not descended
into, so its content is never counted twice. Values multiply by quantity along every path.
The work is one sparse matrix product per BOM level, each shared sub-assembly computed once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarex.core.bom import Bom, FloatArray

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

FLAG_TECH_CN = 0
FLAG_UNKNOWN_ANY = 1
FLAG_UNKNOWN_CONTROLLED = 2
N_FLAGS = 3


@dataclass(frozen=True)
class RollupInput:
    """Per-part facts the rollup starts from (arrays of length ``n_parts``)."""

    unit_value: FloatArray  # NaN where unknown
    input_category: IntArray  # -1, or the column of the input item this part counts as
    input_elements: BoolArray  # (n_parts, n_elements): controlled elements of a counted input
    tech_cn: BoolArray  # made with China-origin technology (on an Annex 1 item)
    unknown: BoolArray  # the part's own origin or value is unknown
    maybe_controlled: BoolArray  # the part is, or may be, a controlled input


@dataclass(frozen=True)
class Rollup:
    content_by_category: FloatArray  # (n_parts, n_categories)
    content_by_element: FloatArray  # (n_parts, n_elements)
    tech_cn: BoolArray
    unknown_any: BoolArray
    unknown_controlled: BoolArray

    @property
    def content_total(self) -> FloatArray:
        return self.content_by_category.sum(axis=1)

    def share(self, unit_value: FloatArray) -> FloatArray:
        """Content as a share of each part's unit value (NaN where the value is unknown or 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            share = self.content_total / unit_value
        share[~(unit_value > 0)] = np.nan
        return share


def roll_up(bom: Bom, facts: RollupInput, n_categories: int) -> Rollup:
    """Compute the rollup for every part in one pass over the levels."""
    n = bom.n_parts
    n_elements = facts.input_elements.shape[1]
    counted = facts.input_category >= 0
    own_value = np.where(counted & ~np.isnan(facts.unit_value), facts.unit_value, 0.0)

    width = n_categories + n_elements + N_FLAGS
    table = np.zeros((n, width), dtype=np.float64)
    rows = np.flatnonzero(counted)
    table[rows, facts.input_category[rows]] = own_value[rows]
    table[:, n_categories : n_categories + n_elements] = facts.input_elements * own_value[:, None]
    flags = n_categories + n_elements
    table[:, flags + FLAG_TECH_CN] = facts.tech_cn
    table[:, flags + FLAG_UNKNOWN_ANY] = facts.unknown
    table[:, flags + FLAG_UNKNOWN_CONTROLLED] = facts.unknown & facts.maybe_controlled
    own_flags = table[:, flags:].copy()

    for parents, matrix in bom.level_matrices():
        rolled = matrix @ table
        keep_own = counted[parents]
        values = np.where(keep_own[:, None], table[parents, :flags], rolled[:, :flags])
        table[parents, :flags] = values
        table[parents, flags:] = np.maximum(own_flags[parents], rolled[:, flags:] > 0)

    return Rollup(
        content_by_category=table[:, :n_categories],
        content_by_element=table[:, n_categories:flags],
        tech_cn=table[:, flags + FLAG_TECH_CN] > 0,
        unknown_any=table[:, flags + FLAG_UNKNOWN_ANY] > 0,
        unknown_controlled=table[:, flags + FLAG_UNKNOWN_CONTROLLED] > 0,
    )
