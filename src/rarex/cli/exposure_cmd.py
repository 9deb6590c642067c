"""``rarex exposure``: which products, plants and revenue depend on China-origin controlled
inputs, how long stock lasts against the licence lead time, and the Monte Carlo of delays."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from rarex.cli.common import AsOfOpt, Context, FormatOpt, OutputFormat, RulesDirOpt, emit_json
from rarex.cli.exposure_render import print_exposure
from rarex.cli.safe import inert
from rarex.core.assess import AssessmentError
from rarex.core.montecarlo import DelayModel, LognormalDelay
from rarex.core.parts import Dataset
from rarex.core.verdict import Shipment
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.fx import convert, load_rates
from rarex.io.importers import COUNTRIES, InputInvalid, load_dataset
from rarex.reports.exposure_doc import exposure_document
from rarex.services.exposure import (
    REPORTED_DELAY_WORKING_DAYS,
    exposure_report,
    load_commercial,
    reported_delay,
)

PartsOpt = Annotated[Path | None, typer.Option(help="parts.csv (see docs/input-format.md).")]
BomOpt = Annotated[Path | None, typer.Option(help="bom.csv: parent_id, child_id, quantity.")]
WorkbookOpt = Annotated[
    Path | None, typer.Option(help="An .xlsx workbook with sheets 'parts' and 'bom'.")
]
JsonOpt = Annotated[
    Path | None, typer.Option("--json", help='A JSON file {"parts": [...], "bom": [...]}.')
]
FxOpt = Annotated[
    Path | None, typer.Option(help="Exchange rates (currency,rate; the base has rate 1).")
]


def read_dataset(
    c: Context,
    parts: Path | None,
    bom: Path | None,
    workbook: Path | None,
    json_file: Path | None,
    fx: Path | None,
) -> Dataset:
    """The dataset from the options, or exit 2 with every input error."""
    given = [p for p in (parts, workbook, json_file) if p is not None]
    if len(given) != 1 or (bom is not None and parts is None):
        raise typer.BadParameter("give --parts (with --bom), or --workbook, or --json")
    try:
        limits = c.settings.import_limits()
        dataset = load_dataset(
            parts=parts, bom=bom, workbook=workbook, json_file=json_file, limits=limits
        )
        return convert(dataset, load_rates(fx, limits), str(fx)) if fx is not None else dataset
    except InputInvalid as exc:
        input_errors(c, exc)


def input_errors(c: Context, exc: InputInvalid) -> NoReturn:
    """Print every input error and exit 2: nothing is computed from bad input."""
    for error in exc.errors:
        c.err.print(inert(error), soft_wrap=True)
    more = " (more errors were not listed)" if exc.truncated else ""
    c.err.print(f"{len(exc.errors)} input error(s){more}; nothing was computed.", style="bold red")
    raise typer.Exit(2) from None


def _country(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise typer.BadParameter(f"{value!r} is not an ISO 3166-1 alpha-2 code", param_hint=option)
    return code


def _delay(text: str | None) -> tuple[int, int] | DelayModel:
    """``45-60`` (working days, uniform) or ``lognormal:MEDIAN:SIGMA`` (calendar days)."""
    if text is None:
        return REPORTED_DELAY_WORKING_DAYS
    if text.startswith("lognormal:"):
        try:
            _, median, sigma = text.split(":")
            model = LognormalDelay(float(median), float(sigma))
        except ValueError:
            raise typer.BadParameter(
                "expected lognormal:MEDIAN_DAYS:SIGMA", param_hint="--delay"
            ) from None
        if not (model.median_days > 0 and model.sigma >= 0):
            raise typer.BadParameter("median > 0 and sigma >= 0", param_hint="--delay")
        return model
    low, sep, high = text.partition("-")
    if not (sep and low.strip().isdigit() and high.strip().isdigit()) or int(low) > int(high):
        raise typer.BadParameter(
            "expected LOW-HIGH working days or lognormal:MEDIAN:SIGMA", param_hint="--delay"
        )
    return int(low), int(high)


def exposure_command(
    ctx: typer.Context,
    parts: PartsOpt = None,
    bom: BomOpt = None,
    workbook: WorkbookOpt = None,
    json_file: JsonOpt = None,
    fx: FxOpt = None,
    sales: Annotated[
        Path | None,
        typer.Option(help="sales.csv: product_id, annual_volume, annual_revenue, currency."),
    ] = None,
    inventory: Annotated[
        Path | None, typer.Option(help="inventory.csv: part_id, on_hand, monthly_usage.")
    ] = None,
    as_of: AsOfOpt = None,
    applied_on: Annotated[
        str | None,
        typer.Option("--applied-on", help="Day the licences are applied for. Default: --as-of."),
    ] = None,
    lead_time: Annotated[
        int, typer.Option("--lead-time", min=1, help="Statutory lead time in China working days.")
    ] = 45,
    delay: Annotated[
        str | None,
        typer.Option(
            help="Monte Carlo delay: LOW-HIGH working days, uniform (default 45-60, as "
            "reported by industry), or lognormal:MEDIAN:SIGMA in calendar days."
        ),
    ] = None,
    denial_probability: Annotated[
        float,
        typer.Option(
            "--denial-probability", min=0.0, max=1.0, help="Chance that a licence is refused."
        ),
    ] = 0.0,
    draws: Annotated[int, typer.Option(min=0, help="Monte Carlo draws (0: none).")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of the Monte Carlo.")] = 0,
    horizon: Annotated[
        int, typer.Option(min=1, help="Planning horizon in days: a refusal lasts until it.")
    ] = 365,
    worst_case: Annotated[
        bool,
        typer.Option(
            "--worst-case", help="Count items that need a licence only if uncertain measures apply."
        ),
    ] = False,
    export_from: Annotated[
        str | None, typer.Option("--export-from", help="Country the products ship from.")
    ] = None,
    destination: Annotated[str | None, typer.Option(help="Country the products ship to.")] = None,
    inputs_to: Annotated[
        str | None,
        typer.Option("--inputs-to", help="Country the China-origin inputs are exported to."),
    ] = None,
    resume_on: Annotated[
        str | None,
        typer.Option(
            "--resume-on",
            help="Also show the case of the suspended October 2025 measures resuming on DATE.",
        ),
    ] = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """What is at risk: China-origin controlled content, cover against licence lead times,
    revenue at risk (statutory, refused, Monte Carlo) and supply concentration."""
    c = Context.of(ctx, rules_dir)
    day = c.day(as_of)
    applied = c.day(applied_on) if applied_on else day
    resume = c.day(resume_on) if resume_on else None
    shipment = Shipment(
        export_from=_country(export_from, "--export-from"),
        destination=_country(destination, "--destination"),
    )
    to = _country(inputs_to, "--inputs-to")
    model = _delay(delay)
    rulebook = c.rulebook()
    dataset = read_dataset(c, parts, bom, workbook, json_file, fx)
    try:
        commercial = load_commercial(dataset, sales, inventory, c.settings.import_limits())
    except InputInvalid as exc:
        input_errors(c, exc)
    calendar = ChinaCalendar()
    if isinstance(model, tuple):
        model = reported_delay(calendar, day, applied, *model)
    try:
        report = exposure_report(
            rulebook,
            dataset,
            day,
            commercial,
            lead_time_working_days=lead_time,
            applied_on=applied,
            delay=model,
            denial_probability=denial_probability,
            draws=draws,
            seed=seed,
            horizon_days=float(horizon),
            include_uncertain=worst_case,
            shipment=shipment,
            inputs_to=to,
            resume_on=resume,
            calendar=calendar,
        )
    except AssessmentError as exc:
        c.err.print(inert(f"Error: {exc}", "bold red"))
        raise typer.Exit(2) from None
    if fmt is OutputFormat.JSON:
        emit_json(exposure_document(report))
    else:
        print_exposure(c.console, report)
