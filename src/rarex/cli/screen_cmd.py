"""``rarex screen`` and ``rarex lists`` / ``rarex screening``: party screening from the shell.

``rarex screen NAME`` screens one name; ``rarex screen parties.csv`` screens a file of parties
with a progress bar. Without ``--as`` the rulebook's listings (and any ``--list`` files) are
screened in memory and nothing is stored; with ``--as EMAIL`` the organisation's stored lists
and ownership links are used and the run is stored with its matcher and list versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.orm import Session

from rarex.cli.common import AsOfOpt, Context, FormatOpt, OutputFormat, emit_json
from rarex.cli.safe import inert
from rarex.cli.tables import show_table
from rarex.core.audit import AuditKeyRequired
from rarex.core.matchers import MATCHERS, matcher_for
from rarex.core.matching import DEFAULT_THRESHOLD, MATCHER, Matcher
from rarex.core.ownership import Link
from rarex.core.rulebook import RuleBook
from rarex.core.screening import (
    RULEBOOK_SOURCE,
    ListedParty,
    PartyQuery,
    Screener,
    Screening,
    governing_limb,
    rulebook_parties,
)
from rarex.io.importers import InputInvalid
from rarex.io.screening_inputs import read_ownership_csv, read_parties_csv
from rarex.io.script import ChineseScript
from rarex.io.storage.db import database, unit_of_work
from rarex.io.storage.repositories import user_by_email
from rarex.reports.screening import screening_document
from rarex.services.accounts import Actor, actor_of
from rarex.services.errors import ServiceError
from rarex.services.lists import LIST_KINDS, citation, entry_key, read_list
from rarex.services.screening import ScreeningService

AsOpt = Annotated[
    str | None,
    typer.Option("--as", help="Act as this user: use and store the organisation's lists and runs."),
]
PROGRESS_FROM = 200  # parties; smaller batches finish before a bar is worth drawing


def _matcher(name: str, threshold: float) -> Matcher:
    try:
        return matcher_for(name, ChineseScript(), threshold)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def fail(c: Context, message: str, code: int = 2) -> typer.Exit:
    c.err.print(inert(f"Error: {message}", "bold red"))
    return typer.Exit(code)


def input_errors(c: Context, exc: InputInvalid) -> typer.Exit:
    for error in exc.errors:
        c.err.print(inert(error), soft_wrap=True)
    return fail(c, f"{len(exc.errors)} input error(s); nothing was screened or stored")


@contextmanager
def service(
    c: Context,
    email: str,
    rulebook: RuleBook,
    threshold: float = DEFAULT_THRESHOLD,
    matcher: str = MATCHER,
) -> Iterator[ScreeningService]:
    url = c.workspace_url()
    try:
        with database(url, c.audit_key()) as factory, unit_of_work(factory) as session:
            yield ScreeningService(
                session,
                _actor(c, session, email),
                rulebook,
                _matcher(matcher, threshold),
                c.clock.now,
            )
    except AuditKeyRequired as exc:
        raise fail(c, str(exc)) from None


def _actor(c: Context, session: Session, email: str) -> Actor:
    user = user_by_email(session, email.strip().lower())
    if user is None:
        raise fail(c, f"no user {email}")
    return actor_of(user)


@contextmanager
def progress_bar(c: Context, total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    if total < PROGRESS_FROM:
        yield None
        return
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=c.err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _file_parties(
    c: Context, rulebook: RuleBook, specs: list[str]
) -> tuple[list[ListedParty], dict[str, str]]:
    """Lists given as ``KIND=PATH`` (or ``ftm:LIST_ID=PATH``), screened without storing."""
    parties = rulebook_parties(rulebook)
    versions = {RULEBOOK_SOURCE: rulebook.sha256[:16]}
    for spec in specs:
        kind, sep, path_text = spec.partition("=")
        kind, _, list_id = kind.partition(":")
        if not sep or kind not in LIST_KINDS:
            raise typer.BadParameter(f"--list wants KIND=PATH with KIND in {LIST_KINDS}: {spec!r}")
        path = Path(path_text)
        entries = read_list(kind, path, list_id or None, c.settings.import_limits())
        versions[f"{kind}:{path.name}"] = f"file:{len(entries)} entries"
        parties.extend(
            ListedParty(
                key=entry_key(kind, kind, e),
                source=kind,
                list_id=e.list_id,
                name=e.name,
                aliases=e.aliases,
                country=e.country,
                identifiers=e.identifiers,
                start=e.start,
                end=e.end,
                limb=governing_limb(rulebook, e.list_id, e.start, e.source),
                citation=citation(kind, path, e),
            )
            for e in entries
        )
    return parties, versions


def screen_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="A party's name, or a CSV file of parties.")],
    country: Annotated[
        str | None, typer.Option(help="The party's country (ISO alpha-2), a supporting signal.")
    ] = None,
    as_of: AsOfOpt = None,
    lists: Annotated[
        list[str] | None,
        typer.Option(
            "--list",
            help="Also screen against a list file, KIND=PATH (cn_sanctions, custom, "
            "ftm:LIST_ID); without --as only.",
        ),
    ] = None,
    ownership: Annotated[
        Path | None, typer.Option(help="Ownership links CSV (owner, owned, percent); without --as.")
    ] = None,
    email: AsOpt = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Match threshold.")
    ] = DEFAULT_THRESHOLD,
    matcher: Annotated[str, typer.Option(help=f"Matcher: {', '.join(MATCHERS)}.")] = MATCHER,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Screen a party, or a CSV of parties, against China's entity lists as of a date."""
    c = Context.of(ctx, None)
    rulebook = c.rulebook()
    day = c.day(as_of)
    path = Path(target)
    batch = target.lower().endswith(".csv")
    try:
        if batch:
            if not path.is_file():
                raise fail(c, f"{target}: no such file")
            queries = read_parties_csv(path, c.settings.import_limits())
        else:
            queries = [PartyQuery(target.strip(), country.upper() if country else None)]
        if email is not None:
            if lists or ownership:
                raise typer.BadParameter("--list and --ownership are for unstored screening")
            with (
                service(c, email, rulebook, threshold) as svc,
                progress_bar(c, len(queries), "Screening") as tick,
            ):
                outcome = svc.screen(queries, day, progress=tick)
                run = outcome.run
                meta = {"run_id": run.id, "list_versions": run.list_versions}
                results: list[tuple[int | None, Screening]] = [
                    (p.id, s) for p, s in outcome.results
                ]
        else:
            parties, versions = _file_parties(c, rulebook, lists or [])
            links: list[Link] = (
                read_ownership_csv(ownership, c.settings.import_limits()) if ownership else []
            )
            screener = Screener.build(_matcher(matcher, threshold), parties)
            with progress_bar(c, len(queries), "Screening") as tick:
                found = screener.screen_many(queries, rulebook.at(day), None, links, tick)
            meta = {"run_id": None, "list_versions": versions}
            results = [(None, s) for s in found]
    except InputInvalid as exc:
        raise input_errors(c, exc) from None
    except ServiceError as exc:
        raise fail(c, exc.message) from None
    document: dict[str, Any] = {
        "as_of": day.isoformat(),
        "matcher": matcher,
        "threshold": threshold,
        "rulebook_sha256": rulebook.sha256,
        **meta,
    }
    if not batch:
        document.update(screening_document(results[0][1]))
    else:
        document["parties"] = [{"party_id": pid, **screening_document(s)} for pid, s in results]
        document["summary"] = {
            "parties": len(results),
            "with_open_hits": sum(1 for _, s in results if s.open_hits),
            "with_ownership_flags": sum(1 for _, s in results if s.ownership),
        }
    if fmt is OutputFormat.JSON:
        emit_json(document)
        return
    _print(c, [s for _, s in results], day, detail=not batch)


def _print(c: Context, screenings: list[Screening], day: date, detail: bool) -> None:
    table = Table("Party", "List", "Listing", "Score", "Listed as", "Review", title=f"As of {day}")
    for s in screenings:
        name = s.query.name  # show_table prints it as written
        if not s.hits and not s.ownership:
            table.add_row(name, "—", "no hit", "", "", "")
        for hit in s.hits:
            if hit.decision is not None:
                review = f"{hit.decision.verdict.value.replace('_', ' ')} ({hit.decision.reason})"
            elif hit.stale_decision is not None:
                review = "to review: the entry changed since the decision"
            else:
                review = "to review"
            table.add_row(
                name,
                hit.party.limb or hit.party.list_id,
                hit.status.value,
                f"{hit.match.score:.3f}",
                hit.party.name,
                review,
            )
        for flag in s.ownership:
            table.add_row(
                name,
                "ownership",
                f"≥50 % owned ({s.owner_status[flag.listed_owner].value})",
                f"{flag.share:.0%}",
                flag.listed_owner,
                "; ".join(str(chain) for chain in flag.chains),
            )
    show_table(c.console, table)
    if not detail:
        return
    for s in screenings:
        for hit in s.hits:
            c.console.print(inert(f"{hit.party.name} ({hit.party.citation}): {hit.status_reason}"))
            for f in hit.match.explanation():
                c.console.print(
                    inert(f"  {f['feature']}: {f['query']} → {f['candidate']}: {f['how']}")
                )
        for hit in s.inactive:
            c.console.print(inert(f"Not counted: {hit.party.name}: {hit.status_reason}"))
        if s.ownership:
            c.console.print(inert(s.ownership_basis))
