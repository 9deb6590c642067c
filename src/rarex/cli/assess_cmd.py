"""``rarex assess`` and ``rarex demo``: which products need a licence, and why."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from rarex.cli.common import (
    AsOfOpt,
    AssumeOpt,
    Context,
    FormatOpt,
    OutputFormat,
    RulesDirOpt,
    emit_json,
    json_text,
)
from rarex.cli.safe import inert
from rarex.cli.tables import show_heading, show_table
from rarex.core.assess import Assessment, AssessmentError, assess
from rarex.core.matching import Matcher
from rarex.core.parts import Dataset
from rarex.core.rulebook import RuleBook
from rarex.core.verdict import Shipment, Verdict
from rarex.core.vocab import EndUse, EndUserType
from rarex.demo.shipments import DEMO_SHIPMENTS
from rarex.io.atomic import write_atomically
from rarex.io.fx import convert, load_rates
from rarex.io.importers import COUNTRIES, InputInvalid, load_dataset
from rarex.io.script import ChineseScript
from rarex.reports.render import OUTCOME_LABEL, render_html, render_markdown
from rarex.reports.serialise import assessment_document

PROGRESS_FROM_PARTS = 5_000

VERDICT_STYLE = {
    Verdict.PROHIBITED: "bold white on red",
    Verdict.PRESUMPTION_OF_DENIAL: "bold red",
    Verdict.CASE_BY_CASE: "bold yellow",
    Verdict.LICENCE_REQUIRED: "yellow",
    Verdict.INCOMPLETE_DATA: "bold magenta",
    Verdict.NO_LICENCE_REQUIRED: "green",
}


def _country(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise typer.BadParameter(f"{value!r} is not an ISO 3166-1 alpha-2 code", param_hint=option)
    return code


def assess_command(
    ctx: typer.Context,
    parts: Annotated[
        Path | None, typer.Option(help="parts.csv (see docs/input-format.md).")
    ] = None,
    bom: Annotated[
        Path | None, typer.Option(help="bom.csv: parent_id, child_id, quantity.")
    ] = None,
    workbook: Annotated[
        Path | None, typer.Option(help="An .xlsx workbook with sheets 'parts' and 'bom'.")
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help='A JSON file {"parts": [...], "bom": [...]}.')
    ] = None,
    fx: Annotated[
        Path | None, typer.Option(help="Exchange rates (currency,rate; the base has rate 1).")
    ] = None,
    as_of: AsOfOpt = None,
    export_from: Annotated[
        str | None, typer.Option("--export-from", help="Country the shipment leaves from.")
    ] = None,
    destination: Annotated[str | None, typer.Option(help="Destination country.")] = None,
    end_user: Annotated[str | None, typer.Option("--end-user", help="End user's name.")] = None,
    end_user_type: Annotated[
        EndUserType, typer.Option("--end-user-type", help="End-user type.")
    ] = EndUserType.UNKNOWN,
    end_use: Annotated[EndUse, typer.Option("--end-use", help="End use.")] = EndUse.UNKNOWN,
    product: Annotated[
        list[str] | None,
        typer.Option(help="Product to assess (repeatable). Default: every part with no parent."),
    ] = None,
    assume: AssumeOpt = None,
    rules_dir: RulesDirOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="table, json, html or md. Default: table, or the --output file's suffix.",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this .html, .md or .json file."),
    ] = None,
) -> None:
    """Which products need a Chinese export licence on a date, from where to whom, and why."""
    fmt = report_format(fmt, output)
    c = Context.of(ctx, rules_dir)
    shipment = Shipment(
        export_from=_country(export_from, "--export-from"),
        destination=_country(destination, "--destination"),
        end_user=end_user.strip() if end_user and end_user.strip() else None,
        end_user_type=end_user_type,
        end_use=end_use,
    )
    day = c.day(as_of)
    rulebook = c.rulebook()
    sources = [p for p in (parts, workbook, json_file) if p is not None]
    if len(sources) != 1 or (bom is not None and parts is None):
        raise typer.BadParameter("give --parts (with --bom), or --workbook, or --json")
    dataset = _load(c, parts=parts, bom=bom, workbook=workbook, json_file=json_file, fx=fx)
    result = run_assessment(c, rulebook, dataset, day, shipment, product, assume)
    write_result(c, result, rulebook, fmt, output)


FILE_FORMATS = {".html": "html", ".htm": "html", ".md": "md", ".json": "json"}
FORMAT_NAMES = {"html": "HTML", "md": "Markdown", "json": "JSON"}


def report_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: ``--format`` if given, else the ``--output`` file's suffix.

    A table is for the terminal, so it is never written to a file, and a format that
    contradicts the file's suffix is refused rather than guessed.
    """
    if fmt is not None and fmt not in ("table", *FORMAT_NAMES):
        raise typer.BadParameter(
            f"{fmt!r} is not one of table, json, html, md", param_hint="--format"
        )
    if output is None:
        return fmt or "table"
    by_suffix = FILE_FORMATS.get(output.suffix.lower())
    if fmt == "table":
        raise typer.BadParameter(
            "a table is printed, not written to a file; write --format html, md or json "
            "to --output, or leave out --output",
            param_hint="--format",
        )
    if fmt is None:
        if by_suffix is None:
            raise typer.BadParameter(
                f"{output.name!r}: the suffix does not say the format; use .html, .md or "
                ".json, or give --format html, md or json",
                param_hint="--output",
            )
        return by_suffix
    if by_suffix is not None and by_suffix != fmt:
        raise typer.BadParameter(
            f"--format {fmt} does not match the file's suffix {output.suffix!r}",
            param_hint="--output",
        )
    return fmt


def _load(
    c: Context,
    *,
    parts: Path | None,
    bom: Path | None,
    workbook: Path | None,
    json_file: Path | None,
    fx: Path | None,
) -> Dataset:
    try:
        limits = c.settings.import_limits()
        dataset = load_dataset(
            parts=parts, bom=bom, workbook=workbook, json_file=json_file, limits=limits
        )
        if fx is not None:
            dataset = convert(dataset, load_rates(fx, limits), str(fx))
    except InputInvalid as exc:
        for error in exc.errors:
            c.err.print(inert(error), soft_wrap=True)
        more = " (more errors were not listed)" if exc.truncated else ""
        c.err.print(
            f"{len(exc.errors)} input error(s){more}; nothing was assessed.", style="bold red"
        )
        raise typer.Exit(2) from None
    return dataset


def run_assessment(
    c: Context,
    rulebook: RuleBook,
    dataset: Dataset,
    day: date,
    shipment: Shipment,
    products: list[str] | None,
    assume: list[str] | None,
) -> Assessment:
    assumptions = c.snapshot(rulebook, day.isoformat(), assume).assumptions
    show = len(dataset.parts) >= PROGRESS_FROM_PARTS
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=c.err,
        disable=not show,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        try:
            return assess(
                rulebook,
                dataset,
                day,
                shipment,
                products=products,
                assumptions=assumptions,
                progress=progress,
                matcher=Matcher(ChineseScript()),
            )
        except AssessmentError as exc:
            c.err.print(inert(f"Error: {exc}", "bold red"))
            raise typer.Exit(2) from None


def write_result(
    c: Context, result: Assessment, rulebook: RuleBook, fmt: str, output: Path | None
) -> None:
    if fmt == "table":
        print_table(c.console, result)
        return
    if fmt == "json":
        document = assessment_document(result, rulebook)
        if output is None:
            emit_json(document)
            return
        text = json_text(document) + "\n"
    else:
        text = (render_html if fmt == "html" else render_markdown)(result, rulebook)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_output(c, output, text)
        c.err.print(inert(f"{FORMAT_NAMES[fmt]} report written to {output}"))


def write_output(c: Context, path: Path, text: str) -> None:
    """Write a report whole (``write_atomically``), or exit 2 saying why it was not written."""
    try:
        write_atomically(path, text)
    except OSError as exc:
        c.err.print(
            f"Error: cannot write {path}: {exc.strerror or exc}; nothing was written.",
            style="bold red",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(2) from None


def print_table(console: Console, result: Assessment) -> None:
    shipment = result.shipment
    title = (
        f"Licence requirements as of {result.as_of}: from {shipment.export_from or '?'} "
        f"to {shipment.destination or '?'}, end user {shipment.end_user or '?'} "
        f"({shipment.end_user_type.value}), end use {shipment.end_use.value}"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("Product")
    table.add_column(f"Outcome on {result.as_of}")
    table.add_column("Worst case")
    table.add_column("Driven by")
    for r in result.results:
        drivers = {f.ref for f in r.drivers()} or {"—"}
        worst = {f.ref for f in r.drivers(worst=True)} - drivers
        driven = Text(", ".join(sorted(drivers)))
        if worst and r.worst_case_outcome is not r.outcome:
            driven.append(
                "\nif uncertain measures apply: " + ", ".join(sorted(worst)), style="magenta"
            )
        table.add_row(
            f"{r.part_id}\n{r.description}",
            Text(OUTCOME_LABEL[r.outcome.value], style=VERDICT_STYLE[r.outcome]),
            Text(
                OUTCOME_LABEL[r.worst_case_outcome.value], style=VERDICT_STYLE[r.worst_case_outcome]
            ),
            driven,
        )
    show_table(console, table)
    for hit in result.listing_hits:
        console.print(
            inert(
                f"End user matches {hit.listed_name!r} on {hit.list_id} ({hit.limb}, "
                f"{hit.status.value}, {hit.how} match)",
                "bold",
            )
        )
    console.print(f"rulebook sha256 {result.rulebook_sha256}", style="dim")


def demo_dataset_paths() -> tuple[Path, Path]:
    folder = Path(str(resources.files("rarex") / "demo"))
    return folder / "parts.csv", folder / "bom.csv"


def demo_command(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    output_dir: Annotated[Path, typer.Option(help="Where to write the HTML reports.")] = Path(
        "rarex-demo"
    ),
    fmt: FormatOpt = OutputFormat.TABLE,
    serve: Annotated[
        bool,
        typer.Option(help="Then seed a demo workspace and serve the dashboard and the API on it."),
    ] = False,
    host: Annotated[str, typer.Option(help="With --serve: interface.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="With --serve: port.")] = 8000,
) -> None:
    """Assess the bundled demo company: print the answers and write HTML reports."""
    c = Context.of(ctx, None)
    rulebook = c.rulebook()
    parts, bom = demo_dataset_paths()
    dataset = _load(c, parts=parts, bom=bom, workbook=None, json_file=None, fx=None)
    day = c.day(as_of)
    output_dir.mkdir(parents=True, exist_ok=True)
    documents = []
    for number, (heading, shipment, products) in enumerate(DEMO_SHIPMENTS, start=1):
        result = run_assessment(c, rulebook, dataset, day, shipment, products, None)
        report = output_dir / f"assessment-{number}.html"
        write_output(c, report, render_html(result, rulebook))
        if fmt is OutputFormat.JSON:
            documents.append(
                {"heading": heading, "report": str(report), **assessment_document(result, rulebook)}
            )
            continue
        show_heading(c.console, f"{number}. {heading}")
        print_table(c.console, result)
        c.console.print(inert(f"Report: {report}"))
    if fmt is OutputFormat.JSON:
        emit_json({"assessments": documents})
    if serve:
        from rarex.cli.server_cmd import serve_demo

        serve_demo(c, host, port, str(output_dir / "rarex-demo.db"))
