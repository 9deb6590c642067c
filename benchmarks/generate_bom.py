"""Seeded generator of realistic BOM forests for the rollup benchmarks.

The forest is grown top-down, one generation at a time, from ``roots`` products. Every
assembly gets a geometric number of child slots (mean ``fanout``). A slot is, with
probability ``sharing``, a reference to an *existing* part one or more generations deeper
(a shared sub-assembly or standard part, possibly under another product); otherwise it is a
new part, which is itself an assembly with probability ``assembly_share`` (solved so that
the forest has about ``edges`` edges) or a purchased leaf. Generations only point deeper, so
the graph is acyclic by construction. Duplicate (parent, child) pairs are dropped.

Parts are then given realistic rows from a small catalogue: products and sub-assemblies,
standard parts and materials, sintered and bonded NdFeB magnets with Dy/Tb, SmCo magnets,
and rare-earth metals (Dy, Tb, Sm, Gd, DyFe), mostly of China origin, at the leaves, so that
the CN-2025-61 content rule (0.1 % of value) is exercised. Leaf values are log-normal per
template; an assembly is worth its exploded children times a mark-up plus labour, so content
shares are plausible. One currency (EUR). A small share of parts has an empty origin or value.

The same data is available in memory (arrays, and the per-part facts the rollup starts from,
mirroring what ``rarex assess`` derives) and as ``parts.csv`` / ``bom.csv`` in the input
contract of ``rarex.core.parts``. Values and quantities are written so that they read back
to exactly the same floats.

    python benchmarks/generate_bom.py --edges 1000000 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rarex.core.parts import BOM_COLUMNS, PART_COLUMNS  # the input contract

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

CURRENCY = "EUR"

# Mirrors the extraterritorial rule of CN-2025-61: its input items are the rollup categories,
# the sorted union of their elements the element columns, as ``rarex assess`` builds them.
INPUT_ITEMS: tuple[str, ...] = (
    "p1-sm-metal",
    "p1-dy-metal",
    "p1-gd-metal",
    "p1-tb-metal",
    "p1-lu-metal",
    "p1-sc-metal",
    "p1-y-metal",
    "p1-smco-alloy",
    "p1-tbfe-alloy",
    "p1-dyfe-alloy",
    "p1-tbdyfe-alloy",
    "p1-dy-oxide",
    "p1-tb-oxide",
)
ELEMENTS: tuple[str, ...] = ("Co", "Dy", "Fe", "Gd", "Lu", "Sc", "Sm", "Tb", "Y")
FLAGS: tuple[str, ...] = (
    "caught",
    "maybe_caught",
    "annex_tech_cn",
    "unknown_controlled",
    "unknown_any",
)
RARE_EARTHS = frozenset(
    {"Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb"}
    | {"Lu"}
)

OTHER_ORIGINS: tuple[tuple[str, float], ...] = (
    ("DE", 0.30),
    ("PL", 0.08),
    ("CZ", 0.08),
    ("FR", 0.06),
    ("IT", 0.06),
    ("SE", 0.04),
    ("US", 0.08),
    ("MX", 0.05),
    ("JP", 0.08),
    ("KR", 0.06),
    ("TW", 0.04),
    ("VN", 0.04),
    ("IN", 0.03),
)
METAL_ORIGINS: tuple[tuple[str, float], ...] = (("EE", 0.4), ("JP", 0.3), ("VN", 0.2), ("MY", 0.1))
MAGNET_ORIGINS: tuple[tuple[str, float], ...] = (
    ("JP", 0.35),
    ("DE", 0.2),
    ("VN", 0.2),
    ("KR", 0.1),
    ("US", 0.15),
)


@dataclass(frozen=True)
class Template:
    """One kind of part: its fixed columns, how it is valued, counted and sourced."""

    prefix: str
    description: str
    hs_code: str
    form: str
    elements: str = ""
    attributes: str = ""
    control_code: str = ""
    value: float = 0.0  # median unit value (leaves); assemblies are valued from their BOM
    qty: str = "count"  # "count", "kg" or "assembly": how a parent uses it
    kg: float = 0.0  # median kg per parent unit when qty == "kg"
    profile: str = "generic"  # origin profile: generic, metal, magnet, product
    category: int = -1  # input item (column) when China-origin: the content rule counts it
    caught: bool = False  # an Annex 1 Part II item (NdFeB with Dy/Tb, SmCo)
    weight: float = 0.0  # relative frequency among leaves / assemblies

    @property
    def element_set(self) -> frozenset[str]:
        return frozenset(c.split(":")[0] for c in self.elements.split(";") if c)


PRODUCTS: tuple[Template, ...] = (
    Template("EVM", "EV traction motor 200 kW", "850152", "other", qty="assembly"),
    Template("SRV", "Industrial servo motor 3 kW", "850152", "other", qty="assembly"),
    Template("PTD", "Wind turbine pitch drive", "850152", "other", qty="assembly"),
    Template("RAD", "X-band radar sensor unit", "852610", "equipment", qty="assembly"),
    Template("PMP", "Electric coolant pump 12 V", "841330", "other", qty="assembly"),
    Template("EPS", "Electric power steering unit", "870894", "other", qty="assembly"),
    Template("HUB", "E-bike hub motor 250 W", "850131", "other", qty="assembly"),
    Template("CMP", "E-compressor for heat pumps", "841430", "other", qty="assembly"),
    Template(
        "MRA",
        "Rotor magnet assembly, NdFeB with Dy/Tb",
        "850511",
        "permanent_magnet",
        "Nd:0.23;Pr:0.06;Dy:0.03;Tb:0.01;Fe:0.66;B:0.01",
        qty="assembly",
        caught=True,
    ),
)
ASSEMBLIES: tuple[Template, ...] = (
    Template("ROT", "Rotor assembly", "850390", "other", qty="assembly", weight=3),
    Template("STA", "Stator with hairpin winding", "850390", "other", qty="assembly", weight=3),
    Template("HSG", "Housing, machined", "850390", "other", qty="assembly", weight=2),
    Template("PCB", "Power electronics board", "850490", "other", qty="assembly", weight=4),
    Template("GBX", "Reduction gearbox", "848340", "other", qty="assembly", weight=2),
    Template("SNS", "Position sensor module", "903190", "other", qty="assembly", weight=2),
    Template("CLP", "Cooling plate assembly", "841950", "other", qty="assembly", weight=1),
    Template("HRN", "Cable harness", "854430", "other", "Cu:0.4", qty="assembly", weight=2),
    Template("ECU", "Control unit", "853710", "other", qty="assembly", weight=2),
    Template("ACT", "Actuator sub-assembly", "847990", "other", qty="assembly", weight=2),
)
# An assembly that is itself a magnet made in-house from its BOM (a caught Part II item).
MAGNET_ASSEMBLY = Template(
    "MAG",
    "Sintered NdFeB magnet, grain-boundary diffused Dy/Tb (in-house)",
    "850511",
    "permanent_magnet",
    "Nd:0.24;Pr:0.06;Dy:0.03;Tb:0.01;Fe:0.65;B:0.01",
    qty="count",
    profile="magnet",
    caught=True,
)
MAGNET_ASSEMBLY_SHARE = 0.03
LEAVES: tuple[Template, ...] = (
    Template(
        "BLT",
        "Hex bolt M8x30, zinc-plated",
        "731815",
        "other",
        "Fe:0.98;Zn:0.02",
        value=0.12,
        weight=14,
    ),
    Template(
        "BRG",
        "Deep-groove ball bearing 6204",
        "848210",
        "other",
        "Fe:0.97;Cr:0.03",
        value=4.5,
        weight=5,
    ),
    Template("CAP", "Multilayer ceramic capacitor 10 uF", "853224", "other", value=0.03, weight=14),
    Template("RES", "Thick-film resistor 10 kOhm", "853321", "other", value=0.01, weight=14),
    Template("MCU", "Microcontroller, 32-bit", "854231", "other", value=3.2, weight=4),
    Template("CON", "Connector, 12-pole", "853669", "other", "Cu:0.3", value=1.1, weight=6),
    Template(
        "CUW",
        "Enamelled copper winding wire, per kg",
        "740811",
        "other",
        "Cu:0.999",
        value=11.0,
        qty="kg",
        kg=0.8,
        weight=5,
    ),
    Template(
        "ESS",
        "Electrical steel sheet M270-35A, per kg",
        "722611",
        "other",
        "Fe:0.97;Si:0.03",
        value=1.8,
        qty="kg",
        kg=2.0,
        weight=5,
    ),
    Template(
        "ALI",
        "Aluminium casting alloy, per kg",
        "760120",
        "alloy",
        "Al:0.9;Si:0.1",
        value=2.6,
        qty="kg",
        kg=1.5,
        weight=4,
    ),
    Template(
        "PA6",
        "Polyamide PA66 GF30 granulate, per kg",
        "390810",
        "other",
        value=3.9,
        qty="kg",
        kg=0.3,
        weight=4,
    ),
    Template("SEA", "O-ring seal, FKM", "401693", "other", value=0.4, weight=5),
    Template(
        "NMG",
        "Sintered NdFeB magnet, Dy-diffused, 40 g",
        "850511",
        "permanent_magnet",
        "Nd:0.24;Pr:0.06;Dy:0.04;Fe:0.65;B:0.01",
        value=9.5,
        profile="magnet",
        caught=True,
        weight=1.2,
    ),
    Template(
        "TMG",
        "Sintered NdFeB magnet, Dy/Tb diffused, 50 g",
        "850511",
        "permanent_magnet",
        "Nd:0.24;Pr:0.06;Dy:0.03;Tb:0.01;Fe:0.65;B:0.01",
        value=14.5,
        profile="magnet",
        caught=True,
        weight=0.8,
    ),
    Template(
        "BMG",
        "Bonded NdFeB ring magnet",
        "850519",
        "permanent_magnet",
        "Nd:0.22;Pr:0.06;Dy:0.02;Fe:0.62;B:0.01",
        value=2.1,
        profile="magnet",
        caught=True,
        weight=0.6,
    ),
    Template(
        "SMC",
        "SmCo 2:17 magnet segment",
        "850511",
        "permanent_magnet",
        "Sm:0.25;Co:0.50;Fe:0.17;Cu:0.06;Zr:0.02",
        value=22.0,
        profile="magnet",
        caught=True,
        weight=0.4,
    ),
    Template(
        "DYM",
        "Dysprosium metal 99.5 %, per kg",
        "2805301200",
        "metal",
        "Dy:0.995",
        "purity_pct=99.5",
        "1C905.a",
        value=300.0,
        qty="kg",
        kg=0.002,
        profile="metal",
        category=1,
        weight=1.5,
    ),
    Template(
        "TBM",
        "Terbium metal 99.9 %, per kg",
        "2805301300",
        "metal",
        "Tb:0.999",
        "purity_pct=99.9",
        "1C904.a",
        value=1000.0,
        qty="kg",
        kg=0.0005,
        profile="metal",
        category=3,
        weight=1.0,
    ),
    Template(
        "SMM",
        "Samarium metal 99.9 %, per kg",
        "2805301910",
        "metal",
        "Sm:0.999",
        "purity_pct=99.9",
        "1C902.a",
        value=250.0,
        qty="kg",
        kg=0.006,
        profile="metal",
        category=0,
        weight=0.6,
    ),
    Template(
        "GDM",
        "Gadolinium metal 99.95 %, per kg",
        "2805301910",
        "metal",
        "Gd:0.9995",
        "purity_pct=99.95",
        "1C903.a",
        value=160.0,
        qty="kg",
        kg=0.01,
        profile="metal",
        category=2,
        weight=0.4,
    ),
    Template(
        "DFE",
        "Dysprosium-iron alloy DyFe80, per kg",
        "2805301900",
        "alloy",
        "Dy:0.8;Fe:0.2",
        value=250.0,
        qty="kg",
        kg=0.003,
        profile="metal",
        category=9,
        weight=0.4,
    ),
    Template(
        "NPR",
        "NdPr metal, per kg",
        "2805301900",
        "metal",
        "Nd:0.75;Pr:0.25",
        value=80.0,
        qty="kg",
        kg=0.015,
        profile="metal",
        weight=0.8,
    ),
)
TEMPLATES: tuple[Template, ...] = (*PRODUCTS, *ASSEMBLIES, MAGNET_ASSEMBLY, *LEAVES)
FIRST_ASSEMBLY = len(PRODUCTS)
MAGNET_ASSEMBLY_INDEX = len(PRODUCTS) + len(ASSEMBLIES)
FIRST_LEAF = MAGNET_ASSEMBLY_INDEX + 1


@dataclass(frozen=True)
class Config:
    edges: int = 1_000_000
    seed: int = 1
    roots: int | None = None  # default: one product per 500 edges
    depth: int = 8  # generations of edges below a product
    fanout: float = 5.0  # mean child slots per assembly
    sharing: float = 0.3  # probability that a slot reuses an existing deeper part
    near: float = 0.6  # a shared slot reaches g+1 with this probability, else deeper
    cn_share: float = 0.2  # China origin among generic parts
    metal_cn_share: float = 0.85  # China origin among rare-earth metals and alloys
    magnet_cn_share: float = 0.5  # China origin among magnets
    cn_tech_share: float = 0.2  # magnets made outside China with Chinese technology
    unknown_origin_share: float = 0.02  # empty origin (not products)
    unknown_value_share: float = 0.005  # empty unit value (leaves only)

    @property
    def n_roots(self) -> int:
        return self.roots if self.roots is not None else max(1, round(self.edges / 500))


@dataclass(frozen=True)
class GeneratedBom:
    """A generated forest: the BOM arrays and every per-part column, index = part number."""

    config: Config
    n_parts: int
    parent: IntArray
    child: IntArray
    quantity: FloatArray
    generation: IntArray  # 0 for products
    template: IntArray  # index into TEMPLATES
    unit_value: FloatArray  # NaN where the row leaves it empty
    origin: npt.NDArray[np.str_]  # "" where empty
    tech_origin: npt.NDArray[np.str_]
    assembly_share: float

    @property
    def n_edges(self) -> int:
        return len(self.parent)

    @property
    def roots(self) -> IntArray:
        has_parent = np.zeros(self.n_parts, dtype=bool)
        has_parent[self.child] = True
        return np.flatnonzero(~has_parent)

    def part_ids(self) -> list[str]:
        prefixes = [TEMPLATES[t].prefix for t in range(len(TEMPLATES))]
        return [f"{prefixes[t]}-{i:07d}" for i, t in enumerate(self.template.tolist())]

    def rollup_facts(self) -> tuple[FloatArray, IntArray, BoolArray, dict[str, BoolArray]]:
        """(unit_value, input_category, input_elements, flags) as ``rarex assess`` derives
        them for CN-2025-61: China-origin input items with a known value are counted."""
        n = self.n_parts
        tpl = self.template
        category_of = np.array([t.category for t in TEMPLATES], dtype=np.int64)
        caught_of = np.array([t.caught for t in TEMPLATES], dtype=bool)
        rare = RARE_EARTHS & set(ELEMENTS)  # as assess: rare earths among the input elements
        has_re = np.array([bool(t.element_set & rare) for t in TEMPLATES], dtype=bool)
        is_input = category_of[tpl] >= 0
        china = self.origin == "CN"
        unknown_origin = self.origin == ""
        known_value = ~np.isnan(self.unit_value)
        counted = is_input & china & known_value
        category = np.where(counted, category_of[tpl], -1)
        item_elements = np.zeros((len(TEMPLATES), len(ELEMENTS)), dtype=bool)
        for k, t in enumerate(TEMPLATES):
            if t.category >= 0:
                for symbol in _INPUT_ELEMENTS[INPUT_ITEMS[t.category]]:
                    item_elements[k, ELEMENTS.index(symbol)] = True
        input_elements = item_elements[tpl] & counted[:, None]
        leaf = np.bincount(self.parent, minlength=n) == 0
        caught = caught_of[tpl]
        matched = caught | is_input  # a certain match of a CN-2025-61 item
        abroad = ~china & ~unknown_origin
        flags = {
            "caught": caught,
            "maybe_caught": np.zeros(n, dtype=bool),
            "annex_tech_cn": matched & (self.tech_origin == "CN") & abroad,
            "unknown_controlled": (
                (caught & leaf & has_re[tpl]) | (is_input & (china | unknown_origin))
            )
            & ~counted,
            "unknown_any": unknown_origin | ~known_value,
        }
        return self.unit_value, category, input_elements, flags

    def write_csv(self, out: Path) -> tuple[Path, Path]:
        """Write ``parts.csv`` and ``bom.csv`` into ``out``; return their paths."""
        out.mkdir(parents=True, exist_ok=True)
        ids = self.part_ids()
        parts_path, bom_path = out / "parts.csv", out / "bom.csv"
        fixed = [
            (t.description, t.control_code, t.hs_code, t.form, t.elements, t.attributes)
            for t in TEMPLATES
        ]

        def part_rows() -> Iterator[tuple[str, ...]]:
            rows = zip(
                ids,
                self.template.tolist(),
                self.unit_value.tolist(),
                self.origin.tolist(),
                self.tech_origin.tolist(),
                strict=True,
            )
            for part_id, t, value, origin, tech in rows:
                desc, code, hs, form, elements, attributes = fixed[t]
                price = "" if math.isnan(value) else repr(value)
                yield (
                    part_id,
                    desc,
                    price,
                    CURRENCY,
                    origin,
                    code,
                    hs,
                    form,
                    elements,
                    attributes,
                    tech,
                )

        with parts_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(PART_COLUMNS)
            writer.writerows(part_rows())

        def bom_rows() -> Iterator[tuple[str, str, str]]:
            rows = zip(
                self.parent.tolist(), self.child.tolist(), self.quantity.tolist(), strict=True
            )
            for p, c, q in rows:
                yield ids[p], ids[c], str(int(q)) if q.is_integer() else repr(q)

        with bom_path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(BOM_COLUMNS)
            writer.writerows(bom_rows())
        return parts_path, bom_path


_INPUT_ELEMENTS: dict[str, tuple[str, ...]] = {
    "p1-sm-metal": ("Sm",),
    "p1-dy-metal": ("Dy",),
    "p1-gd-metal": ("Gd",),
    "p1-tb-metal": ("Tb",),
    "p1-lu-metal": ("Lu",),
    "p1-sc-metal": ("Sc",),
    "p1-y-metal": ("Y",),
    "p1-smco-alloy": ("Sm", "Co"),
    "p1-tbfe-alloy": ("Tb", "Fe"),
    "p1-dyfe-alloy": ("Dy", "Fe"),
    "p1-tbdyfe-alloy": ("Tb", "Dy", "Fe"),
    "p1-dy-oxide": ("Dy",),
    "p1-tb-oxide": ("Tb",),
}


def assembly_share(config: Config) -> float:
    """The probability that a new part is an assembly, for about ``config.edges`` edges.

    Generation g holds R·x^g assemblies with x = a·fanout·(1 - sharing), each with ``fanout``
    slots on average, so edges ≈ R·fanout·Σ_{g<depth} x^g; solve for x by bisection.
    """
    per_root = config.edges / (config.n_roots * config.fanout)
    if per_root <= 1:
        return 0.0

    def edges_per_root(x: float) -> float:
        return sum(x**g for g in range(config.depth))

    lo, hi = 0.0, 1.0
    while edges_per_root(hi) < per_root:
        hi *= 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if edges_per_root(mid) < per_root else (lo, mid)
    share = lo / (config.fanout * (1 - config.sharing))
    if share > 1:
        raise ValueError(
            f"{config.edges} edges cannot be reached with {config.n_roots} products, depth "
            f"{config.depth}, fan-out {config.fanout} and sharing {config.sharing}: "
            "raise --roots, --depth or --fanout"
        )
    return share


def generate(config: Config) -> GeneratedBom:
    """Generate a forest deterministically from ``config.seed``."""
    rng = np.random.default_rng(config.seed)
    a = assembly_share(config)
    n_roots = config.n_roots
    gen_start = [0, n_roots]
    parents: list[IntArray] = []
    children: list[IntArray] = []
    pending_parent: list[IntArray] = []
    pending_target: list[IntArray] = []  # target generation of each shared slot
    assemblies = np.arange(n_roots, dtype=np.int64)
    n = n_roots
    for g in range(config.depth):
        if len(assemblies) == 0:
            break
        slots = rng.geometric(1 / config.fanout, size=len(assemblies))
        slot_parent = np.repeat(assemblies, slots)
        shared = rng.random(len(slot_parent)) < config.sharing
        new_parent = slot_parent[~shared]
        new_ids = np.arange(n, n + len(new_parent), dtype=np.int64)
        n += len(new_parent)
        gen_start.append(n)
        parents.append(new_parent)
        children.append(new_ids)
        pending_parent.append(slot_parent[shared])
        pending_target.append(g + rng.geometric(config.near, size=int(shared.sum())))
        is_assembly = rng.random(len(new_ids)) < a
        assemblies = new_ids[is_assembly] if g + 1 < config.depth else new_ids[:0]
    starts = np.array(gen_start, dtype=np.int64)
    generation = np.repeat(np.arange(len(starts) - 1), np.diff(starts))
    last = len(starts) - 2  # deepest generation

    # resolve the shared slots now that every generation exists
    sp = np.concatenate(pending_parent) if pending_parent else np.zeros(0, dtype=np.int64)
    target = np.concatenate(pending_target) if pending_target else np.zeros(0, dtype=np.int64)
    target = np.minimum(target, last)
    size = starts[target + 1] - starts[target]
    ok = (target > generation[sp]) & (size > 0)
    sp, target, size = sp[ok], target[ok], size[ok]
    picked = starts[target] + (rng.random(len(sp)) * size).astype(np.int64)
    parent = np.concatenate([*parents, sp])
    child = np.concatenate([*children, picked])
    key = parent * n + child
    _, first = np.unique(key, return_index=True)  # sorted by (parent, child), duplicates gone
    parent, child = parent[first], child[first]

    # kinds: products, assemblies (some magnets made in-house), weighted leaves
    has_children = np.bincount(parent, minlength=n) > 0
    template = np.empty(n, dtype=np.int64)
    template[:n_roots] = rng.integers(0, len(PRODUCTS), size=n_roots)
    rest = np.arange(n_roots, n)
    asm = rest[has_children[rest]]
    asm_weights = np.array([t.weight for t in ASSEMBLIES])
    template[asm] = FIRST_ASSEMBLY + rng.choice(
        len(ASSEMBLIES), size=len(asm), p=asm_weights / asm_weights.sum()
    )
    template[asm[rng.random(len(asm)) < MAGNET_ASSEMBLY_SHARE]] = MAGNET_ASSEMBLY_INDEX
    leaves = rest[~has_children[rest]]
    leaf_weights = np.array([t.weight for t in LEAVES])
    template[leaves] = FIRST_LEAF + rng.choice(
        len(LEAVES), size=len(leaves), p=leaf_weights / leaf_weights.sum()
    )

    origin, tech_origin = _origins(rng, config, template, n_roots)
    quantity = _quantities(rng, template[child])
    unit_value = _values(rng, config, template, generation, parent, child, quantity, leaves)
    return GeneratedBom(
        config=config,
        n_parts=n,
        parent=parent,
        child=child,
        quantity=quantity,
        generation=generation,
        template=template,
        unit_value=unit_value,
        origin=origin,
        tech_origin=tech_origin,
        assembly_share=a,
    )


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], k: int) -> list[str]:
    names = [c for c, _ in table]
    weights = np.array([w for _, w in table])
    return [names[i] for i in rng.choice(len(names), size=k, p=weights / weights.sum())]


def _origins(
    rng: np.random.Generator, config: Config, template: IntArray, n_roots: int
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.str_]]:
    n = len(template)
    profile = np.array([t.profile for t in TEMPLATES])[template]
    origin = np.array(_pick(rng, OTHER_ORIGINS, n), dtype="<U2")
    tech = np.full(n, "", dtype="<U2")
    cn_share = np.select(
        [profile == "metal", profile == "magnet"],
        [config.metal_cn_share, config.magnet_cn_share],
        config.cn_share,
    )
    for name, table in (("metal", METAL_ORIGINS), ("magnet", MAGNET_ORIGINS)):
        rows = np.flatnonzero(profile == name)
        origin[rows] = _pick(rng, table, len(rows))
    origin[rng.random(n) < cn_share] = "CN"
    origin[:n_roots] = "DE"
    special = (profile == "metal") | (profile == "magnet")
    tech[special] = origin[special]
    magnets_abroad = np.flatnonzero((profile == "magnet") & (origin != "CN"))
    tech[magnets_abroad[rng.random(len(magnets_abroad)) < config.cn_tech_share]] = "CN"
    empty = rng.random(n) < config.unknown_origin_share
    empty[:n_roots] = False
    origin[empty] = ""
    tech[empty & special] = ""
    return origin, tech


def _quantities(rng: np.random.Generator, child_template: IntArray) -> FloatArray:
    m = len(child_template)
    kind = np.array([t.qty for t in TEMPLATES])[child_template]
    kg = np.array([t.kg for t in TEMPLATES])[child_template]
    quantity = np.ones(m)
    counts = np.array([1, 2, 3, 4, 6, 8, 12, 16, 24, 32], dtype=np.float64)
    count_p = np.array([0.35, 0.2, 0.06, 0.14, 0.06, 0.08, 0.04, 0.04, 0.02, 0.01])
    rows = kind == "count"
    quantity[rows] = rng.choice(counts, size=int(rows.sum()), p=count_p)
    rows = kind == "assembly"
    quantity[rows] = rng.choice([1.0, 2.0, 4.0], size=int(rows.sum()), p=[0.75, 0.2, 0.05])
    rows = kind == "kg"
    drawn = kg[rows] * rng.lognormal(0.0, 0.6, size=int(rows.sum()))
    quantity[rows] = np.maximum(np.round(drawn, 4), 0.0001)
    return quantity


def _values(
    rng: np.random.Generator,
    config: Config,
    template: IntArray,
    generation: IntArray,
    parent: IntArray,
    child: IntArray,
    quantity: FloatArray,
    leaves: IntArray,
) -> FloatArray:
    """Leaves log-normal around their template; assemblies from their children, bottom-up."""
    n = len(template)
    median = np.array([t.value for t in TEMPLATES])[template]
    value = np.full(n, np.nan)
    value[leaves] = np.maximum(
        np.round(median[leaves] * rng.lognormal(0, 0.35, len(leaves)), 2), 0.01
    )
    markup = rng.uniform(1.1, 1.5, size=n)
    labour = rng.lognormal(np.log(15.0), 0.8, size=n)
    edge_gen = generation[parent]
    for g in range(int(generation.max()) - 1, -1, -1):
        edges = np.flatnonzero(edge_gen == g)
        if len(edges) == 0:
            continue
        worth = quantity[edges] * np.nan_to_num(value[child[edges]])
        total = np.bincount(parent[edges], weights=worth, minlength=n)
        rows = np.unique(parent[edges])
        value[rows] = np.round(total[rows] * markup[rows] + labour[rows], 2)
    unknown = leaves[rng.random(len(leaves)) < config.unknown_value_share]
    value[unknown] = np.nan
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Config()
    parser.add_argument("--edges", type=int, default=defaults.edges, help="target edge count")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--out", type=Path, required=True, help="directory for the CSV files")
    parser.add_argument("--roots", type=int, default=None, help="products (default edges/500)")
    parser.add_argument("--depth", type=int, default=defaults.depth)
    parser.add_argument("--fanout", type=float, default=defaults.fanout)
    parser.add_argument("--sharing", type=float, default=defaults.sharing)
    parser.add_argument("--cn-share", type=float, default=defaults.cn_share)
    parser.add_argument("--unknown-origin-share", type=float, default=defaults.unknown_origin_share)
    args = parser.parse_args(argv)
    config = Config(
        edges=args.edges,
        seed=args.seed,
        roots=args.roots,
        depth=args.depth,
        fanout=args.fanout,
        sharing=args.sharing,
        cn_share=args.cn_share,
        unknown_origin_share=args.unknown_origin_share,
    )
    start = time.perf_counter()
    bom = generate(config)
    generated = time.perf_counter() - start
    parts_path, bom_path = bom.write_csv(args.out)
    print(
        f"{bom.n_edges} edges, {bom.n_parts} parts, {len(bom.roots)} products, "
        f"{int(bom.generation.max())} generations (assembly share {bom.assembly_share:.3f}); "
        f"generated in {generated:.1f} s, written in {time.perf_counter() - start - generated:.1f}"
        f" s: {parts_path}, {bom_path}"
    )


if __name__ == "__main__":
    main()
