"""Classify parts against the items of the rulebook.

Three routes, in order of strength:

1. the part's explicit control code (certain);
2. its elements, form and measured parameters against each item's thresholds (certain when
   every test can be decided; ``possible_match`` when a needed fact is missing);
3. its customs code against the items' reference customs codes (``possible_match`` only: under
   the dual-use list the control code and the technical description govern, the HS code is a
   screening hint).

Every match carries the reason it was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rarex.core.parts import Part
from rarex.core.rulebook import RuleBook
from rarex.core.schema import CodeFact, Instrument, Item, Threshold, code_value
from rarex.core.vocab import Comparison, Form, Parameter, Verification


class Certainty(StrEnum):
    MATCH = "match"
    POSSIBLE_MATCH = "possible_match"


class Route(StrEnum):
    CONTROL_CODE = "control_code"
    PARAMETERS = "parameters"
    CUSTOMS_CODE = "customs_code"


@dataclass(frozen=True)
class ItemMatch:
    """One item a part is (or may be) classified as."""

    instrument: str
    item: str
    control_code: str | None
    certainty: Certainty
    route: Route
    reason: str
    missing: tuple[str, ...] = ()
    verification: Verification = Verification.OFFICIAL

    @property
    def ref(self) -> str:
        return f"{self.instrument}/{self.item}"


@dataclass(frozen=True)
class Classification:
    matches: tuple[ItemMatch, ...]
    unknown_control_code: str | None = None

    def certain(self) -> tuple[ItemMatch, ...]:
        return tuple(m for m in self.matches if m.certainty is Certainty.MATCH)


# A part in one of these forms is a substance: an item naming a single element (gallium
# metal, diamond powder, natural graphite) only covers it when it is mostly that element.
SUBSTANCE_FORMS = frozenset(
    {Form.METAL, Form.POWDER, Form.CRYSTAL, Form.GRAPHITE, Form.ANODE_MATERIAL}
)
SUBSTANCE_MIN_FRACTION = Decimal("0.5")


def _names_one_element(item: Item) -> bool:
    return len(item.elements) == 1 and not item.elements_any


_OPS = {
    Comparison.GT: lambda a, b: a > b,
    Comparison.GE: lambda a, b: a >= b,
    Comparison.LT: lambda a, b: a < b,
    Comparison.LE: lambda a, b: a <= b,
    Comparison.EQ: lambda a, b: a == b,
}
_SYMBOL = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤", "eq": "=", "in": "in"}


class Classifier:
    """Indexes the rulebook's items once and classifies parts, caching equal part facts."""

    def __init__(self, rulebook: RuleBook) -> None:
        self._items: list[tuple[Instrument, Item]] = [
            (inst, item) for inst in rulebook.instruments.values() for item in inst.items
        ]
        self._cache: dict[tuple[object, ...], Classification] = {}

    def classify(self, part: Part) -> Classification:
        key = (
            part.control_code,
            part.hs_code,
            part.form,
            tuple(sorted(part.elements.items())),
            tuple(sorted((k, str(v)) for k, v in part.attributes.items())),
        )
        cached = self._cache.get(key)
        if cached is None:
            cached = self._classify(part)
            self._cache[key] = cached
        return cached

    def _classify(self, part: Part) -> Classification:
        found: dict[tuple[str, str], ItemMatch] = {}
        code_hit = False
        for inst, item in self._items:
            match = _by_control_code(part, inst, item)
            if match is not None:
                code_hit = True
                found[(inst.id, item.id)] = match
        for inst, item in self._items:
            if (inst.id, item.id) in found:
                continue
            if code_hit and item.control_code is not None:
                continue  # a declared, recognised control code settles the coded items
            match = _by_parameters(part, inst, item)
            if match is None:
                match = _by_customs_code(part, inst, item)
            if match is not None:
                found[(inst.id, item.id)] = match
        unknown = part.control_code if part.control_code and not code_hit else None
        return Classification(tuple(found.values()), unknown)


def _verification(item: Item, code: str | CodeFact | None) -> Verification:
    if isinstance(code, CodeFact):
        return code.verification
    return item.verification


def _norm(code: str) -> str:
    return code.strip().upper()


def _by_control_code(part: Part, inst: Instrument, item: Item) -> ItemMatch | None:
    if not part.control_code or item.control_code is None:
        return None
    ours, theirs = _norm(part.control_code), _norm(code_value(item.control_code))
    if not (ours == theirs or theirs.startswith(ours + ".") or ours.startswith(theirs + ".")):
        return None
    verification = _verification(item, item.control_code)
    caveat = (
        " (the rulebook's code is unverified)" if verification is Verification.UNVERIFIED else ""
    )
    return ItemMatch(
        inst.id,
        item.id,
        code_value(item.control_code),
        Certainty.MATCH,
        Route.CONTROL_CODE,
        f"declared control code {part.control_code} matches {code_value(item.control_code)}"
        f" ({item.description.en}){caveat}",
        verification=verification,
    )


def _by_parameters(part: Part, inst: Instrument, item: Item) -> ItemMatch | None:
    if not item.elements and not item.elements_any:
        return None
    missing: list[str] = []
    reasons: list[str] = []
    if item.forms:
        if part.form is None:
            if not part.elements or Form.OTHER in item.forms:
                return None
            missing.append("form")
        elif part.form not in item.forms:
            return None
        else:
            reasons.append(f"form {part.form.value}")
    if not part.elements:
        if part.form is None or part.form is Form.OTHER:
            return None
        missing.append("elements")
    else:
        present = {symbol for symbol, fraction in part.elements.items() if fraction > 0}
        if not set(item.elements) <= present:
            return None
        if (
            _names_one_element(item)
            and part.form in SUBSTANCE_FORMS
            and part.elements[item.elements[0]] < SUBSTANCE_MIN_FRACTION
        ):
            return None  # e.g. tungsten carbide powder is not diamond or graphite powder
        if item.elements_any and not present & set(item.elements_any):
            return None
        shown = sorted(set(item.elements) | (present & set(item.elements_any)))
        reasons.append("contains " + ", ".join(shown))
    for threshold in item.thresholds:
        outcome = _test(part, threshold)
        if outcome is None:
            missing.append(_needed(threshold))
        elif not outcome[0]:
            return None
        else:
            reasons.append(outcome[1])
    code = code_value(item.control_code) if item.control_code is not None else None
    label = f"{code} " if code else ""
    if missing:
        return ItemMatch(
            inst.id,
            item.id,
            code,
            Certainty.POSSIBLE_MATCH,
            Route.PARAMETERS,
            f"may be {label}({item.description.en}): {', '.join(missing)} not given",
            tuple(missing),
            _verification(item, item.control_code),
        )
    return ItemMatch(
        inst.id,
        item.id,
        code,
        Certainty.MATCH,
        Route.PARAMETERS,
        f"{label}({item.description.en}): {'; '.join(reasons)}",
        verification=_verification(item, item.control_code),
    )


def _needed(threshold: Threshold) -> str:
    if threshold.parameter is Parameter.MASS_FRACTION_PCT:
        return f"elements ({threshold.element})"
    return threshold.parameter.value


def _test(part: Part, threshold: Threshold) -> tuple[bool, str] | None:
    """(holds, explanation), or None when the part does not give the parameter."""
    parameter = threshold.parameter
    if parameter is Parameter.MASS_FRACTION_PCT:
        assert threshold.element is not None
        fraction = part.elements.get(threshold.element)
        if fraction is None:
            return None
        value: Decimal | str = fraction * 100
    else:
        found = part.attributes.get(parameter.value)
        if found is None:
            return None
        value = found
    op = _SYMBOL[threshold.op.value]
    if threshold.op is Comparison.IN:
        allowed = threshold.values or ()
        return str(value) in allowed, f"{parameter.value} {value} in {', '.join(allowed)}"
    if isinstance(value, str) or threshold.value is None:
        return False, f"{parameter.value} is not a number"
    holds = bool(_OPS[threshold.op](value, threshold.value))
    return holds, f"{parameter.value} {value} {op} {threshold.value}"


def _by_customs_code(part: Part, inst: Instrument, item: Item) -> ItemMatch | None:
    if not part.hs_code or not item.customs_codes:
        return None
    for code in item.customs_codes:
        value = code_value(code)
        if value == part.hs_code or (len(part.hs_code) < 10 and value.startswith(part.hs_code)):
            control = code_value(item.control_code) if item.control_code is not None else None
            return ItemMatch(
                inst.id,
                item.id,
                control,
                Certainty.POSSIBLE_MATCH,
                Route.CUSTOMS_CODE,
                f"customs code {part.hs_code} matches reference code {value} of "
                f"{control or item.id} ({item.description.en}); needs confirmation",
                verification=_verification(item, code),
            )
    return None
