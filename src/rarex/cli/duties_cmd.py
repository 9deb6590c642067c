"""``rarex duties``: additional US duties on the China-origin parts of a dataset on a date."""

from __future__ import annotations

import typer

from rarex.cli.common import (
    AsOfOpt,
    AssumeOpt,
    Context,
    FormatOpt,
    OutputFormat,
    RulesDirOpt,
    emit_json,
)
from rarex.cli.exposure_cmd import BomOpt, JsonOpt, PartsOpt, WorkbookOpt, read_dataset
from rarex.cli.exposure_render import print_duties
from rarex.core.duties import duty_overlay
from rarex.reports.exposure_doc import duties_document


def duties_command(
    ctx: typer.Context,
    parts: PartsOpt = None,
    bom: BomOpt = None,
    workbook: WorkbookOpt = None,
    json_file: JsonOpt = None,
    as_of: AsOfOpt = None,
    assume: AssumeOpt = None,
    rules_dir: RulesDirOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Additional US duties on China-origin parts imported on a date, each with its legal
    basis and status (an estimate, not a customs ruling)."""
    c = Context.of(ctx, rules_dir)
    rulebook = c.rulebook()
    snapshot = c.snapshot(rulebook, as_of, assume)
    dataset = read_dataset(c, parts, bom, workbook, json_file, None)
    overlay = duty_overlay(rulebook, dataset.parts, snapshot.as_of, snapshot.assumptions)
    if fmt is OutputFormat.JSON:
        emit_json(duties_document(overlay))
    else:
        print_duties(c.console, overlay)
