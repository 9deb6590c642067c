"""The assessment: classify every part, roll the BOM up once, decide every product.

``assess`` is the main job of rarex. It is pure: the dataset, the rulebook, the date and the
shipment are passed in, and the result carries the rulebook hash and the assumptions so that
it can be replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from rarex.core.bom import IntArray
from rarex.core.classify import Certainty, Classification, Classifier
from rarex.core.determine import Determiner, ProductFacts, Screening
from rarex.core.listed import ListingHit, find_listings
from rarex.core.matching import Matcher
from rarex.core.parts import Dataset
from rarex.core.rollup import BoolArray, RollupInput, roll_up
from rarex.core.rulebook import RuleBook
from rarex.core.schema import Extraterritorial, Instrument
from rarex.core.verdict import ProductResult, Shipment, combine
from rarex.core.vocab import CHINA, RARE_EARTHS, ItemRole, Status

MAX_PATHS = 10
MAX_LISTED = 50  # inputs of unknown origin or value listed per product
Progress = Callable[[str, int, int], None]


class AssessmentError(ValueError):
    """The assessment cannot be made as asked (mixed currencies, unknown product …)."""


@dataclass(frozen=True)
class Assessment:
    as_of: date
    rulebook_sha256: str
    assumptions: Mapping[str, Status]
    shipment: Shipment
    currency: str | None
    results: tuple[ProductResult, ...]
    listing_hits: tuple[ListingHit, ...] = ()
    source: str = ""
    classifications: Mapping[str, Classification] = field(default_factory=dict)


def assess(
    rulebook: RuleBook,
    dataset: Dataset,
    as_of: date,
    shipment: Shipment,
    *,
    products: list[str] | None = None,
    assumptions: Mapping[str, Status] | None = None,
    progress: Progress | None = None,
    matcher: Matcher | None = None,
) -> Assessment:
    snapshot = rulebook.at(as_of, assumptions)
    currency = _single_currency(dataset)
    wanted = products or dataset.products()
    unknown = [p for p in wanted if p not in dataset.index]
    if unknown:
        raise AssessmentError(f"unknown product id(s): {', '.join(unknown)}")

    classifier = Classifier(rulebook)
    n = len(dataset.parts)
    classifications: list[Classification] = []
    step = max(1, n // 100)
    for i, part in enumerate(dataset.parts):
        classifications.append(classifier.classify(part))
        if progress is not None and (i % step == 0 or i == n - 1):
            progress("classify", i + 1, n)

    ext = _extraterritorial(rulebook)
    facts, elements = _rollup_input(dataset, classifications, ext)
    categories = list(ext[1].input_items) if ext else []
    n_categories = len(ext[1].input_items) if ext else 1
    rolled = roll_up(dataset.bom, facts, n_categories)
    if progress is not None:
        progress("roll up", 1, 1)

    hits = (
        find_listings(rulebook, snapshot, shipment.end_user, matcher) if shipment.end_user else []
    )
    determiner = Determiner(rulebook, snapshot, shipment, _screening(hits))
    values = facts.unit_value
    shares = rolled.share(values)
    order, start = dataset.bom.children_index()
    has_content = rolled.content_total > 0
    counted = facts.input_category >= 0
    walk = _Walker(dataset, order, start)
    results = []
    for count, part_id in enumerate(wanted, start=1):
        i = dataset.index[part_id]
        part = dataset.parts[i]
        share = None if np.isnan(shares[i]) else float(shares[i])
        product = ProductFacts(
            part_id=part_id,
            classification=classifications[i],
            origin=part.origin,
            unit_value=None if part.unit_value is None else float(part.unit_value),
            content_share=share,
            caught_below=bool(rolled.flags["caught"][i]),
            maybe_caught_below=bool(rolled.flags["maybe_caught"][i]),
            annex_tech_cn=bool(rolled.flags["annex_tech_cn"][i]),
            unknown_controlled=bool(rolled.flags["unknown_controlled"][i]),
            content_paths=walk.paths(i, has_content, counted),
            tech_paths=walk.paths(i, rolled.flags["annex_tech_cn"], facts.flags["annex_tech_cn"]),
            caught_paths=walk.paths(i, rolled.flags["caught"], facts.flags["caught"]),
        )
        findings = determiner.findings(product)
        outcome, worst = combine(findings)
        unknown_inputs = tuple(
            dataset.parts[j].part_id
            for j in walk.reachable(i, rolled.flags["unknown_any"], facts.flags["unknown_any"])
        )
        results.append(
            ProductResult(
                part_id,
                part.description,
                outcome,
                worst,
                tuple(findings),
                share,
                unknown_inputs,
                content_value=float(rolled.content_total[i]),
                content_by_item={
                    name: float(v)
                    for name, v in zip(categories, rolled.content_by_category[i], strict=False)
                    if v
                },
                content_by_element={
                    name: float(v)
                    for name, v in zip(elements, rolled.content_by_element[i], strict=True)
                    if v
                },
                china_technology=bool(rolled.flags["annex_tech_cn"][i]),
            )
        )
        if progress is not None:
            progress("decide", count, len(wanted))
    return Assessment(
        as_of=as_of,
        rulebook_sha256=rulebook.sha256,
        assumptions=dict(assumptions or {}),
        shipment=shipment,
        currency=currency,
        results=tuple(results),
        listing_hits=tuple(hits),
        source=dataset.source,
        classifications={p: classifications[dataset.index[p]] for p in wanted},
    )


def _single_currency(dataset: Dataset) -> str | None:
    currencies = {p.currency for p in dataset.parts if p.currency and p.unit_value is not None}
    if len(currencies) > 1:
        raise AssessmentError(
            f"parts are priced in several currencies ({', '.join(sorted(currencies))}); "
            "give exchange rates with --fx"
        )
    return next(iter(currencies), None)


def _extraterritorial(rulebook: RuleBook) -> tuple[Instrument, Extraterritorial] | None:
    for inst in rulebook.instruments.values():
        if inst.extraterritorial is not None:
            return inst, inst.extraterritorial
    return None


def _rollup_input(
    dataset: Dataset,
    classifications: list[Classification],
    ext: tuple[Instrument, Extraterritorial] | None,
) -> tuple[RollupInput, list[str]]:
    n = len(dataset.parts)
    values = np.array(
        [np.nan if p.unit_value is None else float(p.unit_value) for p in dataset.parts]
    )
    category = np.full(n, -1, dtype=np.int64)
    flags: dict[str, BoolArray] = {
        name: np.zeros(n, dtype=bool)
        for name in ("caught", "maybe_caught", "annex_tech_cn", "unknown_controlled")
    }
    flags["unknown_any"] = np.array(
        [p.origin is None or p.unit_value is None for p in dataset.parts], dtype=bool
    )
    elements: list[str] = []
    if ext is None:
        return RollupInput(values, category, np.zeros((n, 0), dtype=bool), flags), elements
    inst, rule = ext
    roles = {item.id: item.role for item in inst.items}
    inputs = {item_id: k for k, item_id in enumerate(rule.input_items)}
    items = {item.id: item for item in inst.items}
    elements = sorted({e for item_id in rule.input_items for e in items[item_id].elements})
    element_col = {e: k for k, e in enumerate(elements)}
    rare_earth_inputs = set(elements) & RARE_EARTHS
    leaf = np.bincount(dataset.bom.parent, minlength=n) == 0
    input_elements = np.zeros((n, len(elements)), dtype=bool)
    for i, (part, classification) in enumerate(zip(dataset.parts, classifications, strict=True)):
        for match in classification.matches:
            if match.instrument != inst.id:
                continue
            certain = match.certainty is Certainty.MATCH
            role = roles.get(match.item)
            if role is ItemRole.CAUGHT:
                flags["caught" if certain else "maybe_caught"][i] = True
            if certain and part.tech_origin == CHINA and part.origin not in (CHINA, None):
                flags["annex_tech_cn"][i] = True  # an Annex 1 item made abroad with CN technology
            if role is ItemRole.CAUGHT and leaf[i] and set(part.elements) & rare_earth_inputs:
                # a Part II item with no BOM below it: its Part I content is not broken down
                flags["unknown_controlled"][i] = True
            if match.item in inputs and part.origin in (CHINA, None):
                if certain and part.origin == CHINA and part.unit_value is not None:
                    if category[i] < 0:
                        category[i] = inputs[match.item]
                    for element in items[match.item].elements:
                        input_elements[i, element_col[element]] = True
                else:  # origin, value or classification missing for a (possible) input
                    flags["unknown_controlled"][i] = True
        if category[i] >= 0:
            flags["unknown_controlled"][i] = False
    return RollupInput(values, category, input_elements, flags), elements


def _screening(hits: list[ListingHit]) -> Screening:
    return Screening(
        listed=frozenset(h.list_id for h in hits if h.status is Status.IN_FORCE),
        unsure=frozenset(h.list_id for h in hits if h.status is Status.UNCERTAIN),
        own_limbs=frozenset(h.ref for h in hits if h.status is Status.IN_FORCE),
        unsure_limbs=frozenset(h.ref for h in hits if h.status is Status.UNCERTAIN),
    )


class _Walker:
    """Paths from a product down to the parts that triggered a rule."""

    def __init__(self, dataset: Dataset, order: IntArray, start: IntArray) -> None:
        self.dataset = dataset
        self.order = order
        self.start = start

    def children(self, i: int) -> list[int]:
        edges = self.order[self.start[i] : self.start[i + 1]]
        return [int(c) for c in self.dataset.bom.child[edges]]

    def paths(
        self, root: int, reaches: BoolArray, target: BoolArray
    ) -> tuple[tuple[str, ...], ...]:
        """Up to MAX_PATHS paths from ``root`` to parts where ``target`` holds."""
        found: list[tuple[str, ...]] = []
        ids = self.dataset.parts
        stack: list[tuple[int, tuple[int, ...]]] = [(root, (root,))]
        while stack and len(found) < MAX_PATHS:
            node, path = stack.pop()
            if target[node]:
                found.append(tuple(ids[j].part_id for j in path))
                continue
            for child in reversed(self.children(node)):
                if reaches[child] and child not in path:
                    stack.append((child, (*path, child)))
        return tuple(found)

    def reachable(
        self, root: int, reaches: BoolArray, target: BoolArray, limit: int = MAX_LISTED
    ) -> list[int]:
        """Parts below (or at) ``root`` where ``target`` holds, each once, at most ``limit``."""
        seen = {root}
        stack = [root]
        out: list[int] = []
        while stack and len(out) < limit:
            node = stack.pop()
            if target[node]:
                out.append(node)
            for child in self.children(node):
                if reaches[child] and child not in seen:
                    seen.add(child)
                    stack.append(child)
        return sorted(out)
