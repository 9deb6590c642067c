"""The assessment on small BOMs: thresholds, quantities, gaps, statuses and every outcome."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rarex.core.assess import AssessmentError, assess
from rarex.core.parts import Dataset
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import ProductResult, Shipment, Verdict
from rarex.core.vocab import EndUse, EndUserType, Status
from rarex.io.rule_loader import load_rules
from tests.assessment_data import DY_METAL, NDFEB_DY, SM_METAL, dataset, part

TODAY = date(2026, 11, 22)  # CN-2025-61 uncertain, CN-2025-18 in force
SUSPENDED_DAY = date(2026, 6, 1)  # CN-2025-61 suspended
RESUMED = {"CN-2025-61": Status.IN_FORCE}
CIVIL_FROM_JAPAN = Shipment("JP", "US", "Example Inc.", EndUserType.CIVIL, EndUse.CIVIL)


@pytest.fixture(scope="module")
def rulebook() -> RuleBook:
    return load_rules().rulebook


def one(
    rulebook: RuleBook,
    data: Dataset,
    shipment: Shipment = CIVIL_FROM_JAPAN,
    day: date = TODAY,
    **kwargs: object,
) -> ProductResult:
    result = assess(rulebook, data, day, shipment, **kwargs)  # type: ignore[arg-type]
    [product] = result.results
    return product


def magnet(tmp_path: Path, dy_qty: str, magnet_value: str = "1000") -> Dataset:
    """A Japanese magnet containing China-origin dysprosium metal priced at 100 per kg."""
    return dataset(
        tmp_path,
        [part("MAG", magnet_value, "JP", **NDFEB_DY), part("DY", "100", "CN", **DY_METAL)],
        [("MAG", "DY", dy_qty)],
    )


def finding(result: ProductResult, ref: str) -> object:
    return next(f for f in result.findings if f.ref == ref)


def test_exactly_0_1_percent_is_caught(tmp_path: Path, rulebook: RuleBook) -> None:
    result = one(rulebook, magnet(tmp_path, "0.01"), assumptions=RESUMED)
    assert result.content_share == pytest.approx(0.001)
    assert result.outcome is Verdict.LICENCE_REQUIRED
    content = finding(result, "CN-2025-61/cl1.1")
    assert content.threshold == pytest.approx(0.001)  # type: ignore[attr-defined]
    assert content.paths == (("MAG", "DY"),)  # type: ignore[attr-defined]


def test_just_below_0_1_percent_is_not_caught(tmp_path: Path, rulebook: RuleBook) -> None:
    result = one(rulebook, magnet(tmp_path, "0.00999"), assumptions=RESUMED)
    assert result.content_share == pytest.approx(0.000999)
    assert result.outcome is Verdict.NO_LICENCE_REQUIRED
    assert finding(result, "CN-2025-61/cl1.1").outcome is Verdict.NO_LICENCE_REQUIRED  # type: ignore[attr-defined]


def test_quantities_multiply_across_levels(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(
        tmp_path,
        [
            part("MOTOR", "10000", "DE", form="other"),
            part("ROTOR", "500", "DE", form="other"),
            part("MAG", "40", "JP", **NDFEB_DY),
            part("DY", "100", "CN", **DY_METAL),
        ],
        [("MOTOR", "ROTOR", "2"), ("ROTOR", "MAG", "4"), ("MAG", "DY", "0.05")],
    )
    result = one(rulebook, data, assumptions=RESUMED)
    assert result.content_share == pytest.approx(2 * 4 * 0.05 * 100 / 10000)
    assert result.content_value == pytest.approx(40.0)
    assert result.content_by_element == {"Dy": pytest.approx(40.0)}
    assert result.content_by_item == {"p1-dy-metal": pytest.approx(40.0)}
    assert result.outcome is Verdict.LICENCE_REQUIRED
    assert finding(result, "CN-2025-61/cl1.1").paths == (("MOTOR", "ROTOR", "MAG", "DY"),)  # type: ignore[attr-defined]


def test_shared_subassembly_counts_on_every_path(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(
        tmp_path,
        [
            part("PUMP", "100000", "DE", form="other"),
            part("HOUSING", "300", "DE", form="other"),
            part("MAG", "40", "JP", **NDFEB_DY),
            part("DY", "100", "CN", **DY_METAL),
        ],
        [
            ("PUMP", "HOUSING", "1"),
            ("HOUSING", "MAG", "2"),
            ("PUMP", "MAG", "3"),
            ("MAG", "DY", "0.1"),
        ],
    )
    result = one(rulebook, data, assumptions=RESUMED)
    assert result.content_share == pytest.approx((2 + 3) * 0.1 * 100 / 100000)
    assert result.outcome is Verdict.NO_LICENCE_REQUIRED  # 0.05 % < 0.1 %


def test_unknown_origin_gives_incomplete_data(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(
        tmp_path,
        [part("MAG", "1000", "JP", **NDFEB_DY), part("DY", "100", "", **DY_METAL)],
        [("MAG", "DY", "0.001")],
    )
    result = one(rulebook, data, assumptions=RESUMED)
    assert result.outcome is Verdict.INCOMPLETE_DATA
    assert "DY" in result.unknown_inputs


def test_known_content_above_threshold_is_caught_despite_gaps(
    tmp_path: Path, rulebook: RuleBook
) -> None:
    data = dataset(
        tmp_path,
        [
            part("MAG", "1000", "JP", **NDFEB_DY),
            part("DY", "100", "CN", **DY_METAL),
            part("DY2", "100", "", **DY_METAL),
        ],
        [("MAG", "DY", "0.02"), ("MAG", "DY2", "0.01")],
    )
    assert one(rulebook, data, assumptions=RESUMED).outcome is Verdict.LICENCE_REQUIRED


def test_suspended_and_uncertain_differ(tmp_path: Path, rulebook: RuleBook) -> None:
    data = magnet(tmp_path, "0.05")
    suspended = one(rulebook, data, day=SUSPENDED_DAY)
    assert (suspended.outcome, suspended.worst_case_outcome) == (
        Verdict.NO_LICENCE_REQUIRED,
        Verdict.NO_LICENCE_REQUIRED,
    )
    assert finding(suspended, "CN-2025-61/cl1.1").status is Status.SUSPENDED  # type: ignore[attr-defined]
    uncertain = one(rulebook, data, day=TODAY)
    assert (uncertain.outcome, uncertain.worst_case_outcome) == (
        Verdict.NO_LICENCE_REQUIRED,
        Verdict.LICENCE_REQUIRED,
    )


def test_prohibited_dual_use_item_to_us_military(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("SM", "250", "CN", **SM_METAL)], [])
    shipment = Shipment("CN", "US", "Example", EndUserType.MILITARY, EndUse.CIVIL)
    result = one(rulebook, data, shipment)
    assert result.outcome is Verdict.PROHIBITED
    assert any(f.measure == "CN-2024-46" for f in result.drivers())


def test_presumption_of_denial_for_military_end_user(tmp_path: Path, rulebook: RuleBook) -> None:
    shipment = Shipment("JP", "US", "Example", EndUserType.MILITARY, EndUse.CIVIL)
    result = one(rulebook, magnet(tmp_path, "0.05"), shipment, assumptions=RESUMED)
    assert result.outcome is Verdict.PRESUMPTION_OF_DENIAL


def test_case_by_case_for_advanced_chips(tmp_path: Path, rulebook: RuleBook) -> None:
    shipment = Shipment("JP", "TW", "Fab", EndUserType.CIVIL, EndUse.ADVANCED_LOGIC_14NM)
    result = one(rulebook, magnet(tmp_path, "0.05"), shipment, assumptions=RESUMED)
    assert result.outcome is Verdict.CASE_BY_CASE


def test_licence_required_for_samarium_from_china(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("SM", "250", "CN", **SM_METAL)], [])
    shipment = Shipment("CN", "DE", "Example", EndUserType.CIVIL, EndUse.CIVIL)
    result = one(rulebook, data, shipment)
    assert result.outcome is Verdict.LICENCE_REQUIRED
    assert "CN-2025-18/main" in {f.ref for f in result.drivers()}


def test_no_licence_for_uncontrolled_goods(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("BOLT", "1", "CN", form="other", elements="Fe:0.99")], [])
    shipment = Shipment("CN", "DE", "Example", EndUserType.CIVIL, EndUse.CIVIL)
    result = one(rulebook, data, shipment)
    assert result.outcome is Verdict.NO_LICENCE_REQUIRED
    assert result.findings == ()


def test_customs_code_alone_is_only_a_possible_match(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("X", "10", "CN", hs_code="2805301910")], [])
    shipment = Shipment("CN", "DE", "Example", EndUserType.CIVIL, EndUse.CIVIL)
    result = one(rulebook, data, shipment)
    assert result.outcome is Verdict.INCOMPLETE_DATA
    assert all(
        m.certainty.value == "possible_match"
        for m in assess(rulebook, data, TODAY, shipment).classifications["X"].matches
    )


def test_missing_threshold_parameter_is_incomplete(tmp_path: Path, rulebook: RuleBook) -> None:
    cells = dataset(tmp_path, [part("CELL", "3", "CN", form="cell", elements="Li:0.02")], [])
    shipment = Shipment("CN", "DE", "Example", EndUserType.CIVIL, EndUse.CIVIL)
    result = one(rulebook, cells, shipment, assumptions={"CN-2025-58": Status.IN_FORCE})
    assert result.outcome is Verdict.INCOMPLETE_DATA
    assert "energy_density_wh_kg" in " ".join(f.explanation for f in result.findings)


def test_listed_end_user_found_by_normalised_name(tmp_path: Path, rulebook: RuleBook) -> None:
    gallium = {"form": "metal", "elements": "Ga:0.9999"}
    data = dataset(tmp_path, [part("GA", "300", "CN", **gallium)], [])
    shipment = Shipment("CN", "US", "LOCKHEED MARTIN CORPORATION", EndUserType.CIVIL, EndUse.CIVIL)
    result = assess(rulebook, data, date(2025, 2, 1), shipment)
    assert [(h.list_id, h.how) for h in result.listing_hits] == [("CN-CONTROL-LIST", "normalised")]
    assert result.results[0].outcome is Verdict.PROHIBITED
    before = assess(rulebook, data, date(2024, 12, 1), shipment)
    assert before.results[0].outcome is not Verdict.PROHIBITED


def test_humanitarian_use_is_exempt(tmp_path: Path, rulebook: RuleBook) -> None:
    shipment = Shipment("JP", "UA", "Relief", EndUserType.CIVIL, EndUse.HUMANITARIAN)
    result = one(rulebook, magnet(tmp_path, "0.05"), shipment, assumptions=RESUMED)
    assert result.outcome is Verdict.NO_LICENCE_REQUIRED
    assert "humanitarian" in finding(result, "CN-2025-61/cl1.1").explanation  # type: ignore[attr-defined]


def test_unknown_export_country_is_incomplete(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("BOLT", "1", "DE", form="other")], [])
    result = one(rulebook, data, Shipment(None, "US"))
    assert result.outcome is Verdict.INCOMPLETE_DATA


def test_technology_route(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("MAG", "1000", "VN", tech_origin="CN", **NDFEB_DY)], [])
    result = one(rulebook, data, assumptions=RESUMED)
    assert finding(result, "CN-2025-61/cl1.2").outcome is Verdict.LICENCE_REQUIRED  # type: ignore[attr-defined]


def test_mixed_currencies_need_rates(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(
        tmp_path,
        [part("A", "1", "DE"), {**part("B", "1", "DE"), "currency": "USD"}],
        [("A", "B", "1")],
    )
    with pytest.raises(AssessmentError, match="several currencies"):
        assess(rulebook, data, TODAY, CIVIL_FROM_JAPAN)


def test_unreliable_entity_list_party(tmp_path: Path, rulebook: RuleBook) -> None:
    data = dataset(tmp_path, [part("BOLT", "1", "CN", form="other", elements="Fe:0.99")], [])
    shipment = Shipment("CN", "CA", "TechInsights Inc.", EndUserType.CIVIL, EndUse.CIVIL)
    listed = date(2025, 10, 20)  # listed 2025-10-09; its status after 2025-11-10 is unknown
    result = one(rulebook, data, shipment, listed)
    assert result.outcome is Verdict.PROHIBITED
    assert "CN-UNRELIABLE-ENTITY-LIST/techinsights-2025" in {f.ref for f in result.drivers()}
    today = one(rulebook, data, shipment)
    assert today.outcome is Verdict.NO_LICENCE_REQUIRED
    assert today.worst_case_outcome is Verdict.PROHIBITED
    abroad = one(
        rulebook,
        data,
        Shipment("DE", "CA", "TechInsights Inc.", EndUserType.CIVIL, EndUse.CIVIL),
        listed,
    )
    assert abroad.outcome is Verdict.NO_LICENCE_REQUIRED


def test_matcher_finds_a_misspelt_listed_end_user(tmp_path: Path, rulebook: RuleBook) -> None:
    from rarex.core.matching import Matcher
    from rarex.io.script import ChineseScript

    gallium = {"form": "metal", "elements": "Ga:0.9999"}
    data = dataset(tmp_path, [part("GA", "300", "CN", **gallium)], [])
    shipment = Shipment("CN", "US", "Lockheed Martn Corp", EndUserType.CIVIL, EndUse.CIVIL)
    plain = assess(rulebook, data, date(2025, 2, 1), shipment)
    assert plain.listing_hits == ()
    fuzzy = assess(rulebook, data, date(2025, 2, 1), shipment, matcher=Matcher(ChineseScript()))
    [hit] = fuzzy.listing_hits
    assert hit.list_id == "CN-CONTROL-LIST" and hit.how.startswith("name_v1 score")
    assert fuzzy.results[0].outcome is Verdict.PROHIBITED
