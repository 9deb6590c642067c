"""Supply concentration per element: Herfindahl-Hirschman index and top-country shares.

The figures come from the rulebook's dated, cited market figures (``rules/market/*.yaml``).
HHI is the sum of squared shares in percent (0 to 10,000). When the recorded countries do not
cover the whole world, or a share is only a lower bound (">70 %"), the index computed from
them is a lower bound: the rest of the world can only add to it. Such a figure is labelled,
never shown as complete.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from rarex.core.schema import MarketFigure
from rarex.core.vocab import CHINA, MarketMetric, ShareBound, Verification

COMPLETE_COVERAGE = Decimal("0.99")  # recorded shares covering this much of the world are whole
TOP = 5


@dataclass(frozen=True)
class CountryShare:
    country: str
    share: float  # 0-1
    at_least: bool  # the source gives only a lower bound


@dataclass(frozen=True)
class Concentration:
    """The concentration of one market figure."""

    figure_id: str
    commodity: str
    metric: MarketMetric
    year: int
    estimate: bool
    hhi: float  # 0-10,000
    hhi_is_lower_bound: bool
    coverage: float  # share of the world the recorded countries account for
    china_share: float | None
    china_share_at_least: bool
    top: tuple[CountryShare, ...]
    verification: Verification
    sources: tuple[str, ...]
    conflicts: tuple[str, ...]
    reading: str  # "complete", or "lower bound: …" with the reason


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl-Hirschman index of shares given as fractions (0-1), on the 0-10,000 scale."""
    return float(sum((100.0 * s) ** 2 for s in shares))


def concentration(figure: MarketFigure) -> Concentration:
    """HHI, coverage, China's share and the top countries of one market figure."""
    shares = [(c, min(float(figure.share_of(c)), 1.0)) for c in figure.countries]
    coverage = min(float(figure.share_sum()), 1.0)
    any_bound = any(c.bound is ShareBound.AT_LEAST for c, _ in shares)
    lower_bound = any_bound or Decimal(str(coverage)) < COMPLETE_COVERAGE
    ranked = sorted(shares, key=lambda pair: -pair[1])
    reading = "complete"
    if lower_bound:
        reading = f"lower bound: the recorded countries cover {coverage:.0%} of the world"
        if any_bound:
            reading += " and some shares are minimums (at least)"
    china = next(((c, s) for c, s in shares if c.country == CHINA), None)
    return Concentration(
        figure_id=figure.id,
        commodity=figure.commodity,
        metric=figure.metric,
        year=figure.year,
        estimate=figure.estimate,
        hhi=hhi(s for _, s in shares),
        hhi_is_lower_bound=lower_bound,
        coverage=coverage,
        china_share=None if china is None else china[1],
        china_share_at_least=china is not None and china[0].bound is ShareBound.AT_LEAST,
        top=tuple(
            CountryShare(c.country, s, c.bound is ShareBound.AT_LEAST) for c, s in ranked[:TOP]
        ),
        verification=figure.verification,
        sources=figure.sources,
        conflicts=figure.conflicts,
        reading=reading,
    )


def by_element(
    figures: Iterable[MarketFigure], elements: Iterable[str]
) -> dict[str, tuple[Concentration, ...]]:
    """For each element, the concentration of every market figure that covers it.

    An element with no figure maps to an empty tuple: the rulebook has no market data for it,
    which the caller must say rather than show as unconcentrated.
    """
    listed = list(figures)
    return {
        element: tuple(
            concentration(f)
            for f in sorted(listed, key=lambda f: (f.metric.value, -f.year, f.id))
            if element in f.elements
        )
        for element in elements
    }
