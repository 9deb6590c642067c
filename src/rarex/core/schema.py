"""The rule-file schema: one pydantic model per YAML object, strict (``extra="forbid"``).

A rule file holds one legal instrument. Every record that states a fact carries its
citation (``sources``, resolved against ``sources.yaml``) and a ``verification`` tag.
Suspensions and repeals are instruments of their own that name the limbs they affect
through ``effects``; no record is edited in place.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from rarex.core.vocab import (
    COUNTRY_CODE_PATTERN,
    ELEMENT_SYMBOLS,
    AfterEnd,
    Comparison,
    DutyProducts,
    EffectAction,
    EndUse,
    EndUserType,
    Form,
    InstrumentKind,
    ItemRole,
    Jurisdiction,
    MarketMetric,
    Outcome,
    Parameter,
    PolicyScope,
    ShareBound,
    Status,
    TechnologyRoute,
    Verification,
)

InstrumentId = Annotated[str, StringConstraints(pattern=r"^(CN|US)-[A-Z0-9]+(-[A-Z0-9]+)*$")]
LocalId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._()\-]*$", max_length=64)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{2}$")]
CountryCode = Annotated[str, StringConstraints(pattern=COUNTRY_CODE_PATTERN)]
# "CN-2025-61" (every limb) or "CN-2025-61/cl1.1" (one limb)
LimbRef = Annotated[
    str,
    StringConstraints(pattern=r"^(CN|US)-[A-Z0-9]+(-[A-Z0-9]+)*(/[a-z0-9][a-z0-9._()\-]*)?$"),
]
# "ga-metal" (this instrument), "CN-2023-23/ga-metal" (another one) or "CN-2023-23/*" (all of it)
ItemRef = Annotated[
    str,
    StringConstraints(
        pattern=r"^((CN|US)-[A-Z0-9]+(-[A-Z0-9]+)*/(\*|[a-z0-9][a-z0-9._()\-]*)|[a-z0-9][a-z0-9._()\-]*)$"
    ),
]


class Strict(BaseModel):
    """Base of every rule-file object: unknown fields are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Source(Strict):
    """A source that facts cite: the entry in ``sources.yaml``."""

    id: SourceId
    title: str = Field(min_length=3)
    url: str = Field(pattern=r"^(https?://|repo:)")
    note: str | None = None


class SourceRegistry(Strict):
    """The top level of ``sources.yaml``."""

    sources: tuple[Source, ...] = Field(min_length=1)


class Cited(Strict):
    """A fact with its citation and its verification tag."""

    verification: Verification
    sources: tuple[SourceId, ...] = Field(min_length=1)
    note: str | None = None


class DateFact(Cited):
    """A dated fact, such as the day an announcement was made or a clause commenced."""

    value: date


class EndFact(Cited):
    """The stated end of a limb or of a suspension window."""

    value: date
    inclusive: bool
    inclusive_verification: Verification
    after: AfterEnd

    @property
    def last_day(self) -> date:
        """The last day still covered by the window."""
        return self.value if self.inclusive else self.value - timedelta(days=1)


class Title(Strict):
    """A name in English, and in Chinese where known."""

    en: str = Field(min_length=2)
    zh: str | None = None


class CodeFact(Strict):
    """A code whose verification differs from the record that holds it."""

    value: str = Field(min_length=1)
    verification: Verification
    note: str | None = None


Code = str | CodeFact


def code_value(code: Code) -> str:
    return code if isinstance(code, str) else code.value


class Threshold(Strict):
    """A parameter test; all thresholds of an item must hold for it to be caught."""

    parameter: Parameter
    op: Comparison
    value: Decimal | None = None
    values: tuple[str, ...] | None = None
    element: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> Threshold:
        if self.op is Comparison.IN:
            if not self.values or self.value is not None:
                raise ValueError("op 'in' takes 'values' (a list) and no 'value'")
        elif self.value is None or self.values is not None:
            raise ValueError(f"op '{self.op}' takes a numeric 'value' and no 'values'")
        if (self.parameter is Parameter.MASS_FRACTION_PCT) != (self.element is not None):
            raise ValueError("'element' is required for mass_fraction_pct and only for it")
        if self.element is not None and self.element not in ELEMENT_SYMBOLS:
            raise ValueError(f"unknown element symbol {self.element!r}")
        return self


class Item(Cited):
    """A controlled item: control code, description, elements, forms, codes and thresholds."""

    id: LocalId
    control_code: Code | None = None
    description: Title
    elements: tuple[str, ...] = ()
    elements_any: tuple[str, ...] = ()
    forms: tuple[Form, ...] = ()
    customs_codes: tuple[Code, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    role: ItemRole | None = None

    @field_validator("elements", "elements_any")
    @classmethod
    def _known_elements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [symbol for symbol in value if symbol not in ELEMENT_SYMBOLS]
        if unknown:
            raise ValueError(f"unknown element symbol(s): {', '.join(unknown)}")
        return value


class Entity(Strict):
    """A party named in an entity listing."""

    name: str = Field(min_length=2)
    name_zh: str | None = None
    aliases: tuple[str, ...] = ()
    country: CountryCode | None = None
    note: str | None = None


class Limb(Cited):
    """A clause (or a listing) with its own commencement and end.

    ``commences: null`` records that the commencement date is unknown; the limb is then
    ``uncertain`` until a dated record settles it, except before ``not_before`` (typically
    the announcement), when it cannot yet be in force.
    """

    id: LocalId
    title: str = Field(min_length=2)
    summary: str | None = None
    commences: DateFact | None
    not_before: DateFact | None = None
    ends: EndFact | None = None
    items: tuple[LocalId, ...] | None = None
    announcement: str | None = None
    entities: tuple[Entity, ...] = ()
    entity_count: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _check_end(self) -> Limb:
        if self.ends is not None:
            if self.ends.after is AfterEnd.RESUMES:
                raise ValueError("a limb's own end is 'expires' or 'unknown', not 'resumes'")
            if self.commences is not None and self.ends.last_day < self.commences.value:
                raise ValueError("the limb ends before it commences")
        return self


class Policy(Cited):
    """A licensing policy of one limb, by item, destination, end user and end use.

    An empty selector (``null``) means "any".
    """

    id: LocalId
    limb: LocalId
    outcome: Outcome
    description: str = Field(min_length=5)
    scope: PolicyScope = PolicyScope.INSTRUMENT_ITEMS
    items: tuple[ItemRef, ...] | None = None
    destinations: tuple[CountryCode, ...] | None = None
    end_user_types: tuple[EndUserType, ...] | None = None
    end_uses: tuple[EndUse, ...] | None = None
    listed_parties: tuple[InstrumentId, ...] | None = None
    ownership_threshold: Decimal | None = Field(default=None, gt=0, le=1)


class ShareThreshold(Strict):
    """A value-share threshold, e.g. 0.1 % inclusive for CN-2025-61 clause 1(1)."""

    value: Decimal = Field(gt=0, lt=1)
    inclusive: bool


class Extraterritorial(Cited):
    """The extraterritorial rule of CN-2025-61: inputs, caught items, threshold and routes."""

    input_items: tuple[LocalId, ...] = Field(min_length=1)
    caught_items: tuple[LocalId, ...] = Field(min_length=1)
    value_threshold: ShareThreshold
    content_limb: LocalId
    technology_limb: LocalId
    technologies: tuple[TechnologyRoute, ...] = Field(min_length=1)
    origin_limb: LocalId


class Effect(Cited):
    """What a suspending or repealing instrument does to the limbs of another."""

    action: EffectAction
    targets: tuple[LimbRef, ...] = Field(min_length=1)
    starts: DateFact
    ends: EndFact | None = None

    @model_validator(mode="after")
    def _check_window(self) -> Effect:
        if self.action is EffectAction.TERMINATE and self.ends is not None:
            raise ValueError("a 'terminate' effect has no 'ends'")
        if self.ends is not None:
            if self.ends.after is AfterEnd.EXPIRES:
                raise ValueError("a suspension ends with 'resumes' or 'unknown', not 'expires'")
            if self.ends.last_day < self.starts.value:
                raise ValueError("the window ends before it starts")
        return self


class Duty(Cited):
    """An additional import duty (US measures), for the duty overlay."""

    id: LocalId
    limb: LocalId
    rate_pct: Decimal = Field(ge=0)
    description: str = Field(min_length=3)
    products: DutyProducts
    origins: tuple[CountryCode, ...] | None = ("CN",)
    hs_codes: tuple[str, ...] = ()
    heading: str | None = None

    @model_validator(mode="after")
    def _check_products(self) -> Duty:
        if (self.products is DutyProducts.LISTED_CODES) != bool(self.hs_codes):
            raise ValueError("'hs_codes' is given exactly when products is 'listed_codes'")
        return self


class Instrument(Cited):
    """One legal instrument: a law, announcement, list, suspension or US measure."""

    id: InstrumentId
    kind: InstrumentKind
    jurisdiction: Jurisdiction
    title: Title
    number: Code | None = None
    issuers: tuple[str, ...] = Field(min_length=1)
    announced: DateFact | None
    legal_basis: tuple[str, ...] = ()
    consolidated_into: InstrumentId | None = None
    limbs: tuple[Limb, ...] = Field(min_length=1)
    items: tuple[Item, ...] = ()
    policies: tuple[Policy, ...] = ()
    extraterritorial: Extraterritorial | None = None
    effects: tuple[Effect, ...] = ()
    duties: tuple[Duty, ...] = ()


# Country figures may add up to a little more than the world total because each is rounded
# (USGS 2024: the listed rare-earth producers sum to 390,400 t against a world total of 390,000 t).
ROUNDING_TOLERANCE = Decimal("0.01")


class CountryFigure(Strict):
    """One country's part of a market figure: a quantity or a share of the world total."""

    country: CountryCode
    value: Decimal | None = Field(default=None, ge=0)
    share: Decimal | None = Field(default=None, ge=0, le=1)
    bound: ShareBound = ShareBound.EXACT
    note: str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> CountryFigure:
        if (self.value is None) == (self.share is None):
            raise ValueError("give exactly one of 'value' and 'share'")
        return self


class MarketFigure(Cited):
    """A dated, cited market figure (production or refining by country) for concentration.

    One file per figure under ``market/``, named after its id. Record only what a source
    gives: where only China's share is known, list only China, and the concentration is
    reported as a lower bound.
    """

    id: LocalId
    commodity: str = Field(min_length=2)
    elements: tuple[str, ...] = Field(min_length=1)
    metric: MarketMetric
    year: int = Field(ge=1900, le=2100)
    estimate: bool = False
    unit: str | None = None
    world_total: Decimal | None = Field(default=None, gt=0)
    countries: tuple[CountryFigure, ...] = Field(min_length=1)
    conflicts: tuple[str, ...] = ()

    @field_validator("elements")
    @classmethod
    def _known_elements(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [symbol for symbol in value if symbol not in ELEMENT_SYMBOLS]
        if unknown:
            raise ValueError(f"unknown element symbol(s): {', '.join(unknown)}")
        return value

    @model_validator(mode="after")
    def _check_totals(self) -> MarketFigure:
        codes = [c.country for c in self.countries]
        if len(set(codes)) != len(codes):
            raise ValueError("a country is listed twice")
        with_values = [c for c in self.countries if c.value is not None]
        if with_values and (self.world_total is None or self.unit is None):
            raise ValueError("country 'value's need 'world_total' and 'unit'")
        if self.share_sum() > 1 + ROUNDING_TOLERANCE:
            raise ValueError(f"the country figures add up to {self.share_sum():.4f} of the world")
        return self

    def share_of(self, country: CountryFigure) -> Decimal:
        """The country's share of the world total (its stated share, or value / world total)."""
        if country.share is not None:
            return country.share
        assert country.value is not None and self.world_total is not None
        return country.value / self.world_total

    def share_sum(self) -> Decimal:
        return sum((self.share_of(c) for c in self.countries), Decimal(0))


class ScenarioInput(Strict):
    """What a scenario feeds in: status assumptions, as for ``--assume``."""

    assume: dict[LimbRef, Status] = Field(default_factory=dict)


class Scenario(Strict):
    """An analyst-written check: on ``as_of``, the named measures or limbs have these statuses."""

    name: str = Field(min_length=5)
    as_of: date
    input: ScenarioInput = Field(default_factory=ScenarioInput)
    expected: dict[LimbRef, Status] = Field(min_length=1)


class ScenarioFile(Strict):
    """The top level of a scenario file."""

    scenarios: tuple[Scenario, ...] = Field(min_length=1)


ROOT_MODELS: tuple[type[BaseModel], ...] = (Instrument, SourceRegistry, ScenarioFile, MarketFigure)


def schema_models() -> list[type[BaseModel]]:
    """Every model reachable from the root models, in discovery order (for docs and schema)."""
    found: list[type[BaseModel]] = []

    def visit(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in found:
                found.append(annotation)
                for info in annotation.model_fields.values():
                    visit(info.annotation)
            return
        for arg in get_args(annotation):
            visit(arg)

    for root in ROOT_MODELS:
        visit(root)
    return found
