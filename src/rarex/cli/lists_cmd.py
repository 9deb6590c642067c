"""``rarex lists`` and ``rarex screening``: stored lists, decisions and re-screening."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from rarex.cli.common import AsOfOpt, Context, FormatOpt, OutputFormat, emit_json
from rarex.cli.safe import inert
from rarex.cli.screen_cmd import fail, input_errors, progress_bar, service
from rarex.cli.tables import show_table
from rarex.core.screening import Verdict
from rarex.io.importers import InputInvalid
from rarex.reports.screening import change_document
from rarex.services.errors import ServiceError
from rarex.services.lists import LIST_KINDS, version_document

lists_app = typer.Typer(help="Party lists for screening: import them and see their freshness.")
screening_app = typer.Typer(help="Stored screenings: decisions, re-screening, ownership links.")
RequiredAs = Annotated[
    str, typer.Option("--as", help="Act as this user: lists and runs are the organisation's.")
]


@lists_app.command("import")
def lists_import(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help=f"One of {', '.join(LIST_KINDS)}.")],
    path: Annotated[Path, typer.Argument(help="The list file.", exists=True, dir_okay=False)],
    email: RequiredAs,
    source: Annotated[
        str | None, typer.Option(help="Name of the list source (default: the kind).")
    ] = None,
    list_id: Annotated[
        str | None, typer.Option("--list", help="The list a FollowTheMoney file fills.")
    ] = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Store a list as the next version of its source (an identical file adds none)."""
    c = Context.of(ctx, None)
    try:
        with service(c, email, c.rulebook()) as svc:
            version, new = svc.lists.import_list(
                kind, path, source, list_id, c.settings.import_limits()
            )
            result = version_document(version, new)
    except InputInvalid as exc:
        raise input_errors(c, exc) from None
    except ServiceError as exc:
        raise fail(c, exc.message) from None
    if fmt is OutputFormat.JSON:
        emit_json(result)
        return
    verb = "Stored" if new else "Unchanged, still"
    stored = f"{result['source']} version {result['version']}: {result['entries']} entries"
    c.console.print(inert(f"{verb} {stored}."))


@lists_app.command("status")
def lists_status(
    ctx: typer.Context,
    email: RequiredAs,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Each list's freshness: its version, when it was last updated, and its age."""
    c = Context.of(ctx, None)
    day = c.day(as_of)
    with service(c, email, c.rulebook()) as svc:
        rows = svc.lists.freshness(day)
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "as_of": day.isoformat(),
                "lists": [r.document() for r in rows],
            }
        )
        return
    table = Table("Source", "Version", "Entries", "Updated", "Age (days)", "Note", title="Lists")
    for r in rows:
        table.add_row(
            r.source,
            r.version,
            str(r.entries),
            r.updated.isoformat(),
            str(r.age_days),
            r.note,
            style="bold red" if r.stale else "",
        )
    show_table(c.console, table)


@screening_app.command("ownership")
def screening_ownership(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="CSV: owner, owned, percent.", exists=True)],
    email: RequiredAs,
) -> None:
    """Replace the organisation's ownership links with the file's."""
    c = Context.of(ctx, None)
    try:
        with service(c, email, c.rulebook()) as svc:
            count = svc.lists.load_ownership(path, c.settings.import_limits())
    except InputInvalid as exc:
        raise input_errors(c, exc) from None
    except ServiceError as exc:
        raise fail(c, exc.message) from None
    c.console.print(f"Loaded {count} ownership links.")


@screening_app.command("decide")
def screening_decide(
    ctx: typer.Context,
    party_id: Annotated[int, typer.Argument(help="The screened party's id.")],
    entry_key: Annotated[str, typer.Argument(help="The hit's entry_key.")],
    verdict: Annotated[Verdict, typer.Option(help="true_match or false_positive.")],
    email: RequiredAs,
    reason: Annotated[str, typer.Option(help="Why (required for a false positive).")] = "",
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Record a reviewer's decision on a hit; a false positive is suppressed on later runs
    until the list entry changes."""
    c = Context.of(ctx, None)
    try:
        with service(c, email, c.rulebook()) as svc:
            decision = svc.decide(party_id, entry_key, verdict, reason)
    except ServiceError as exc:
        raise fail(c, exc.message) from None
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "party_id": party_id,
                "entry_key": entry_key,
                "verdict": decision.verdict.value,
                "fingerprint": decision.fingerprint,
                "reason": decision.reason,
            }
        )
        return
    c.console.print(inert(f"Recorded {decision.verdict.value} ({decision.ref})."))


@screening_app.command("rescreen")
def screening_rescreen(
    ctx: typer.Context,
    email: RequiredAs,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Screen every stored party again with the newest lists and report what changed."""
    c = Context.of(ctx, None)
    day = c.day(as_of)
    try:
        with service(c, email, c.rulebook()) as svc:
            total = len(svc.latest_results())
            with progress_bar(c, total, "Re-screening") as tick:
                report = svc.rescreen(day, tick)
            run_id, versions = report.run.id, report.run.list_versions
    except ServiceError as exc:
        raise fail(c, exc.message) from None
    changes = [change_document(ch) for ch in report.changes]
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "as_of": day.isoformat(),
                "run_id": run_id,
                "list_versions": versions,
                "parties": report.parties,
                "changes": changes,
            }
        )
        return
    table = Table(
        "Party", "Change", "Entry", "Detail", title=f"Re-screened {report.parties} parties"
    )
    for change in report.changes:
        table.add_row(
            f"{change.party} (#{change.party_id})", change.kind, change.entry_key, change.detail
        )
    if changes:
        show_table(c.console, table)
    else:
        c.console.print(f"Re-screened {report.parties} parties: no changes.")
