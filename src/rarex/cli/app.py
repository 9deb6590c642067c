"""The ``rarex`` command line (Typer with Rich output)."""

from __future__ import annotations

import typer

from rarex import __version__
from rarex.cli import (
    assess_cmd,
    duties_cmd,
    exposure_cmd,
    lists_cmd,
    match_cmd,
    rules_cmd,
    screen_cmd,
    server_cmd,
)
from rarex.settings import Settings

app = typer.Typer(
    name="rarex",
    help="China's export controls on rare earths and critical minerals: dated, cited answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(rules_cmd.app, name="rules")
app.command("assess")(assess_cmd.assess_command)
app.command("demo")(assess_cmd.demo_command)
app.add_typer(server_cmd.db_app, name="db")
app.add_typer(server_cmd.users_app, name="users")
app.add_typer(server_cmd.apps_app, name="apps")
app.add_typer(server_cmd.audit_app, name="audit")
app.command("serve")(server_cmd.serve_command)
app.command("match")(match_cmd.match_command)
app.command("screen")(screen_cmd.screen_command)
app.add_typer(lists_cmd.lists_app, name="lists")
app.add_typer(lists_cmd.screening_app, name="screening")
app.command("exposure")(exposure_cmd.exposure_command)
app.command("duties")(duties_cmd.duties_command)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"rarex {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Settings are read once here, from the environment (prefix RAREX_), and passed down."""
    ctx.obj = Settings()


def main() -> None:
    app()
