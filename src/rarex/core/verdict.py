"""Assessment outcomes, the shipment being assessed, and findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from rarex.core.vocab import EndUse, EndUserType, Outcome, Status, Verification


class Verdict(StrEnum):
    """A finding's or a product's outcome, most restrictive first.

    ``incomplete_data`` means a needed fact (origin, value, classification, destination …)
    is missing; it never lets a result come out as a clean ``no_licence_required``.
    """

    PROHIBITED = "prohibited"
    PRESUMPTION_OF_DENIAL = "presumption_of_denial"
    CASE_BY_CASE = "case_by_case"
    LICENCE_REQUIRED = "licence_required"
    INCOMPLETE_DATA = "incomplete_data"
    NO_LICENCE_REQUIRED = "no_licence_required"


RANK: dict[Verdict, int] = {v: len(Verdict) - i for i, v in enumerate(Verdict)}


def verdict_of(outcome: Outcome) -> Verdict:
    return Verdict(outcome.value)


def most_restrictive(verdicts: list[Verdict]) -> Verdict:
    return max(verdicts, key=RANK.__getitem__, default=Verdict.NO_LICENCE_REQUIRED)


@dataclass(frozen=True)
class Shipment:
    """Where a product goes and to whom; ``None`` or ``unknown`` means not given."""

    export_from: str | None = None
    destination: str | None = None
    end_user: str | None = None
    end_user_type: EndUserType = EndUserType.UNKNOWN
    end_use: EndUse = EndUse.UNKNOWN


@dataclass(frozen=True)
class Finding:
    """What one limb of one measure says about one product."""

    measure: str
    limb: str
    status: Status
    outcome: Verdict
    explanation: str
    citations: tuple[str, ...]
    verification: Verification
    content_share: float | None = None
    threshold: float | None = None
    paths: tuple[tuple[str, ...], ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.measure}/{self.limb}"


COUNTS_NOW: frozenset[Status] = frozenset({Status.IN_FORCE})
COUNTS_WORST: frozenset[Status] = frozenset({Status.IN_FORCE, Status.UNCERTAIN})


@dataclass(frozen=True)
class ProductResult:
    part_id: str
    description: str
    outcome: Verdict
    worst_case_outcome: Verdict
    findings: tuple[Finding, ...]
    content_share: float | None = None
    unknown_inputs: tuple[str, ...] = field(default_factory=tuple)
    content_value: float = 0.0  # China-origin Part I content per unit, in the data's currency
    content_by_item: Mapping[str, float] = field(default_factory=dict)
    content_by_element: Mapping[str, float] = field(default_factory=dict)
    china_technology: bool = False

    def drivers(self, worst: bool = False) -> tuple[Finding, ...]:
        """The findings that set the (worst-case) outcome."""
        target = self.worst_case_outcome if worst else self.outcome
        statuses = COUNTS_WORST if worst else COUNTS_NOW
        return tuple(f for f in self.findings if f.status in statuses and f.outcome is target)


def combine(findings: list[Finding]) -> tuple[Verdict, Verdict]:
    """(outcome, worst-case outcome): the most restrictive finding whose measure is in force,
    and the same if every uncertain measure were in force too."""
    now = most_restrictive([f.outcome for f in findings if f.status in COUNTS_NOW])
    worst = most_restrictive([f.outcome for f in findings if f.status in COUNTS_WORST])
    return now, worst
