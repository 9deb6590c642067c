"""Exposure: which products depend on China-origin controlled inputs, and what is at risk.

An *item* here is what a Chinese export licence gates: a China-origin input whose export
from China needs a licence as of the date (decided by the assessment), or a product that
itself needs one. ``explode`` reuses the BOM rollup once, with one column per gated input,
to get how many units of each input one unit of each product contains (a gated input is not
descended into, so nothing is counted twice); value, mass and element figures follow from
that table by matrix products.

The lead-time model: all licences are applied for on one day; an item's stock lasts
``days_of_cover`` calendar days; its licence arrives after the lead time (or never, if
refused, within the planning horizon). A product stops while any of its items is out of
stock; the days lost are the union of those gaps. Revenue and units at risk are those days
times the product's daily sales. Facts that are missing are reported, never taken as zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from rarex.core.bom import FloatArray
from rarex.core.parts import Dataset
from rarex.core.rollup import RollupInput, roll_up

IntArray = npt.NDArray[np.int64]
DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = 365.0 / 12


@dataclass(frozen=True)
class Sales:
    """A product's annual sales."""

    volume: float
    revenue: float
    currency: str | None


@dataclass(frozen=True)
class Stock:
    """Stock of an item on the date; ``monthly_usage`` ``None`` means derive it from sales."""

    on_hand: float
    monthly_usage: float | None


@dataclass(frozen=True)
class Gate:
    """Why an item needs a Chinese export licence (from the assessment)."""

    part_id: str
    outcome: str  # the verdict that gates it, e.g. licence_required
    measures: tuple[str, ...]  # the measure limbs behind it
    items: tuple[str, ...] = ()  # controlled item refs it is classified as
    elements: tuple[str, ...] = ()  # its controlled elements
    denied: bool = False  # prohibited or presumed denied: treated as refused


@dataclass(frozen=True)
class ContentTable:
    """Units of each gated input (columns) in one unit of each product (rows)."""

    products: tuple[str, ...]
    inputs: tuple[str, ...]
    quantity: FloatArray


def explode(dataset: Dataset, products: Sequence[str], inputs: Sequence[str]) -> ContentTable:
    """One rollup pass with one category per gated input and unit value 1."""
    n = len(dataset.parts)
    category = np.full(n, -1, dtype=np.int64)
    for column, part_id in enumerate(inputs):
        category[dataset.index[part_id]] = column
    facts = RollupInput(
        unit_value=np.ones(n),
        input_category=category,
        input_elements=np.zeros((n, 0), dtype=bool),
        flags={},
    )
    rolled = roll_up(dataset.bom, facts, max(len(inputs), 1))
    rows = np.array([dataset.index[p] for p in products], dtype=np.int64)
    quantity = rolled.content_by_category[rows][:, : len(inputs)]
    return ContentTable(tuple(products), tuple(inputs), np.ascontiguousarray(quantity))


@dataclass(frozen=True)
class ProductContent:
    """China-origin controlled content of one unit of a product, by value and by mass."""

    part_id: str
    description: str
    plant: str | None
    value: float
    value_by_input: Mapping[str, float]
    value_by_item: Mapping[str, float]
    value_by_element: Mapping[str, float]  # value of the inputs that contain the element
    value_missing: tuple[str, ...]  # inputs with no unit value
    mass_known_kg: float  # mass of the inputs whose mass is given
    mass_by_element_kg: Mapping[str, float]  # element mass of those inputs
    mass_missing: tuple[str, ...]  # inputs with no mass_kg: the mass figures are incomplete

    @property
    def mass_kg(self) -> float | None:
        """The whole controlled mass, or ``None`` when an input's mass is missing."""
        return None if self.mass_missing else self.mass_known_kg


def product_content(
    dataset: Dataset,
    table: ContentTable,
    gates: Mapping[str, Gate],
    masses: Mapping[str, float],
    plants: Mapping[str, str],
) -> tuple[ProductContent, ...]:
    """Value, mass and element content per product from the explosion table."""
    parts = [dataset.part(p) for p in table.inputs]
    value = np.array([np.nan if p.unit_value is None else float(p.unit_value) for p in parts])
    mass = np.array([masses.get(p.part_id, np.nan) for p in parts])
    q = table.quantity
    value_by_input = q * np.nan_to_num(value)
    mass_by_input = q * np.nan_to_num(mass)
    out = []
    for row, product_id in enumerate(table.products):
        used = np.flatnonzero(q[row] > 0)
        by_item: dict[str, float] = {}
        by_element: dict[str, float] = {}
        mass_element: dict[str, float] = {}
        for j in used:
            gate = gates[table.inputs[j]]
            for item in gate.items[:1]:  # the first controlled item: inputs are not split
                by_item[item] = by_item.get(item, 0.0) + float(value_by_input[row, j])
            for element in gate.elements:
                by_element[element] = by_element.get(element, 0.0) + float(value_by_input[row, j])
                fraction = parts[j].elements.get(element)
                if fraction is not None and not np.isnan(mass[j]):
                    kg = float(mass_by_input[row, j]) * float(fraction)
                    mass_element[element] = mass_element.get(element, 0.0) + kg
        part = dataset.part(product_id)
        out.append(
            ProductContent(
                part_id=product_id,
                description=part.description,
                plant=plants.get(product_id),
                value=float(value_by_input[row].sum()),
                value_by_input={table.inputs[j]: float(value_by_input[row, j]) for j in used},
                value_by_item=by_item,
                value_by_element=by_element,
                value_missing=tuple(table.inputs[j] for j in used if np.isnan(value[j])),
                mass_known_kg=float(mass_by_input[row].sum()),
                mass_by_element_kg=mass_element,
                mass_missing=tuple(table.inputs[j] for j in used if np.isnan(mass[j])),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- cover and lead time


@dataclass(frozen=True)
class Items:
    """The gated items and, per product, which items it needs (edges sorted for the union).

    ``edge_product``/``edge_item`` list (product, item) pairs grouped by product and sorted by
    the item's days of cover; ``group_start`` is where each product's edges begin.
    """

    ids: tuple[str, ...]
    cover_days: FloatArray  # inf where the item is not used up; 0 where unknown (see below)
    cover_known: npt.NDArray[np.bool_]
    daily_usage: FloatArray  # NaN where unknown
    usage_derived: npt.NDArray[np.bool_]
    denied: npt.NDArray[np.bool_]
    products: tuple[str, ...]  # products that need at least one item
    edge_product: IntArray
    edge_item: IntArray
    group_start: IntArray


def build_items(
    table: ContentTable,
    gated_products: Sequence[str],
    gates: Mapping[str, Gate],
    sales: Mapping[str, Sales],
    stock: Mapping[str, Stock],
) -> Items:
    """Cover per item from stock and usage (given, or derived from sales and the BOM).

    An item with no stock record, or whose usage cannot be derived, has unknown cover; it is
    counted as having none (the worst case) and ``cover_known`` says so.
    """
    ids = list(table.inputs) + [p for p in gated_products if p not in table.inputs]
    row_of = {p: i for i, p in enumerate(table.products)}
    need = np.zeros((len(table.products), len(ids)))
    need[:, : len(table.inputs)] = table.quantity
    for k, product_id in enumerate(ids[len(table.inputs) :], start=len(table.inputs)):
        need[row_of[product_id], k] = 1.0  # a gated product needs its own licence
    volume = np.array(
        [sales[p].volume if p in sales else np.nan for p in table.products], dtype=np.float64
    )
    uses = need > 0
    derived = np.where(uses, need * volume[:, None], 0.0).sum(axis=0) / DAYS_PER_YEAR
    derivable = ~np.any(uses & np.isnan(volume)[:, None], axis=0)
    usage = np.full(len(ids), np.nan)
    from_sales = np.zeros(len(ids), dtype=bool)
    on_hand = np.full(len(ids), np.nan)
    for k, item in enumerate(ids):
        record = stock.get(item)
        if record is not None:
            on_hand[k] = record.on_hand
        if record is not None and record.monthly_usage is not None:
            usage[k] = record.monthly_usage / DAYS_PER_MONTH
        elif derivable[k]:
            usage[k], from_sales[k] = derived[k], True
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(usage > 0, on_hand / usage, np.inf)
    known = ~np.isnan(on_hand) & ~np.isnan(usage)
    cover = np.where(known, cover, 0.0)
    edges = [
        (row, k) for row in range(len(table.products)) for k in np.flatnonzero(uses[row]).tolist()
    ]
    edges.sort(key=lambda e: (e[0], cover[e[1]]))
    edge_product = np.array([e[0] for e in edges], dtype=np.int64)
    rows_used, group_start = np.unique(edge_product, return_index=True)
    remap = np.full(len(table.products), -1, dtype=np.int64)
    remap[rows_used] = np.arange(len(rows_used))
    return Items(
        ids=tuple(ids),
        cover_days=cover,
        cover_known=known,
        daily_usage=usage,
        usage_derived=from_sales,
        denied=np.array([gates[i].denied for i in ids], dtype=bool),
        products=tuple(table.products[r] for r in rows_used.tolist()),
        edge_product=remap[edge_product] if len(edges) else edge_product,
        edge_item=np.array([e[1] for e in edges], dtype=np.int64),
        group_start=group_start.astype(np.int64),
    )


def lost_days(items: Items, arrival: FloatArray, horizon: float) -> FloatArray:
    """Days each product stands still within the horizon, per row (draw) of ``arrival``.

    ``arrival`` is (k, n_items): the day each item's licence arrives (inf if refused); the
    result is (k, n_products). Item ``j`` is out of stock on days [cover_j, arrival_j); a
    product stands still on the union of its items' gaps. Edges are sorted by cover within
    each product, so the union is a running maximum of the gap ends: a segmented
    ``maximum.accumulate`` along each row (each product's edges are lifted by an offset larger
    than the horizon so that no product sees another's ends).
    """
    k = arrival.shape[0]
    if len(items.edge_item) == 0:
        return np.zeros((k, 0))
    start = np.minimum(items.cover_days[items.edge_item], horizon)
    end = np.take(arrival, items.edge_item, axis=1)  # a copy: worked on in place below
    np.minimum(end, horizon, out=end)
    np.maximum(end, start, out=end)
    offset = items.edge_product * (horizon + 1.0)
    reach = end + offset
    np.maximum.accumulate(reach, axis=1, out=reach)
    # gained[:, e] = max(end[:, e] - max(start[e], reach[:, e - 1] - offset[e]), 0)
    gained = np.empty_like(end)
    gained[:, 0] = end[:, 0] - start[0]
    rest = gained[:, 1:]
    np.subtract(reach[:, :-1], offset[1:], out=rest)
    np.maximum(rest, start[1:], out=rest)
    np.subtract(end[:, 1:], rest, out=rest)
    np.maximum(rest, 0.0, out=rest)
    return np.add.reduceat(gained, items.group_start, axis=1)


@dataclass(frozen=True)
class ItemRisk:
    """One gated item: its cover against the lead time."""

    part_id: str
    gate: Gate
    on_hand: float | None
    daily_usage: float | None
    usage_derived: bool  # usage derived from sales volumes and the BOM
    days_of_cover: float | None  # None when unknown (counted as 0) or never used up
    cover_known: bool
    used_up: bool  # False when nothing consumes it (cover is unlimited)
    lead_time_days: float | None  # None when refused (prohibited or presumed denied)
    gap_days: float  # out of stock while waiting for an approval after the lead time
    gap_days_if_refused: float  # out of stock to the horizon if the licence is refused


@dataclass(frozen=True)
class ProductItemRisk:
    item: str
    gap_days: float
    units_at_risk: float | None
    revenue_at_risk: float | None


@dataclass(frozen=True)
class ProductRisk:
    """Production and revenue at risk of one product in the lead-time scenario."""

    part_id: str
    items: tuple[ProductItemRisk, ...]
    lost_days: float
    lost_days_if_refused: float
    units_at_risk: float | None
    revenue_at_risk: float | None
    revenue_at_risk_if_refused: float | None
    currency: str | None
    notes: tuple[str, ...]


def lead_time_risk(
    items: Items,
    gates: Mapping[str, Gate],
    sales: Mapping[str, Sales],
    stock: Mapping[str, Stock],
    lead_time_days: float,
    horizon: float = DAYS_PER_YEAR,
) -> tuple[tuple[ItemRisk, ...], tuple[ProductRisk, ...]]:
    """Every item approved after ``lead_time_days`` (denied ones never), and every refused."""
    approved = np.where(items.denied, np.inf, lead_time_days)
    arrivals = np.vstack([approved, np.full(len(items.ids), np.inf)])
    lost = lost_days(items, arrivals, horizon).T
    start = np.minimum(items.cover_days, horizon)
    gaps = np.maximum(np.minimum(arrivals, horizon) - start, 0.0).T
    item_risks = tuple(
        ItemRisk(
            part_id=item,
            gate=gates[item],
            on_hand=stock[item].on_hand if item in stock else None,
            daily_usage=None if np.isnan(items.daily_usage[k]) else float(items.daily_usage[k]),
            usage_derived=bool(items.usage_derived[k]),
            days_of_cover=(
                float(items.cover_days[k])
                if items.cover_known[k] and np.isfinite(items.cover_days[k])
                else None
            ),
            cover_known=bool(items.cover_known[k]),
            used_up=bool(np.isfinite(items.cover_days[k])),
            lead_time_days=float(approved[k]) if np.isfinite(approved[k]) else None,
            gap_days=float(gaps[k, 0]),
            gap_days_if_refused=float(gaps[k, 1]),
        )
        for k, item in enumerate(items.ids)
    )
    products = []
    for g, product_id in enumerate(items.products):
        stop = items.group_start[g + 1] if g + 1 < len(items.group_start) else None
        ks = items.edge_item[items.group_start[g] : stop].tolist()
        sale = sales.get(product_id)
        per_day = (
            None if sale is None else (sale.volume / DAYS_PER_YEAR, sale.revenue / DAYS_PER_YEAR)
        )
        notes = [
            f"no stock record for {items.ids[k]}: counted as none"
            for k in ks
            if items.ids[k] not in stock
        ]
        notes += [
            f"usage of {items.ids[k]} unknown (no monthly_usage and no sales to derive it): "
            "counted as no cover"
            for k in ks
            if items.ids[k] in stock and not items.cover_known[k]
        ]
        if sale is None:
            notes.append("no sales figures: units and revenue at risk unknown")
        products.append(
            ProductRisk(
                part_id=product_id,
                items=tuple(
                    ProductItemRisk(
                        item=items.ids[k],
                        gap_days=float(gaps[k, 0]),
                        units_at_risk=None if per_day is None else per_day[0] * float(gaps[k, 0]),
                        revenue_at_risk=None if per_day is None else per_day[1] * float(gaps[k, 0]),
                    )
                    for k in ks
                ),
                lost_days=float(lost[g, 0]),
                lost_days_if_refused=float(lost[g, 1]),
                units_at_risk=None if per_day is None else per_day[0] * float(lost[g, 0]),
                revenue_at_risk=None if per_day is None else per_day[1] * float(lost[g, 0]),
                revenue_at_risk_if_refused=(
                    None if per_day is None else per_day[1] * float(lost[g, 1])
                ),
                currency=None if sale is None else sale.currency,
                notes=tuple(notes),
            )
        )
    return item_risks, tuple(products)
