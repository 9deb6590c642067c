"""Rich tables for ``rarex exposure`` and ``rarex duties``."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rarex.cli.safe import inert
from rarex.cli.tables import show_table
from rarex.core.duties import DutyOverlay
from rarex.core.exposure_analysis import Exposure
from rarex.services.exposure import ExposureReport


def money(value: float | None, currency: str | None = None) -> str:
    if value is None:
        return "unknown"
    return f"{value:,.0f}" + (f" {currency}" if currency else "")


def days(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def print_exposure(console: Console, report: ExposureReport) -> None:
    e = report.exposure
    lead = report.lead_time
    console.print(
        Text.assemble(
            (f"Exposure as of {e.as_of}", "bold"),
            inert(
                f": licences applied for on {lead.applied_on}; {lead.basis} → decision due "
                f"{lead.due}, {lead.calendar_days} calendar days"
                + (" (provisional: holiday schedule not yet published)" if lead.provisional else "")
            ),
        )
    )
    if e.simulation is not None:
        sim = e.simulation
        console.print(
            inert(
                f"Monte Carlo: {sim.draws:,} draws, seed {sim.seed}, delay {sim.delay}, "
                f"denial probability {sim.denial_probability:g}, horizon {sim.horizon_days:g} days"
            )
        )
    _products(console, e)
    _items(console, e)
    _notes(console, e)
    _plants(console, e)
    _concentration(console, e)
    if report.resumption is not None:
        r = report.resumption
        table = Table(
            title=f"If the measures suspended by {', '.join(r.suspended_by)} resume on {r.on} "
            f"({', '.join(r.assumptions)} assumed in force)",
            title_justify="left",
        )
        for column in ("Product", "Outcome before", "Outcome after", "Newly needs", "At risk"):
            table.add_column(column)
        for change in r.changes:
            table.add_row(
                change.part_id,
                change.outcome_before.value,
                change.outcome_after.value,
                ", ".join(change.newly_gated) or "—",
                f"{money(change.revenue_at_risk_before)} → {money(change.revenue_at_risk_after)}",
            )
        show_table(console, table)
        console.print(
            inert(
                "Revenue newly at risk (statutory lead time): "
                + (
                    money(r.revenue_newly_at_risk, r.currency)
                    if r.revenue_newly_at_risk is not None
                    else "not added up: the products' sales are in several currencies"
                )
                + (
                    f"; no sales figures for {', '.join(r.products_without_sales)}"
                    if r.products_without_sales
                    else ""
                )
            )
        )
    console.print(f"rulebook sha256 {e.rulebook_sha256}", style="dim")


def _products(console: Console, e: Exposure) -> None:
    content = Table(title="China-origin controlled content per unit", title_justify="left")
    for column in ("Product", "Plant", "Value", "Mass", "Outcome (worst case)"):
        content.add_column(column)
    for c in e.contents:
        mass = (
            f"{c.mass_kg:.4g} kg"
            if c.mass_kg is not None
            else f"≥ {c.mass_known_kg:.4g} kg, incomplete: no mass for {', '.join(c.mass_missing)}"
        )
        outcome, worst = e.outcomes.get(c.part_id, (None, None))
        content.add_row(
            c.part_id,
            c.plant or "—",
            f"{c.value:,.2f}",
            mass,
            f"{outcome.value if outcome else '—'}\n({worst.value if worst else '—'})",
        )
    show_table(console, content)
    sims = {s.part_id: s for s in e.simulation.products} if e.simulation else {}
    risk = Table(title="Revenue at risk (products that need a licensed item)", title_justify="left")
    for column in ("Product", "Lost days", "At risk", "If refused", "MC mean", "P50", "P90", "P95"):
        risk.add_column(column, justify="right" if column != "Product" else "left")
    risk.add_column("P(stock-out)", justify="right")
    for r in e.risks:
        sim = sims.get(r.part_id)
        figures = (
            [
                sim.revenue_at_risk_mean,
                sim.revenue_at_risk_p50,
                sim.revenue_at_risk_p90,
                sim.revenue_at_risk_p95,
            ]
            if sim
            else [None] * 4
        )
        risk.add_row(
            r.part_id,
            days(r.lost_days),
            money(r.revenue_at_risk),
            money(r.revenue_at_risk_if_refused),
            *(money(v) if sim else "—" for v in figures),
            f"{sim.probability_of_stockout:.1%}" if sim else "—",
        )
    show_table(console, risk)
    currencies = {r.currency for r in e.risks if r.currency}
    if currencies:
        console.print(inert(f"Amounts in {', '.join(sorted(currencies))}.", "dim"))


def _items(console: Console, e: Exposure) -> None:
    table = Table(title="Items that need a Chinese export licence", title_justify="left")
    for column in ("Item", "Why", "Stock", "Use / day", "Cover (days)", "Lead time", "Gap"):
        table.add_column(column)
    for item in e.items:
        cover = (
            days(item.days_of_cover)
            if item.cover_known and item.used_up
            else ("not used up" if item.cover_known else "unknown (0)")
        )
        usage = days(item.daily_usage) + (" (from sales)" if item.usage_derived else "")
        table.add_row(
            item.part_id,
            "\n".join((item.gate.outcome, *item.gate.measures)),
            days(item.on_hand),
            usage,
            cover,
            "refused" if item.lead_time_days is None else days(item.lead_time_days),
            days(item.gap_days),
        )
    show_table(console, table)


def _notes(console: Console, e: Exposure) -> None:
    if e.uncertain:
        console.print(
            inert(
                "Need a licence only if uncertain measures apply (not counted; --worst-case "
                f"counts them): {', '.join(e.uncertain)}",
                "magenta",
            )
        )
    if e.undecided:
        console.print(inert(f"Facts missing to decide: {', '.join(e.undecided)}", "magenta"))
    for product, inputs in e.unknown_inputs.items():
        console.print(
            inert(f"{product}: inputs of unknown origin or value: {', '.join(inputs)}", "magenta")
        )
    for risk in e.risks:
        for note in risk.notes:
            console.print(inert(f"{risk.part_id}: {note}", "magenta"))


def _plants(console: Console, e: Exposure) -> None:
    if not e.plants:
        return
    table = Table(title="Plants", title_justify="left")
    for column in ("Plant", "Products", "Annual revenue", "Revenue at risk"):
        table.add_column(column)
    for plant in e.plants:
        table.add_row(
            plant.plant,
            ", ".join(plant.products),
            money(plant.annual_revenue, e.currency),
            money(plant.revenue_at_risk, e.currency)
            + (
                f"\nincomplete: inputs of unknown origin in {', '.join(plant.incomplete)}"
                if plant.incomplete
                else ""
            ),
        )
    show_table(console, table)


def _concentration(console: Console, e: Exposure) -> None:
    table = Table(title="Supply concentration (HHI, 0-10,000)", title_justify="left")
    for column in ("Figure", "Elements", "HHI", "China", "Sources"):
        table.add_column(column)
    shown: dict[str, list[str]] = {}
    figures = {}
    for element, found in e.concentration.items():
        for f in found:
            shown.setdefault(f.figure_id, []).append(element)
            figures[f.figure_id] = f
    for figure_id, elements in shown.items():
        f = figures[figure_id]
        china = "—" if f.china_share is None else f"{f.china_share:.0%}"
        table.add_row(
            f"{f.commodity}\n{f.metric.value} {f.year}{' (estimate)' if f.estimate else ''}",
            ", ".join(elements),
            f"{f.hhi:,.0f}" if not f.hhi_is_lower_bound else f"≥ {f.hhi:,.0f}\n{f.reading}",
            ("≥ " if f.china_share_at_least else "") + china,
            f"{', '.join(f.sources)}\n({f.verification.value})",
        )
    show_table(console, table)
    missing = [element for element, found in e.concentration.items() if not found]
    if missing:
        console.print(
            inert(f"No market figure in the rulebook for: {', '.join(missing)}", "magenta")
        )


def print_duties(console: Console, overlay: DutyOverlay) -> None:
    console.print(inert(f"Additional US duties on China-origin parts, {overlay.as_of}", "bold"))
    console.print(inert(overlay.disclaimer, "yellow"))
    table = Table(title_justify="left")
    for column in ("Part", "HS", "In force", "Worst case", "Duties (status, match)"):
        table.add_column(column)
    for part in overlay.parts:
        lines = "\n".join(
            f"{x.rate_pct}% {x.ref} ({x.instrument_number or x.instrument}): "
            f"{x.status.value}, {x.match.value}"
            for x in part.lines
        )
        if part.not_determined:
            lines += "\ncannot be determined: " + "; ".join(part.not_determined)
        table.add_row(
            part.part_id,
            part.hs_code or "missing",
            f"{part.in_force_pct}%",
            f"{part.worst_case_pct}%",
            lines or "—",
        )
    show_table(console, table)
    if overlay.described:
        console.print("Duties on goods described in words (check whether a part is covered):")
        for x in overlay.described:
            console.print(inert(f"  {x.rate_pct}% {x.description} — {x.ref}, {x.status.value}"))
    if overlay.origin_unknown:
        console.print(
            inert(
                f"Origin not given, duties not determined: {', '.join(overlay.origin_unknown)}",
                "magenta",
            )
        )
    console.print(f"rulebook sha256 {overlay.rulebook_sha256}", style="dim")
