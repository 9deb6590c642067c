"""Parts and bills of materials as the assessment sees them (the input contract).

A ``Dataset`` is what the importers produce once every row has been validated: the parts in
input order, an index from ``part_id`` to position, and the BOM as arrays over positions.
Nothing here reads files; see ``rarex.io.importers``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from rarex.core.bom import Bom
from rarex.core.vocab import CHINA, Form, GraphiteType, Parameter

# The attribute keys of ``parts.attributes``: the fixed vocabulary of measured parameters.
ATTRIBUTE_KEYS: frozenset[str] = frozenset(p.value for p in Parameter)
CATEGORICAL_ATTRIBUTES: Mapping[str, frozenset[str]] = {
    Parameter.GRAPHITE_TYPE.value: frozenset(g.value for g in GraphiteType),
}

PART_COLUMNS: tuple[str, ...] = (
    "part_id",
    "description",
    "unit_value",
    "currency",
    "origin",
    "control_code",
    "hs_code",
    "form",
    "elements",
    "attributes",
    "tech_origin",
)
REQUIRED_PART_COLUMNS: frozenset[str] = frozenset(PART_COLUMNS)
BOM_COLUMNS: tuple[str, ...] = ("parent_id", "child_id", "quantity")


@dataclass(frozen=True, slots=True)
class Part:
    """One row of ``parts``; ``None`` means the input left the value empty (unknown)."""

    part_id: str
    description: str
    unit_value: Decimal | None
    currency: str | None
    origin: str | None
    control_code: str | None
    hs_code: str | None
    form: Form | None
    elements: Mapping[str, Decimal]
    attributes: Mapping[str, Decimal | str]
    tech_origin: str | None
    row: int
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def china_origin(self) -> bool | None:
        return None if self.origin is None else self.origin == CHINA


@dataclass(frozen=True)
class Dataset:
    """Validated parts and BOM, ready to assess."""

    source: str
    parts: tuple[Part, ...]
    index: Mapping[str, int]
    bom: Bom
    bom_rows: tuple[int, ...] = ()

    def part(self, part_id: str) -> Part:
        return self.parts[self.index[part_id]]

    def products(self) -> list[str]:
        """Every part that has no parent, in input order."""
        return [self.parts[i].part_id for i in sorted(self.bom.roots().tolist())]
