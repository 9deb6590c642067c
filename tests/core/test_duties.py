"""The US duty overlay on the bundled rulebook: stacking, the end of IEEPA, missing HS codes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import MappingProxyType

from rarex.core.duties import Match, PartDuties, duty_overlay
from rarex.core.parts import Part
from rarex.core.vocab import Status
from rarex.io.rule_loader import load_rules

RULEBOOK = load_rules().rulebook


def part(part_id: str, hs_code: str | None, origin: str | None = "CN") -> Part:
    empty: MappingProxyType[str, Decimal] = MappingProxyType({})
    return Part(
        part_id, part_id, Decimal(1), "EUR", origin, None, hs_code, None, empty, empty, None, 2
    )


def duties(day: date, *parts: Part) -> dict[str, PartDuties]:
    return {p.part_id: p for p in duty_overlay(RULEBOOK, parts, day).parts}


WAFER = part("WAFER", "3818009001")  # HTS 3818.00.00 is the whole subheading: 50 % (§301)


def test_before_the_ieepa_end_the_ieepa_duties_stack_on_section_301() -> None:
    wafer = duties(date(2026, 2, 23), WAFER)["WAFER"]
    in_force = {x.duty for x in wafer.lines if x.status is Status.IN_FORCE}
    assert in_force == {"fentanyl-10-reduced", "reciprocal-10", "wafers-polysilicon"}
    assert wafer.in_force_pct == Decimal(70)
    suspended = [x for x in wafer.lines if x.status is Status.SUSPENDED]
    assert [x.duty for x in suspended] == ["reciprocal-country-24"]  # shown, not added
    fentanyl = next(x for x in wafer.lines if x.duty == "fentanyl-10-reduced")
    assert fentanyl.legal_basis == ("International Emergency Economic Powers Act (IEEPA)",)
    assert fentanyl.sources == ("U03",)


def test_after_the_ieepa_end_section_122_replaces_them() -> None:
    wafer = duties(date(2026, 2, 24), WAFER)["WAFER"]
    assert {x.duty for x in wafer.lines} == {"surcharge-10", "wafers-polysilicon"}
    assert wafer.in_force_pct == Decimal(60)


def test_section_122_after_its_150_days_is_uncertain() -> None:
    wafer = duties(date(2026, 8, 1), WAFER)["WAFER"]
    surcharge = next(x for x in wafer.lines if x.duty == "surcharge-10")
    assert surcharge.status is Status.UNCERTAIN
    assert (wafer.in_force_pct, wafer.worst_case_pct) == (Decimal(50), Decimal(60))


def test_a_missing_hs_code_leaves_listed_duties_undetermined() -> None:
    found = duties(date(2026, 3, 1), part("NOCODE", None))["NOCODE"]
    assert found.in_force_pct == Decimal(10)  # the all-goods surcharge still applies
    assert any("wafers-polysilicon" in x or "Wafers" in x for x in found.not_determined)
    assert any(x.match is Match.NOT_DETERMINED for x in found.lines)


def test_a_subdivided_hts_line_is_only_a_possible_match() -> None:
    tungsten = duties(date(2026, 3, 1), part("W", "810199"))["W"]
    line = next(x for x in tungsten.lines if x.duty == "tungsten")
    assert line.match is Match.POSSIBLE
    assert (tungsten.in_force_pct, tungsten.worst_case_pct) == (Decimal(10), Decimal(35))


def test_only_china_origin_parts_and_unknown_origins_are_named() -> None:
    overlay = duty_overlay(
        RULEBOOK,
        [WAFER, part("DE", "850152", "DE"), part("NO-ORIGIN", "850152", None)],
        date(2026, 3, 1),
    )
    assert [p.part_id for p in overlay.parts] == ["WAFER"]
    assert overlay.origin_unknown == ("NO-ORIGIN",)
    assert "not a customs ruling" in overlay.disclaimer
    assert any(x.duty == "permanent-magnets" for x in overlay.described)
