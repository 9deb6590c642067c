"""US additional duties on China-origin parts on a date: an estimate, not a customs ruling.

Every ``Duty`` of the US instruments is resolved through the status of its limb as of the
date (IEEPA duties end where the rulebook terminates them, section 122 runs for its 150 days,
section 301 by product, section 232 on metal content). A duty line says how it was matched:

- ``applies``: a duty on all goods of the origin, or an HTS line whose whole 6-digit
  subheading (``xxxx.xx.00``) matches the part's HS code;
- ``possible``: the HS subheading matches but the HTS line is a national subdivision
  (``8101.99.10``), which the part's code cannot settle;
- ``not_determined``: the part has no HS code, so a duty limited to listed codes cannot be
  decided for it.

Duties described only in words (section 301 product groups, section 232 steel, aluminium and
copper content) cannot be matched from the codes the rulebook records; they are listed once,
with their status, for a person to check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from rarex.core.parts import Part
from rarex.core.rulebook import RuleBook, Snapshot
from rarex.core.schema import Duty, Instrument, code_value
from rarex.core.vocab import CHINA, DutyProducts, Jurisdiction, Status, Verification

SHOWN = (Status.IN_FORCE, Status.SUSPENDED, Status.UNCERTAIN)
HS_SUBHEADING = 6
DISCLAIMER = (
    "Estimate of additional US duties from the rulebook, not a customs ruling: MFN rates, "
    "exclusions, exemptions (section 122 exempts certain critical minerals and goods under "
    "section 232) and the US HTS classification of each part must be checked."
)


class Match(StrEnum):
    APPLIES = "applies"
    POSSIBLE = "possible"
    NOT_DETERMINED = "not_determined"


@dataclass(frozen=True)
class DutyLine:
    """One additional duty for one part, with its legal basis and status on the date."""

    instrument: str
    instrument_number: str | None  # the act of the limb (EO, proclamation) where known
    limb: str
    duty: str
    rate_pct: Decimal
    description: str
    legal_basis: tuple[str, ...]
    heading: str | None
    status: Status
    status_reason: str
    match: Match
    match_reason: str
    verification: Verification
    sources: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.instrument}/{self.limb}"


@dataclass(frozen=True)
class PartDuties:
    part_id: str
    description: str
    hs_code: str | None
    lines: tuple[DutyLine, ...]
    in_force_pct: Decimal  # additional duty in force that certainly applies
    worst_case_pct: Decimal  # plus uncertain duties and possible matches
    not_determined: tuple[str, ...]  # why part of the answer is missing


@dataclass(frozen=True)
class DutyOverlay:
    as_of: date
    rulebook_sha256: str
    assumptions: Mapping[str, Status]
    parts: tuple[PartDuties, ...]
    described: tuple[DutyLine, ...]  # matched by description only: listed for review
    origin_unknown: tuple[str, ...]  # parts whose origin is not given
    disclaimer: str = DISCLAIMER


def duty_overlay(
    rulebook: RuleBook,
    parts: Iterable[Part],
    as_of: date,
    assumptions: Mapping[str, Status] | None = None,
) -> DutyOverlay:
    """Additional US duties on the China-origin parts among ``parts`` if imported on ``as_of``."""
    snapshot = rulebook.at(as_of, assumptions)
    duties = [
        (inst, duty)
        for inst in rulebook.instruments.values()
        if inst.jurisdiction is Jurisdiction.US
        for duty in inst.duties
        if duty.origins is None or CHINA in duty.origins
    ]
    wanted = list(parts)
    results = tuple(_part_duties(part, duties, snapshot) for part in wanted if part.origin == CHINA)
    described = tuple(
        line
        for inst, duty in duties
        if duty.products is DutyProducts.DESCRIBED
        for line in [_line(inst, duty, snapshot, Match.POSSIBLE, "described in words only")]
        if line.status in SHOWN
    )
    return DutyOverlay(
        as_of=as_of,
        rulebook_sha256=rulebook.sha256,
        assumptions=dict(assumptions or {}),
        parts=results,
        described=described,
        origin_unknown=tuple(p.part_id for p in wanted if p.origin is None),
    )


def _part_duties(
    part: Part, duties: list[tuple[Instrument, Duty]], snapshot: Snapshot
) -> PartDuties:
    lines: list[DutyLine] = []
    missing: list[str] = []
    for inst, duty in duties:
        if duty.products is DutyProducts.DESCRIBED:
            continue
        match, why = _match(part, duty)
        if match is None:
            continue
        line = _line(inst, duty, snapshot, match, why)
        if line.status not in SHOWN:
            continue
        if match is Match.NOT_DETERMINED:
            missing.append(f"{line.ref} ({duty.description}): {why}")
        lines.append(line)
    in_force, worst = _totals(lines)
    return PartDuties(
        part_id=part.part_id,
        description=part.description,
        hs_code=part.hs_code,
        lines=tuple(lines),
        in_force_pct=in_force,
        worst_case_pct=worst,
        not_determined=tuple(missing),
    )


def _match(part: Part, duty: Duty) -> tuple[Match | None, str]:
    if duty.products is DutyProducts.ALL_GOODS:
        return Match.APPLIES, "all goods of the origin"
    if part.hs_code is None:
        return Match.NOT_DETERMINED, "the part has no HS code"
    own = part.hs_code[:HS_SUBHEADING]
    for code in duty.hs_codes:
        digits = code.replace(".", "")
        if digits[:HS_SUBHEADING] != own:
            continue
        if set(digits[HS_SUBHEADING:]) <= {"0"}:
            return Match.APPLIES, f"HS {own} is the whole HTS line {code}"
        return Match.POSSIBLE, f"HS {own} contains HTS {code}; the subdivision is not known"
    return None, ""


def _line(inst: Instrument, duty: Duty, snapshot: Snapshot, match: Match, why: str) -> DutyLine:
    state = snapshot.limb(f"{inst.id}/{duty.limb}")
    limb = next(limb for limb in inst.limbs if limb.id == duty.limb)
    number = None if inst.number is None else code_value(inst.number)
    return DutyLine(
        instrument=inst.id,
        instrument_number=limb.announcement or number,
        limb=duty.limb,
        duty=duty.id,
        rate_pct=duty.rate_pct,
        description=duty.description,
        legal_basis=inst.legal_basis,
        heading=duty.heading,
        status=state.status,
        status_reason=state.reason,
        match=match,
        match_reason=why,
        verification=duty.verification,
        sources=duty.sources,
    )


def _totals(lines: list[DutyLine]) -> tuple[Decimal, Decimal]:
    """The stacked rate in force, and the worst case.

    Limbs in force stack: the rulebook ends a replaced rate where its successor starts. The
    worst case adds, per instrument, the highest uncertain or possibly matching line: rates
    of one instrument whose status is unsure are alternatives (EO 14257/14259/14266), so
    adding them all would overstate; one of them may still replace a rate in force.
    """
    in_force = sum(
        (x.rate_pct for x in lines if x.status is Status.IN_FORCE and x.match is Match.APPLIES),
        Decimal(0),
    )
    extra: dict[str, Decimal] = {}
    for x in lines:
        unsure = x.status is Status.UNCERTAIN or (
            x.status is Status.IN_FORCE and x.match is not Match.APPLIES
        )
        if unsure:
            extra[x.instrument] = max(extra.get(x.instrument, Decimal(0)), x.rate_pct)
    return in_force, in_force + sum(extra.values(), Decimal(0))
