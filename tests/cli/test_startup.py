"""The CLI starts fast: ``rarex --help`` imports no command, and a command imports only what
it uses (the start-up figures are in benchmarks/README.md)."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from rarex import cli
from rarex.cli.app import COMMANDS, load_command

HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "pypinyin", "opencc", "numpy", "scipy")


def imported_by(*args: str) -> list[str]:
    """The heavy modules and the rarex command modules that running ``rarex ARGS`` imports."""
    code = (
        "import json, sys\n"
        "from rarex.cli.app import app\n"
        "try:\n"
        f"    app({list(args)!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "found = [m for m in sys.modules if m.split('.')[0] in heavy or m.endswith('_cmd')]\n"
        "print(json.dumps(sorted(found)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def test_help_imports_no_command_and_no_heavy_library() -> None:
    assert imported_by("--help") == []


def test_rules_status_imports_neither_the_database_nor_the_server_nor_the_matchers() -> None:
    found = imported_by("rules", "status", "CN-2025-61", "--as-of", "2026-11-22")
    assert found == ["rarex.cli.rules_cmd"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_command_list_says_what_each_command_says_of_itself(name: str) -> None:
    command = load_command(name)
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert COMMANDS[name].help == own


def test_every_command_of_the_command_modules_is_listed() -> None:
    """A command written in a ``*_cmd`` module but missing from ``COMMANDS`` would never run."""
    listed = {(entry.module, entry.attribute) for entry in COMMANDS.values()}
    written = set()
    for path in sorted(Path(cli.__file__).parent.glob("*_cmd.py")):
        module = importlib.import_module(f"rarex.cli.{path.stem}")
        for attribute, value in vars(module).items():
            is_app = isinstance(value, typer.Typer)
            if is_app or (attribute.endswith("_command") and inspect.isfunction(value)):
                written.add((module.__name__, attribute))
    assert written - listed == set()
    assert listed - written == set()
