"""``rarex db``, ``rarex users``, ``rarex apps`` and ``rarex audit``: the shared workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from rarex.cli.common import AsOfOpt, Context, FormatOpt, OutputFormat, emit_json
from rarex.cli.safe import inert
from rarex.cli.tables import show_heading, show_table
from rarex.core.audit import (
    AuditKey,
    AuditKeyRequired,
    Checkpoint,
    CheckpointRefused,
    read_checkpoint,
)
from rarex.core.workflow import Role
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.io.storage.tables import Organisation, User
from rarex.services import accounts, audit
from rarex.services.accounts import Actor
from rarex.services.applications import ApplicationService, refresh_due_dates
from rarex.services.errors import ServiceError

db_app = typer.Typer(help="The database.", no_args_is_help=True)
users_app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
apps_app = typer.Typer(help="Licence applications.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Create or migrate the schema to the latest version (RAREX_DATABASE_URL)."""
    c = Context.of(ctx, None)
    upgrade(c.settings.database_url)
    with database(c.settings.database_url) as factory, unit_of_work(factory) as session:
        refresh_due_dates(session, ChinaCalendar())
    if fmt is OutputFormat.JSON:
        emit_json({"status": "up to date"})
    else:
        c.console.print("The database schema is up to date.")


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="The user's e-mail (their login).")],
    organisation: Annotated[str, typer.Option(help="Organisation (created if new).")],
    role: Annotated[Role, typer.Option(help="Role.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="RAREX_NEW_PASSWORD",
            help="At least 10 characters.",
        ),
    ] = "",
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Add a user to an organisation."""
    c = Context.of(ctx, None)
    try:
        url = c.workspace_url()
        with database(url, c.audit_key()) as factory, unit_of_work(factory) as session:
            user = accounts.add_user(
                session,
                organisation=organisation,
                email=email,
                name=name or email,
                role=role,
                password=password,
                now=c.clock.now(),
            )
            result = {
                "id": user.id,
                "email": user.email,
                "role": user.role,
                "organisation": organisation,
            }
    except ServiceError as exc:
        c.err.print(inert(f"Error ({exc.code}): {exc.message}", "bold red"))
        raise typer.Exit(2) from None
    except AuditKeyRequired as exc:
        _error(c, str(exc))
        raise typer.Exit(2) from None
    if fmt is OutputFormat.JSON:
        emit_json(result)
    else:
        c.console.print(inert(f"Added {result['email']} ({result['role']}) to {organisation}."))


@apps_app.command("list")
def apps_list(
    ctx: typer.Context,
    email: Annotated[
        str | None,
        typer.Option("--as", help="Only this user's organisation (default: every organisation)."),
    ] = None,
    due_within: Annotated[
        int | None, typer.Option(help="Only overdue and due within N working days.")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Applications with their state and MOFCOM's statutory due date."""
    c = Context.of(ctx, None)
    today = c.day(as_of)
    rows: list[dict[str, Any]] = []
    with database(c.workspace_url()) as factory, unit_of_work(factory) as session:
        if email is not None:
            user = session.query(User).filter(User.email == email.strip().lower()).one_or_none()
            if user is None:
                c.err.print(inert(f"Error: no user {email}", "bold red"))
                raise typer.Exit(2)
            orgs = [session.get(Organisation, user.org_id)]
        else:
            orgs = list(session.query(Organisation).order_by(Organisation.id))
        for org in orgs:
            assert org is not None
            operator = Actor(0, org.id, "rarex apps list", Role.VIEWER)
            svc = ApplicationService(session, operator, "", ChinaCalendar(), c.clock.now)
            apps = (
                [a for a, _, _ in svc.due(today, due_within)]
                if due_within is not None
                else list(svc.apps.list())
            )
            for app in apps:
                deadline = svc.deadline(app)
                rows.append(
                    {
                        "organisation": org.name,
                        "id": app.id,
                        "reference": app.reference,
                        "state": app.state,
                        "end_user": app.end_user,
                        "due": deadline.due.isoformat() if deadline.due else None,
                        "working_days_left": deadline.days_left(today, svc.calendar),
                        "provisional": deadline.provisional,
                        "deadline": deadline.reason,
                    }
                )
    rows.sort(key=lambda r: (r["working_days_left"] is None, r["working_days_left"] or 0))
    if fmt is OutputFormat.JSON:
        emit_json({"as_of": today.isoformat(), "applications": rows})
        return
    table = Table(
        "Id",
        "Reference",
        "State",
        "End user",
        "Due",
        "Working days left",
        "Why",
        title=f"Applications as of {today}",
    )
    for row in rows:
        left = row["working_days_left"]
        style = "bold red" if left is not None and left < 0 else ""
        table.add_row(
            str(row["id"]),
            row["reference"],
            row["state"],
            row["end_user"],
            str(row["due"] or "—") + (" (provisional)" if row["provisional"] else ""),
            "—" if left is None else str(left),
            row["deadline"],
            style=style,
        )
    show_table(c.console, table)


CheckpointOpt = Annotated[
    Path | None,
    typer.Option(
        "--checkpoint",
        help="Also hold each chain to this checkpoint (rarex audit checkpoint): events removed, "
        "rewritten or reset up to its head are caught.",
        dir_okay=False,
    ),
]


@audit_app.command("verify")
def audit_verify(
    ctx: typer.Context, checkpoint: CheckpointOpt = None, fmt: FormatOpt = OutputFormat.TABLE
) -> None:
    """Check every organisation's audit chain; exit 1 if an event was edited, removed or rewritten.

    Keyed events are checked with RAREX_AUDIT_KEY. Events written without a key are named:
    they are covered by the keyed events after them, or by a checkpoint. Exit 2 if the key is
    needed and missing, or the checkpoint cannot be read or was signed with another key.
    """
    c = Context.of(ctx, None)
    url = c.workspace_url()
    needs = "the checkpoint is signed with it" if checkpoint is not None else None
    key = c.audit_key(needs)
    held = _read_checkpoint(c, checkpoint, key) if checkpoint is not None and key else None
    try:
        with database(url, key) as factory, unit_of_work(factory) as session:
            reports = audit.verify_all(session, held)
    except AuditKeyRequired as exc:
        _error(c, str(exc))
        raise typer.Exit(2) from None
    if fmt is OutputFormat.JSON:
        emit_json(
            {
                "intact": all(r.intact for r in reports),
                "checkpoint": str(checkpoint) if checkpoint else None,
                "organisations": [
                    {
                        "organisation": r.organisation,
                        "head": r.head,
                        "intact": r.intact,
                        "problems": [str(p) for p in r.problems],
                        "unkeyed": list(r.unkeyed) if r.unkeyed else None,
                        "checkpoint": r.checkpoint,
                    }
                    for r in reports
                ],
            }
        )
    else:
        for report in reports:
            _print_report(c, report)
    if not all(r.intact for r in reports):
        raise typer.Exit(1)


def _print_report(c: Context, report: audit.ChainReport) -> None:
    org = report.organisation
    for problem in report.problems:
        c.console.print(inert(f"{org}: {problem}", "bold red"))
    if report.intact:
        held = (
            f"; it holds the checkpoint's event {report.checkpoint}"
            if report.checkpoint is not None
            else ""
        )
        c.console.print(
            inert(
                f"{org}: the audit chain is intact "
                f"({report.head} event{'' if report.head == 1 else 's'}{held})"
            )
        )
    if report.unkeyed is not None:
        first, last = report.unkeyed
        if first == last:
            span, them = f"event {first} is", "it"
        else:
            span, them = f"events {first} to {last} are", "them"
        cover = (
            f"the keyed events after {them} cover {them}"
            if report.keyed_after
            else f"no keyed event follows {them} yet, so only a checkpoint shows {them} rewritten"
        )
        c.console.print(
            f"{org}: {span} not keyed (written without RAREX_AUDIT_KEY); {cover}",
            style="yellow",
            markup=False,
            highlight=False,
        )


def _read_checkpoint(c: Context, path: Path, key: AuditKey) -> Checkpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _error(c, f"cannot read the checkpoint {path}: {exc}")
        raise typer.Exit(2) from None
    try:
        return read_checkpoint(document, key)
    except CheckpointRefused as exc:
        _error(c, f"the checkpoint {path}: {exc}")
        raise typer.Exit(1 if exc.tampered else 2) from None


def _error(c: Context, message: str) -> None:
    c.err.print(
        f"Error: {message}", style="bold red", markup=False, highlight=False, soft_wrap=True
    )


@audit_app.command("checkpoint")
def audit_checkpoint(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The checkpoint file to write (JSON).", dir_okay=False),
    ],
    fmt: FormatOpt = OutputFormat.TABLE,
) -> None:
    """Write a signed checkpoint: each organisation's newest event and its hash.

    Keep it away from the database (another machine, write-once storage) and check the chains
    against it later with rarex audit verify --checkpoint FILE. Needs RAREX_AUDIT_KEY, which
    signs it. Exit 1, writing nothing, if a chain is already broken.
    """
    c = Context.of(ctx, None)
    url = c.workspace_url()
    key = c.audit_key("the checkpoint is signed with it")
    assert key is not None
    try:
        with database(url, key) as factory, unit_of_work(factory) as session:
            document = audit.checkpoint(session, key, c.clock.now())
    except audit.ChainBroken as exc:
        for report in exc.reports:
            _print_report(c, report)
        c.err.print("The audit trail is broken; no checkpoint was written.", style="bold red")
        raise typer.Exit(1) from None
    output.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    heads = document["organisations"]
    if fmt is OutputFormat.JSON:
        emit_json({"checkpoint": str(output), "organisations": heads})
        return
    c.console.print(
        f"Checkpoint written to {output}:", markup=False, highlight=False, soft_wrap=True
    )
    for head in heads:
        c.console.print(f"  {head['name']}: event {head['seq']}", markup=False, highlight=False)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Server processes (one per core is a good start; settings come from the "
            "environment).",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs). Needs RAREX_SECRET_KEY, RAREX_AUDIT_KEY and an
    upgraded database."""
    import uvicorn

    from rarex.api.app import ConfigurationError, create_app, prepare

    c = Context.of(ctx, None)
    c.workspace_url()
    try:
        app = create_app(c.settings, prepare_database=workers == 1)
    except ConfigurationError as exc:
        c.err.print(inert(f"Error: {exc}", "bold red"))
        raise typer.Exit(2) from None
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "proxy_headers": True,
        "forwarded_allow_ips": c.settings.trusted_proxies,
    }
    if workers == 1:
        uvicorn.run(app, **options)
        return
    # Each process builds its own app from the environment; the database is prepared once.
    with unit_of_work(app.state.session_factory) as session:
        prepare(session, app.state.calendar)
    app.state.engine.dispose()
    uvicorn.run("rarex.api.app:from_environment", factory=True, workers=workers, **options)


def serve_demo(c: Context, host: str, port: int, database_file: str) -> None:
    """Seed a fresh demo workspace and serve it until interrupted."""
    import secrets

    import uvicorn
    from pydantic import SecretStr

    from rarex.api.app import create_app
    from rarex.cli.assess_cmd import demo_dataset_paths
    from rarex.demo.seed import DEMO_PASSWORD, USERS, seed

    path = Path(database_file)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    audit_key = c.settings.audit_key or SecretStr(secrets.token_urlsafe(48))
    settings = c.settings.model_copy(update={"database_url": url, "audit_key": audit_key})
    app = create_app(settings, demo=True)
    parts, bom = demo_dataset_paths()
    with unit_of_work(app.state.session_factory) as session:
        seed(
            session,
            app.state.rulebook,
            app.state.calendar,
            c.day(None),
            parts,
            bom,
            c.clock.now,
            app.state.matcher,
        )
    show_heading(c.console, "Demo workspace")
    c.console.print(
        inert(
            f"Dashboard on http://{host}:{port}/ (Ctrl-C to stop); the API is under /api, its "
            f"documentation at /docs. Log in as one of these users, password {DEMO_PASSWORD!r}:"
        )
    )
    for user in USERS:
        c.console.print(f"  {user.email:28} {user.role.value}")
    if c.settings.audit_key is None:
        c.console.print(
            "The audit trail is keyed with a key made for this run; to check it with "
            "`rarex audit verify` while the demo serves, set "
            f"RAREX_AUDIT_KEY={audit_key.get_secret_value()} and RAREX_DATABASE_URL={url}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
