"""Closed vocabularies shared by the rulebook, the importers and the assessment.

Every enum here is a string enum so that YAML, JSON and the database store the plain value.
"""

from __future__ import annotations

from enum import StrEnum


class Verification(StrEnum):
    """How a fact was checked (the tags of the research fact sheet)."""

    OFFICIAL = "official"  # read in the official text or a full reproduction of it
    SECONDARY = "secondary"  # read only in news, law-firm or industry notes
    UNVERIFIED = "unverified"  # inferred, unknown, or read only in a corrupted copy


VERIFICATION_RANK: dict[Verification, int] = {
    Verification.OFFICIAL: 0,
    Verification.SECONDARY: 1,
    Verification.UNVERIFIED: 2,
}


def weakest(tags: list[Verification]) -> Verification:
    """The least certain of several verification tags (official if there are none)."""
    if not tags:
        return Verification.OFFICIAL
    return max(tags, key=VERIFICATION_RANK.__getitem__)


class Status(StrEnum):
    """The status of a limb or a measure on a given day."""

    NOT_YET_IN_FORCE = "not_yet_in_force"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    UNCERTAIN = "uncertain"


class Jurisdiction(StrEnum):
    CN = "CN"
    US = "US"


class InstrumentKind(StrEnum):
    """What kind of legal instrument a rule file holds."""

    LAW = "law"
    REGULATION = "regulation"
    ITEM_CONTROL = "item_control"  # adds items to the dual-use export-control list
    CONTROL_LIST = "control_list"  # the consolidated dual-use list itself
    COUNTRY_POLICY = "country_policy"  # destination-specific licensing policy
    EXTRATERRITORIAL = "extraterritorial"  # rules for foreign-made items (Reg. Art. 49)
    TECHNOLOGY_CONTROL = "technology_control"
    TECHNOLOGY_CATALOGUE = "technology_catalogue"
    LICENCE_CATALOGUE = "licence_catalogue"  # catalogue of dual-use or ordinary licence goods
    STATE_TRADING = "state_trading"
    ENTITY_LIST = "entity_list"
    SUSPENSION = "suspension"  # suspends or lifts limbs of other instruments
    ADMINISTRATIVE_PRACTICE = "administrative_practice"
    DOMESTIC_CONTROL = "domestic_control"  # domestic production control, not an export licence
    US_TARIFF = "us_tariff"
    US_EXPORT_CONTROL = "us_export_control"
    COURT_RULING = "court_ruling"
    BILATERAL_ARRANGEMENT = "bilateral_arrangement"


class Outcome(StrEnum):
    """Licensing outcomes, most restrictive first."""

    PROHIBITED = "prohibited"
    PRESUMPTION_OF_DENIAL = "presumption_of_denial"  # MOFCOM's "in principle not licensed"
    CASE_BY_CASE = "case_by_case"
    LICENCE_REQUIRED = "licence_required"
    NO_LICENCE_REQUIRED = "no_licence_required"


class EndUserType(StrEnum):
    CIVIL = "civil"
    MILITARY = "military"
    GOVERNMENT = "government"
    UNKNOWN = "unknown"


class EndUse(StrEnum):
    CIVIL = "civil"
    MILITARY = "military"
    WMD = "wmd"
    TERRORISM = "terrorism"
    ADVANCED_LOGIC_14NM = "advanced_logic_14nm"
    ADVANCED_MEMORY_256_LAYER = "advanced_memory_256_layer"
    AI_MILITARY = "ai_military"
    HUMANITARIAN = "humanitarian"
    UNKNOWN = "unknown"


class Form(StrEnum):
    """Physical or legal form of an item or a part."""

    ORE = "ore"
    METAL = "metal"
    ALLOY = "alloy"
    OXIDE = "oxide"
    COMPOUND = "compound"
    TARGET = "target"
    PERMANENT_MAGNET = "permanent_magnet"
    POWDER = "powder"
    CRYSTAL = "crystal"
    CELL = "cell"
    BATTERY_PACK = "battery_pack"
    CATHODE_MATERIAL = "cathode_material"
    ANODE_MATERIAL = "anode_material"
    GRAPHITE = "graphite"
    EQUIPMENT = "equipment"
    TECHNOLOGY = "technology"
    OTHER = "other"


class Parameter(StrEnum):
    """Measured parameters that item thresholds test (the ``attributes`` vocabulary)."""

    PURITY_PCT = "purity_pct"
    FLEXURAL_STRENGTH_MPA = "flexural_strength_mpa"
    DENSITY_G_CM3 = "density_g_cm3"
    ENERGY_DENSITY_WH_KG = "energy_density_wh_kg"
    PARTICLE_SIZE_UM = "particle_size_um"
    GRAPHITE_TYPE = "graphite_type"
    MASS_FRACTION_PCT = "mass_fraction_pct"  # needs ``element``
    COMPACTION_DENSITY_G_CM3 = "compaction_density_g_cm3"
    GRAM_CAPACITY_MAH_G = "gram_capacity_mah_g"
    DISLOCATION_DENSITY_PER_CM2 = "dislocation_density_per_cm2"
    ELASTIC_LIMIT_MPA = "elastic_limit_mpa"
    TENSILE_STRENGTH_MPA = "tensile_strength_mpa"
    WIRE_DIAMETER_UM = "wire_diameter_um"
    BREAKING_FORCE_N = "breaking_force_n"
    BOND_HARDNESS_HRB = "bond_hardness_hrb"
    OPERATING_SPEED_M_S = "operating_speed_m_s"
    VESSEL_VOLUME_M3 = "vessel_volume_m3"
    VESSEL_VOLUME_L = "vessel_volume_l"
    BARREL_DIAMETER_M = "barrel_diameter_m"


class GraphiteType(StrEnum):
    NATURAL_FLAKE = "natural_flake"
    SPHERICAL = "spherical"
    EXPANDED = "expanded"
    ARTIFICIAL = "artificial"


class Comparison(StrEnum):
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    EQ = "eq"
    IN = "in"  # categorical: the value is one of ``values``


class ItemRole(StrEnum):
    """The role of an item in an extraterritorial rule (CN-2025-61 Annex 1)."""

    INPUT = "input"  # Part I: China-origin content
    CAUGHT = "caught"  # Part II: foreign-made goods caught


class TechnologyRoute(StrEnum):
    """China-origin technology routes of CN-2025-61 clause 1(2)."""

    MINING = "mining"
    SMELTING_SEPARATION = "smelting_separation"
    METAL_SMELTING = "metal_smelting"
    MAGNET_MANUFACTURING = "magnet_manufacturing"
    SECONDARY_RECYCLING = "secondary_recycling"


class EffectAction(StrEnum):
    SUSPEND = "suspend"
    TERMINATE = "terminate"


class AfterEnd(StrEnum):
    """What follows when a dated window runs out."""

    EXPIRES = "expires"  # the limb simply ends (limb end dates only)
    RESUMES = "resumes"  # the suspended limb returns to its own status (suspensions only)
    UNKNOWN = "unknown"  # no record says what followed: the status becomes uncertain


class DutyProducts(StrEnum):
    """Which products an additional duty covers."""

    ALL_GOODS = "all_goods"  # every product of the origins (less stated exemptions)
    LISTED_CODES = "listed_codes"  # exactly the HTS codes in ``hs_codes``
    DESCRIBED = "described"  # a product group described in words; the codes are not recorded


class MarketMetric(StrEnum):
    """What a market figure measures."""

    MINE_PRODUCTION = "mine_production"  # primary (mine) output
    PRODUCTION = "production"  # output of the metal or material, stage not further specified
    REFINING = "refining"  # refining, processing or separation
    SUPPLY = "supply"  # share of global supply, as a source words it


class ShareBound(StrEnum):
    """How a country's figure relates to the true value."""

    EXACT = "exact"  # the figure as reported (rounded)
    AT_LEAST = "at_least"  # the source gives a lower bound (">70 %")


class PolicyScope(StrEnum):
    """Which items a licensing policy applies to."""

    INSTRUMENT_ITEMS = "instrument_items"  # the items of this instrument (or those listed)
    LISTED_ITEMS = "listed_items"  # exactly the item references listed in ``items``
    ALL_DUAL_USE_ITEMS = "all_dual_use_items"  # every item on the dual-use control list
    ALL_GOODS = "all_goods"  # every product, controlled or not (e.g. entity-list measures)


CHINA = "CN"
RARE_EARTHS: frozenset[str] = frozenset(
    "Sc Y La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu".split()  # noqa: SIM905
)

# ISO 3166-1 alpha-2 shape check; the full code list is checked by the importers later.
COUNTRY_CODE_PATTERN = r"^[A-Z]{2}$"

ELEMENT_SYMBOLS: frozenset[str] = frozenset(
    [
        "H",
        "He",
        "Li",
        "Be",
        "B",
        "C",
        "N",
        "O",
        "F",
        "Ne",
        "Na",
        "Mg",
        "Al",
        "Si",
        "P",
        "S",
        "Cl",
        "Ar",
        "K",
        "Ca",
        "Sc",
        "Ti",
        "V",
        "Cr",
        "Mn",
        "Fe",
        "Co",
        "Ni",
        "Cu",
        "Zn",
        "Ga",
        "Ge",
        "As",
        "Se",
        "Br",
        "Kr",
        "Rb",
        "Sr",
        "Y",
        "Zr",
        "Nb",
        "Mo",
        "Tc",
        "Ru",
        "Rh",
        "Pd",
        "Ag",
        "Cd",
        "In",
        "Sn",
        "Sb",
        "Te",
        "I",
        "Xe",
        "Cs",
        "Ba",
        "La",
        "Ce",
        "Pr",
        "Nd",
        "Pm",
        "Sm",
        "Eu",
        "Gd",
        "Tb",
        "Dy",
        "Ho",
        "Er",
        "Tm",
        "Yb",
        "Lu",
        "Hf",
        "Ta",
        "W",
        "Re",
        "Os",
        "Ir",
        "Pt",
        "Au",
        "Hg",
        "Tl",
        "Pb",
        "Bi",
        "Po",
        "At",
        "Rn",
        "Fr",
        "Ra",
        "Ac",
        "Th",
        "Pa",
        "U",
        "Np",
        "Pu",
        "Am",
        "Cm",
        "Bk",
        "Cf",
        "Es",
        "Fm",
        "Md",
        "No",
        "Lr",
        "Rf",
        "Db",
        "Sg",
        "Bh",
        "Hs",
        "Mt",
        "Ds",
        "Rg",
        "Cn",
        "Nh",
        "Fl",
        "Mc",
        "Lv",
        "Ts",
        "Og",
    ]
)
