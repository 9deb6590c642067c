"""The ``rarex`` command line (Typer with Rich output).

A command's module is imported only when that command runs or shows its own help: ``rarex
--help`` lists the commands from ``COMMANDS`` and imports none of them, and ``rarex rules
status`` imports the rules commands, not the database, the server or the name matchers.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import typer
import typer.main
from typer.core import TyperCommand, TyperGroup

from rarex import __version__


@dataclass(frozen=True)
class Lazy:
    """Where a command lives, and its one-line help for the command list."""

    module: str
    attribute: str
    help: str


_CLI = "rarex.cli."
# In the order ``rarex --help`` lists them. A test checks each help against the command's own.
COMMANDS: dict[str, Lazy] = {
    "assess": Lazy(
        _CLI + "assess_cmd",
        "assess_command",
        "Which products need a Chinese export licence on a date, from where to whom, and why.",
    ),
    "demo": Lazy(
        _CLI + "assess_cmd",
        "demo_command",
        "Assess the bundled demo company: print the answers and write HTML reports.",
    ),
    "serve": Lazy(
        _CLI + "server_cmd",
        "serve_command",
        "Serve the HTTP API (OpenAPI at /docs). Needs RAREX_SECRET_KEY, RAREX_AUDIT_KEY and an "
        "upgraded database.",
    ),
    "match": Lazy(
        _CLI + "match_cmd",
        "match_command",
        "Score how likely two names denote the same party, and explain the score.",
    ),
    "screen": Lazy(
        _CLI + "screen_cmd",
        "screen_command",
        "Screen a party, or a CSV of parties, against China's entity lists as of a date.",
    ),
    "exposure": Lazy(
        _CLI + "exposure_cmd",
        "exposure_command",
        "What is at risk: China-origin controlled content, cover against licence lead times, "
        "revenue at risk (statutory, refused, Monte Carlo) and supply concentration.",
    ),
    "duties": Lazy(
        _CLI + "duties_cmd",
        "duties_command",
        "Additional US duties on China-origin parts imported on a date, each with its legal "
        "basis and status (an estimate, not a customs ruling).",
    ),
    "rules": Lazy(
        _CLI + "rules_cmd",
        "app",
        "The dated rulebook of China's critical-mineral export controls.",
    ),
    "db": Lazy(_CLI + "server_cmd", "db_app", "The database."),
    "users": Lazy(_CLI + "server_cmd", "users_app", "Users and their roles."),
    "apps": Lazy(_CLI + "server_cmd", "apps_app", "Licence applications."),
    "audit": Lazy(_CLI + "server_cmd", "audit_app", "The audit trail."),
    "lists": Lazy(
        _CLI + "lists_cmd",
        "lists_app",
        "Party lists for screening: import them and see their freshness.",
    ),
    "screening": Lazy(
        _CLI + "lists_cmd",
        "screening_app",
        "Stored screenings: decisions, re-screening, ownership links.",
    ),
}


def load_command(name: str) -> Any:
    """Import the command ``name`` and build its click command."""
    entry = COMMANDS[name]
    target = getattr(importlib.import_module(entry.module), entry.attribute)
    if isinstance(target, typer.Typer):
        command: Any = typer.main.get_group(target)  # a group even with one command (db)
    else:
        single = typer.Typer()
        single.command(name)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """The root group: lists ``COMMANDS`` without importing them, loads one when it runs."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if self.listing:
            return TyperCommand(name=cmd_name, help=COMMANDS[cmd_name].help)
        return load_command(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="rarex",
    cls=LazyGroup,
    help="China's export controls on rare earths and critical minerals: dated, cited answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    from rarex.settings import Settings

    ctx.obj = Settings()


def main() -> None:
    app()
