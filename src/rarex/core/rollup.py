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

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarex.core.bom import Bom, FloatArray

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RollupInput:
    """Per-part facts the rollup starts from (arrays of length ``n_parts``).

    ``flags`` are propagated upwards by "or": a part has a flag when it or any part below it
    has it (China-origin technology, an unknown origin or value, a caught item, …).
    """

    unit_value: FloatArray  # NaN where unknown
    input_category: IntArray  # -1, or the column of the input item this part counts as
    input_elements: BoolArray  # (n_parts, n_elements): controlled elements of a counted input
    flags: Mapping[str, BoolArray]


@dataclass(frozen=True)
class Rollup:
    content_by_category: FloatArray  # (n_parts, n_categories)
    content_by_element: FloatArray  # (n_parts, n_elements)
    flags: Mapping[str, BoolArray]
    content_total: FloatArray  # (n_parts,): the sum over categories, computed once

    def share(self, unit_value: FloatArray) -> FloatArray:
        """Content as a share of each part's unit value (NaN where the value is unknown or 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            share = self.content_total / unit_value
        share[~(unit_value > 0)] = np.nan
        return share


def roll_up(bom: Bom, facts: RollupInput, n_categories: int) -> Rollup:
    """Compute the rollup for every part in one pass over the levels.

    When each category always comes with the same elements (as it does for input items), the
    element columns are derived from the category columns at the end instead of being rolled.
    """
    n = bom.n_parts
    names = list(facts.flags)
    counted = facts.input_category >= 0
    own_value = np.where(counted & ~np.isnan(facts.unit_value), facts.unit_value, 0.0)
    rows = np.flatnonzero(counted)
    per_category = _elements_per_category(facts, rows, n_categories)
    rolled_elements = 0 if per_category is not None else facts.input_elements.shape[1]

    flags_at = n_categories + rolled_elements
    own_flags = (
        np.column_stack([facts.flags[name] for name in names])
        if names
        else np.zeros((n, 0), dtype=bool)
    )
    table = np.empty((n, flags_at + len(names)), dtype=np.float64)
    table[:, :n_categories] = 0.0
    table[rows, facts.input_category[rows]] = own_value[rows]
    if rolled_elements:
        np.multiply(facts.input_elements, own_value[:, None], out=table[:, n_categories:flags_at])
    table[:, flags_at:] = own_flags

    for parents, matrix in bom.level_matrices():
        rolled = matrix @ table
        own_rows = parents[counted[parents]]
        kept = table[own_rows, :flags_at]  # a counted part keeps its own value
        table[parents, :flags_at] = rolled[:, :flags_at]
        table[own_rows, :flags_at] = kept
        table[parents, flags_at:] = (rolled[:, flags_at:] > 0) | own_flags[parents]

    by_category = table[:, :n_categories]
    by_element = (
        by_category @ per_category.astype(np.float64)
        if per_category is not None
        else table[:, n_categories:flags_at]
    )
    return Rollup(
        content_by_category=by_category,
        content_by_element=by_element,
        flags={name: table[:, flags_at + column] > 0 for column, name in enumerate(names)},
        content_total=by_category.sum(axis=1),
    )


def _elements_per_category(
    facts: RollupInput, rows: IntArray, n_categories: int
) -> BoolArray | None:
    """The (categories x elements) map, if every counted part's elements follow its category."""
    elements = facts.input_elements
    if elements.shape[1] == 0:
        return np.zeros((n_categories, 0), dtype=bool)
    table = np.zeros((n_categories, elements.shape[1]), dtype=bool)
    categories = facts.input_category[rows]
    table[categories] = elements[rows]  # the last row of each category wins
    if not np.array_equal(table[categories], elements[rows]):
        return None
    return table
