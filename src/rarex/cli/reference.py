"""Generate the Markdown CLI reference (docs/cli.md) from each command's ``--help``."""

from __future__ import annotations

from typing import Any

import typer
import typer.main
from typer import _click as click
from typer.testing import CliRunner

from rarex.cli.app import app

HELP_ENV = {"COLUMNS": "100", "TERM": "dumb", "NO_COLOR": "1", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}


def command_paths() -> list[list[str]]:
    """Every command path below the root, groups first, in name order."""
    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        if not hasattr(command, "list_commands"):
            return
        context = click.Context(command)
        for name in sorted(command.list_commands(context)):
            walk(command.get_command(context, name), [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def cli_reference() -> str:
    runner = CliRunner()
    lines = [
        "# CLI reference",
        "",
        "Generated from each command's `--help` by `make docs`; a test fails when it is stale.",
        "Every command that prints an answer takes `--format json`.",
        "",
    ]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], env=HELP_ENV, terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"rarex {' '.join(path)} --help failed: {result.output}")
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        lines += [f"## `{' '.join(['rarex', *path])}`", "", "```text", text, "```", ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(cli_reference(), end="")
