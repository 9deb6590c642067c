"""HHI and top shares from the rulebook's market figures; partial figures are lower bounds."""

from __future__ import annotations

import pytest

from rarex.core.concentration import by_element, concentration, hhi
from rarex.core.schema import MarketFigure
from rarex.io.rule_loader import load_rules


def figure(**fields: object) -> MarketFigure:
    data: dict[str, object] = {
        "id": "test-figure",
        "commodity": "Test metal",
        "elements": ["Ga"],
        "metric": "production",
        "year": 2024,
        "verification": "secondary",
        "sources": ["S05"],
    }
    data.update(fields)
    return MarketFigure.model_validate(data)


def test_hhi_of_a_known_distribution() -> None:
    assert hhi([0.5, 0.3, 0.2]) == pytest.approx(2500 + 900 + 400)
    assert hhi([1.0]) == pytest.approx(10_000)


def test_a_figure_covering_the_world_is_complete() -> None:
    result = concentration(
        figure(
            unit="t",
            world_total=100,
            countries=[
                {"country": "CN", "value": 50},
                {"country": "US", "value": 30},
                {"country": "AU", "value": 20},
            ],
        )
    )
    assert result.hhi == pytest.approx(3800)
    assert not result.hhi_is_lower_bound and result.reading == "complete"
    assert [(c.country, c.share) for c in result.top] == [("CN", 0.5), ("US", 0.3), ("AU", 0.2)]
    assert result.china_share == 0.5


def test_only_china_known_gives_a_labelled_lower_bound() -> None:
    result = concentration(figure(countries=[{"country": "CN", "share": 0.7, "bound": "at_least"}]))
    assert result.hhi == pytest.approx(4900)
    assert result.hhi_is_lower_bound
    assert result.reading.startswith("lower bound")
    assert result.china_share_at_least


def test_rare_earth_mine_production_from_usgs() -> None:
    markets = load_rules().rulebook.markets
    result = concentration(markets["rare-earths-mine-production"])
    shares = [x / 390_000 for x in (270_000, 45_000, 31_000, 13_000, 13_000, 13_000, 2_900, 2_500)]
    assert result.hhi == pytest.approx(sum((100 * s) ** 2 for s in shares))
    assert round(result.hhi) == 5024
    assert not result.hhi_is_lower_bound  # the listed producers cover the world total
    assert result.china_share == pytest.approx(0.692, abs=0.001)
    assert result.sources == ("S04",)


def test_elements_without_figures_are_reported_empty() -> None:
    found = by_element(load_rules().rulebook.markets.values(), ["Dy", "W"])
    assert {c.figure_id for c in found["Dy"]} == {
        "rare-earths-mine-production",
        "rare-earths-refining",
    }
    assert found["W"] == ()  # tungsten production share is not verified: no figure


def test_figures_adding_up_to_more_than_the_world_are_refused() -> None:
    with pytest.raises(ValueError, match="add up to"):
        figure(countries=[{"country": "CN", "share": 0.9}, {"country": "US", "share": 0.2}])
    with pytest.raises(ValueError, match="exactly one"):
        figure(countries=[{"country": "CN"}])
