"""``rarex db``, ``rarex users``, ``rarex apps`` and ``rarex audit``: the shared workspace."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from rarex.cli.common import AsOfOpt, Context, FormatOpt, OutputFormat, emit_json
from rarex.cli.safe import inert
from rarex.cli.tables import show_heading, show_table
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
        with database(c.workspace_url()) as factory, unit_of_work(factory) as session:
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


@audit_app.command("verify")
def audit_verify(ctx: typer.Context, fmt: FormatOpt = OutputFormat.TABLE) -> None:
    """Check every organisation's audit chain; exit 1 if an event was edited or deleted."""
    c = Context.of(ctx, None)
    with database(c.workspace_url()) as factory, unit_of_work(factory) as session:
        results = audit.verify_all(session)
    broken = {org: problems for org, problems in results.items() if problems}
    if fmt is OutputFormat.JSON:
        emit_json({org: [str(p) for p in problems] for org, problems in results.items()})
    else:
        for org, problems in results.items():
            if problems:
                for problem in problems:
                    c.console.print(inert(f"{org}: {problem}", "bold red"))
            else:
                c.console.print(inert(f"{org}: the audit chain is intact"))
    if broken:
        raise typer.Exit(1)


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs). Needs RAREX_SECRET_KEY and an upgraded database."""
    import uvicorn

    from rarex.api.app import ConfigurationError, create_app

    c = Context.of(ctx, None)
    c.workspace_url()
    try:
        app = create_app(c.settings)
    except ConfigurationError as exc:
        c.err.print(inert(f"Error: {exc}", "bold red"))
        raise typer.Exit(2) from None
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips=c.settings.trusted_proxies,
    )


def serve_demo(c: Context, host: str, port: int, database_file: str) -> None:
    """Seed a fresh demo workspace and serve it until interrupted."""
    from pathlib import Path

    import uvicorn

    from rarex.api.app import create_app
    from rarex.cli.assess_cmd import demo_dataset_paths
    from rarex.demo.seed import DEMO_PASSWORD, USERS, seed

    path = Path(database_file)
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    upgrade(url)
    settings = c.settings.model_copy(update={"database_url": url})
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
    uvicorn.run(app, host=host, port=port, log_level="warning")
