"""The whole exposure answer for a dataset on a date, and the "suspended measures resume" case.

``analyse`` decides which items need a Chinese export licence (by the assessment: China-origin
inputs as exports from China, and the products as shipped), explodes the BOM once, and
computes content, cover against the lead time, the Monte Carlo, plants and concentration.
``resume_scenario`` re-runs it as of a date with the measures that the October 2025
suspension covers assumed in force, and says which products change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from rarex.core.assess import assess
from rarex.core.classify import Classification
from rarex.core.concentration import Concentration, by_element
from rarex.core.exposure import (
    DAYS_PER_YEAR,
    Gate,
    ItemRisk,
    ProductContent,
    ProductRisk,
    Sales,
    Stock,
    build_items,
    explode,
    lead_time_risk,
    product_content,
)
from rarex.core.montecarlo import DelayModel, Simulation, simulate_lost_days, summarise
from rarex.core.parts import Dataset
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import ProductResult, Shipment, Verdict
from rarex.core.vocab import CHINA, EffectAction, Status

LEAD_TIME = frozenset({Verdict.LICENCE_REQUIRED, Verdict.CASE_BY_CASE})
REFUSED = frozenset({Verdict.PROHIBITED, Verdict.PRESUMPTION_OF_DENIAL})
# The measures whose suspension defines the "October 2025 measures resume" case: every
# measure suspended together with them (by CN-2025-70 in the bundled rulebook) is resumed.
RESUME_ANCHORS = ("CN-2025-61", "CN-2025-62")


@dataclass(frozen=True)
class Scenario:
    """The lead-time and Monte Carlo parameters."""

    lead_time_days: float  # calendar days from the date to the statutory decision
    delay: DelayModel
    denial_probability: float = 0.0
    draws: int = 10_000
    seed: int = 0
    horizon_days: float = DAYS_PER_YEAR
    include_uncertain: bool = False  # gate items whose need for a licence is uncertain too


@dataclass(frozen=True)
class Commercial:
    """The company's commercial facts: sales per product, stock, mass per unit and plants."""

    sales: Mapping[str, Sales] = field(default_factory=dict)
    stock: Mapping[str, Stock] = field(default_factory=dict)
    masses: Mapping[str, float] = field(default_factory=dict)
    plants: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlantExposure:
    plant: str
    products: tuple[str, ...]
    annual_revenue: float | None  # None if a product has no sales figures, or currencies mix
    revenue_at_risk: float | None
    incomplete: tuple[str, ...] = ()  # products with inputs of unknown origin or value


@dataclass(frozen=True)
class Exposure:
    as_of: date
    rulebook_sha256: str
    assumptions: Mapping[str, Status]
    currency: str | None
    gates: Mapping[str, Gate]
    uncertain: tuple[str, ...]  # inputs that need a licence only if uncertain measures apply
    undecided: tuple[str, ...]  # China-origin inputs whose need for a licence lacks facts
    items: tuple[ItemRisk, ...]
    contents: tuple[ProductContent, ...]
    risks: tuple[ProductRisk, ...]
    simulation: Simulation | None
    plants: tuple[PlantExposure, ...]
    concentration: Mapping[str, tuple[Concentration, ...]]
    outcomes: Mapping[str, tuple[Verdict, Verdict]]  # product → (outcome, worst case)
    unknown_inputs: Mapping[str, tuple[str, ...]]  # product → inputs of unknown origin/value
    sales: Mapping[str, Sales] = field(default_factory=dict)


def analyse(
    rulebook: RuleBook,
    dataset: Dataset,
    as_of: date,
    scenario: Scenario,
    commercial: Commercial,
    *,
    shipment: Shipment | None = None,
    inputs_to: str | None = None,
    assumptions: Mapping[str, Status] | None = None,
) -> Exposure:
    """Exposure of every product (BOM roots and parts with sales) on ``as_of``.

    ``shipment`` is how the products themselves are shipped (for their own licence need);
    ``inputs_to`` is the country the China-origin inputs are exported to, if known.
    """
    sales, stock = commercial.sales, commercial.stock
    shipment = shipment or Shipment()
    products = list(dict.fromkeys([*dataset.products(), *sales]))
    china = [p.part_id for p in dataset.parts if p.origin == CHINA]
    from_china = Shipment(export_from=CHINA, destination=inputs_to)
    inputs = assess(rulebook, dataset, as_of, from_china, products=china, assumptions=assumptions)
    own = assess(rulebook, dataset, as_of, shipment, products=products, assumptions=assumptions)
    counts = LEAD_TIME | REFUSED
    gates: dict[str, Gate] = {}
    uncertain: list[str] = []
    undecided: list[str] = []
    for result in inputs.results:
        verdict = _gating(result, scenario.include_uncertain)
        if verdict in counts:
            gates[result.part_id] = _gate(
                rulebook, dataset, result, verdict, inputs.classifications
            )
        elif result.worst_case_outcome in counts:
            uncertain.append(result.part_id)
        elif Verdict.INCOMPLETE_DATA in (result.outcome, result.worst_case_outcome):
            undecided.append(result.part_id)
    input_ids = [p for p in china if p in gates]
    gated_products = []
    for result in own.results:
        verdict = _gating(result, scenario.include_uncertain)
        if verdict in counts and result.part_id not in gates:
            gates[result.part_id] = _gate(rulebook, dataset, result, verdict, {})
            gated_products.append(result.part_id)
    table = explode(dataset, products, input_ids)
    contents = product_content(dataset, table, gates, commercial.masses, commercial.plants)
    items = build_items(table, gated_products, gates, sales, stock)
    item_risks, risks = lead_time_risk(
        items, gates, sales, stock, scenario.lead_time_days, scenario.horizon_days
    )
    simulation = None
    if scenario.draws > 0 and items.products:
        lost = simulate_lost_days(
            items,
            scenario.delay,
            scenario.denial_probability,
            scenario.draws,
            scenario.seed,
            scenario.horizon_days,
        )
        simulation = summarise(
            items,
            lost,
            [sales[p].revenue if p in sales else None for p in items.products],
            [sales[p].currency if p in sales else None for p in items.products],
            seed=scenario.seed,
            denial_probability=scenario.denial_probability,
            delay=scenario.delay,
            horizon=scenario.horizon_days,
        )
    elements = sorted({e for c in contents for e in c.value_by_element})
    return Exposure(
        as_of=as_of,
        rulebook_sha256=rulebook.sha256,
        assumptions=dict(assumptions or {}),
        currency=own.currency,
        gates=gates,
        uncertain=tuple(uncertain),
        undecided=tuple(undecided),
        items=item_risks,
        contents=contents,
        risks=risks,
        simulation=simulation,
        plants=_plants(products, commercial.plants, sales, risks, own.results),
        concentration=by_element(rulebook.markets.values(), elements),
        outcomes={r.part_id: (r.outcome, r.worst_case_outcome) for r in own.results},
        unknown_inputs={r.part_id: r.unknown_inputs for r in own.results if r.unknown_inputs},
        sales=dict(sales),
    )


def _gating(result: ProductResult, include_uncertain: bool) -> Verdict:
    return result.worst_case_outcome if include_uncertain else result.outcome


def _gate(
    rulebook: RuleBook,
    dataset: Dataset,
    result: ProductResult,
    verdict: Verdict,
    classifications: Mapping[str, Classification],
) -> Gate:
    """The gate of one item; its primary controlled item is one made in the part's form."""
    drivers = result.drivers(worst=verdict is not result.outcome)
    part = dataset.part(result.part_id)
    classification = classifications.get(result.part_id)
    matched = []
    for match in classification.certain() if classification is not None else ():
        items = rulebook.instruments[match.instrument].items
        item = next((i for i in items if i.id == match.item), None)
        if item is not None:
            matched.append((match.ref, item))
    matched.sort(key=lambda pair: part.form not in pair[1].forms)  # stable: form matches first
    elements: tuple[str, ...] = ()
    if matched:
        primary = matched[0][1]
        elements = tuple(
            e
            for e in (*primary.elements, *primary.elements_any)
            if not part.elements or e in part.elements
        )
    return Gate(
        part_id=result.part_id,
        outcome=verdict.value,
        measures=tuple(sorted({f.ref for f in drivers})),
        items=tuple(ref for ref, _ in matched),
        elements=elements,
        denied=verdict in REFUSED,
    )


def _plants(
    products: list[str],
    plants: Mapping[str, str],
    sales: Mapping[str, Sales],
    risks: tuple[ProductRisk, ...],
    results: tuple[ProductResult, ...],
) -> tuple[PlantExposure, ...]:
    at_risk = {r.part_id: r.revenue_at_risk for r in risks}
    unknown = {r.part_id for r in results if r.unknown_inputs}
    grouped: dict[str, list[str]] = {}
    for product in products:
        if product in plants:
            grouped.setdefault(plants[product], []).append(product)
    out = []
    for plant, members in sorted(grouped.items()):
        currencies = {sales[p].currency for p in members if p in sales}
        mixed = len(currencies) > 1  # not added up across currencies
        revenue = [sales[p].revenue if p in sales and not mixed else None for p in members]
        risk = [at_risk.get(p, 0.0) if p in sales and not mixed else None for p in members]
        out.append(
            PlantExposure(
                plant=plant,
                products=tuple(members),
                annual_revenue=None if None in revenue else sum(r or 0.0 for r in revenue),
                revenue_at_risk=None if None in risk else sum(r or 0.0 for r in risk),
                incomplete=tuple(p for p in members if p in unknown),
            )
        )
    return tuple(out)


# ---------------------------------------------------------------- resumption of suspended measures


def resumption_assumptions(
    rulebook: RuleBook, anchors: tuple[str, ...] = RESUME_ANCHORS
) -> tuple[dict[str, Status], tuple[str, ...]]:
    """Every measure suspended together with ``anchors``, assumed in force; and the suspenders.

    Read from the rulebook: each suspending effect that targets one of the anchors names the
    measures it suspends, and all of them resume.
    """
    assumed: dict[str, Status] = {}
    by: list[str] = []
    for inst in rulebook.instruments.values():
        for effect in inst.effects:
            if effect.action is not EffectAction.SUSPEND:
                continue
            measures = {t.partition("/")[0] for t in effect.targets}
            if measures & set(anchors):
                by.append(inst.id)
                assumed.update(dict.fromkeys(effect.targets, Status.IN_FORCE))
    return assumed, tuple(sorted(set(by)))


@dataclass(frozen=True)
class ProductChange:
    part_id: str
    outcome_before: Verdict
    outcome_after: Verdict
    newly_gated: tuple[str, ...]  # items that need a licence only in the scenario
    revenue_at_risk_before: float | None
    revenue_at_risk_after: float | None
    annual_revenue: float | None


@dataclass(frozen=True)
class Resumption:
    on: date
    assumptions: Mapping[str, Status]
    suspended_by: tuple[str, ...]
    changes: tuple[ProductChange, ...]
    revenue_newly_at_risk: float | None  # over changed products with sales; None if currencies mix
    currency: str | None
    products_without_sales: tuple[str, ...]
    baseline: Exposure
    resumed: Exposure


def resume_scenario(
    rulebook: RuleBook,
    dataset: Dataset,
    on: date,
    scenario: Scenario,
    commercial: Commercial,
    *,
    shipment: Shipment | None = None,
    inputs_to: str | None = None,
) -> Resumption:
    """As of ``on``: the exposure as the rulebook stands, and with the suspended measures back.

    Both runs use the statutory lead time only (no Monte Carlo), so that the difference is
    the effect of the measures alone.
    """
    assumed, by = resumption_assumptions(rulebook)
    quiet = replace(scenario, draws=0)
    before = analyse(
        rulebook, dataset, on, quiet, commercial, shipment=shipment, inputs_to=inputs_to
    )
    after = analyse(
        rulebook,
        dataset,
        on,
        quiet,
        commercial,
        shipment=shipment,
        inputs_to=inputs_to,
        assumptions=assumed,
    )
    risk_before = {r.part_id: r.revenue_at_risk for r in before.risks}
    risk_after = {r.part_id: r.revenue_at_risk for r in after.risks}
    needs_before = _needs(before)
    needs_after = _needs(after)
    changes = []
    for product, (outcome_after, _) in after.outcomes.items():
        outcome_before = before.outcomes[product][0]
        newly = tuple(sorted(needs_after.get(product, set()) - needs_before.get(product, set())))
        if outcome_after is outcome_before and not newly:
            continue
        sale = after.sales.get(product)
        changes.append(
            ProductChange(
                part_id=product,
                outcome_before=outcome_before,
                outcome_after=outcome_after,
                newly_gated=newly,
                revenue_at_risk_before=risk_before.get(product, 0.0) if sale else None,
                revenue_at_risk_after=risk_after.get(product, 0.0) if sale else None,
                annual_revenue=sale.revenue if sale else None,
            )
        )
    currencies = {after.sales[c.part_id].currency for c in changes if c.part_id in after.sales}
    newly_at_risk = (
        sum((c.revenue_at_risk_after or 0.0) - (c.revenue_at_risk_before or 0.0) for c in changes)
        if len(currencies) <= 1
        else None
    )
    return Resumption(
        on=on,
        assumptions=assumed,
        suspended_by=by,
        changes=tuple(changes),
        revenue_newly_at_risk=newly_at_risk,
        currency=next(iter(currencies), None),
        products_without_sales=tuple(c.part_id for c in changes if c.annual_revenue is None),
        baseline=before,
        resumed=after,
    )


def _needs(exposure: Exposure) -> dict[str, set[str]]:
    """Per product, the gated items it depends on."""
    out: dict[str, set[str]] = {}
    for risk in exposure.risks:
        out[risk.part_id] = {i.item for i in risk.items}
    return out
