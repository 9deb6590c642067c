"""Every command that prints a table, at 80 columns in a terminal and through a pipe: no figure,
id, date or word is ever cut. The reference is the same command on a terminal 4,000 columns
wide; every word of it must appear whole in the 80-column output, and a pipe prints the whole
table whatever the terminal's width."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.services.exposure import demo_paths
from tests.cli.test_exposure_cli import EXPOSURE
from tests.clock import TODAY
from tests.web.conftest import demo_workspace

runner = CliRunner()
DEMO = demo_paths()
DAY = TODAY.isoformat()
DATA = ["--parts", str(DEMO["parts"]), "--bom", str(DEMO["bom"])]
SHIPMENT = ["--as-of", DAY, "--export-from", "DE", "--destination", "US"]
PARTIES = Path(str(DEMO["parts"])).parent / "parties.csv"
OWNERS = Path(str(DEMO["parts"])).parent / "owners.csv"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FRAME = re.compile(r"[\s│┃┏┓┗┛━─┡┩╇┳┻╋┣┫┠┨┯┷┼├┤┬┴└┘┌┐╭╮╰╯═║]+")

COMMANDS: dict[str, list[str]] = {
    "rules list": ["rules", "list", "--as-of", DAY],
    "rules status": ["rules", "status", "CN-2025-61", "--as-of", DAY],
    "rules show": ["rules", "show", "CN-2025-18", "--as-of", DAY],
    "rules timeline": ["rules", "timeline", "--from", "2025-01-01", "--to", "2026-12-31"],
    "demo": ["demo", "--as-of", DAY, "--output-dir", "{folder}"],
    "assess": ["assess", *DATA, *SHIPMENT, "--end-user", "Example Inc."],
    "exposure": [*EXPOSURE, "--draws", "200", "--seed", "1"],
    "duties": ["duties", *DATA, "--as-of", "2026-03-01"],
    "match": ["match", "Lockheed Martin Corp.", "LOCKHEED MARTIN CORPORATION"],
    "screen": ["screen", str(PARTIES), "--ownership", str(OWNERS), "--as-of", DAY],
    "apps list": ["apps", "list", "--as-of", DAY],
    "lists status": ["lists", "status", "--as", "analyst@demo.rarex", "--as-of", DAY],
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A SQLite demo workspace for the commands that read one (the suite's PostgreSQL run
    covers the database itself elsewhere)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'rarex.db'}"  # reports go beside
    with demo_workspace(url, TODAY):
        pass
    yield url


def render(args: list[str], url: str, terminal: bool, columns: int = 80) -> str:
    env = {"RAREX_DATABASE_URL": url, "RAREX_TODAY": DAY, "COLUMNS": str(columns)}
    env["TTY_COMPATIBLE"] = "1" if terminal else "0"
    folder = str(Path(url.removeprefix("sqlite:///")).parent / "reports")
    result = runner.invoke(app, [arg.format(folder=folder) for arg in args], env=env)
    assert result.exit_code == 0, result.output
    return ANSI.sub("", result.output)


def words(text: str) -> set[str]:
    return {w for w in FRAME.split(text) if w}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_no_table_cuts_a_figure_at_80_columns(name: str, workspace: str) -> None:
    full = render(COMMANDS[name], workspace, terminal=False, columns=4000)
    narrow = render(COMMANDS[name], workspace, terminal=True)
    missing = sorted(words(full) - words(narrow))
    assert not missing, f"cut or lost at 80 columns: {missing[:20]}"
    assert narrow.count("…") == full.count("…"), "an ellipsis stands for cut text"
    # lines with a URL are left to the terminal to wrap, so that the URL can be copied whole
    too_wide = [line for line in narrow.splitlines() if len(line) > 80 and "://" not in line]
    assert not too_wide, f"lines wider than the terminal: {too_wide[:3]}"


def test_piped_output_prints_the_whole_table(workspace: str) -> None:
    piped = render(COMMANDS["apps list"], workspace, terminal=False)
    document = json.loads(
        render([*COMMANDS["apps list"], "--format", "json"], workspace, terminal=False)
    )
    assert document["applications"]
    for application in document["applications"]:
        assert application["reference"] in piped
        if application["due"]:
            assert application["due"] in piped  # never "2026-12-…"
    assert max(len(line) for line in piped.splitlines()) > 80  # not squeezed to COLUMNS


def test_money_figures_are_whole_at_80_columns(workspace: str) -> None:
    narrow = render(COMMANDS["exposure"], workspace, terminal=True)
    document = json.loads(
        render([*COMMANDS["exposure"], "--format", "json"], workspace, terminal=False)
    )
    figures = [f"{r['revenue_at_risk']:,.0f}" for r in document["risks"] if r["revenue_at_risk"]]
    assert figures
    for figure in figures:
        assert re.search(rf"(?<![\d,.]){re.escape(figure)}(?![\d,])", narrow), figure


def test_brackets_in_table_cells_are_text_not_markup(workspace: str) -> None:
    narrow = render(COMMANDS["rules status"], workspace, terminal=True)
    assert "[official;" in narrow or "[secondary;" in narrow
