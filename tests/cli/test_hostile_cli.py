"""Hostile text in every field a user controls prints as written in every command (issue 11
§1): no ANSI escape, hyperlink, bell, or carriage return from the data reaches the terminal
(each shows as a visible symbol), and Rich markup in the data prints literally.

The data are the hostile values of ``tests/hostile.py``: a data set's part ids, descriptions
and plants, its file names, names given as arguments and in files, a party list's entries,
source and file name, and a workspace with hostile applications and screening decisions
(``tests/web/hostile_workspace.py``). Each command runs through a pipe (the whole output,
where every value must show whole) and on an 80-column terminal (where Rich wraps and styles,
and only Rich's own style codes may remain)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.io.readers import shown
from rarex.reports.escape import visible
from tests.api.conftest import AUDIT_KEY
from tests.clock import TODAY
from tests.hostile import (
    CHUNKS,
    FULL,
    PAYLOADS,
    DataSet,
    Make,
    assert_inert_html,
    assert_inert_markdown,
    assert_inert_terminal,
    benign,
    hostile,
    value,
    write_dataset,
)
from tests.web.hostile_workspace import World, as_sent, hostile_workspace

runner = CliRunner()
DAY = TODAY.isoformat()
STYLE = re.compile(r"\x1b\[[0-9;]*m")  # Rich's own colours and emphasis on a terminal
FILE = re.sub(r"[/\x00]", "_", " ".join(PAYLOADS[1:]))  # a file name holds no "/" and no NUL


@dataclass(frozen=True)
class Files:
    data: DataSet
    listing: Path
    parties: Path
    pairs: Path
    names: list[str]  # on the list, in the parties file, in the pairs file


def _files(folder: Path) -> Files:
    """The hostile data set, a custom party list (under a hostile file name), a parties file
    with the listed names, and a file of name pairs."""
    data = write_dataset(folder, hostile)
    names = [value(hostile, f"Listed {index}") for index in range(len(CHUNKS))]
    listing = folder / f"list {FILE}.csv"
    parties = folder / "parties.csv"
    pairs = folder / "pairs.csv"
    _csv(
        listing,
        ["name", "aliases", "country", "identifiers", "list", "start", "end"],
        [
            [n, value(hostile, "Alias", c), "", "", "CN-WATCH-LIST", "2025-01-01", ""]
            for n, c in zip(names, CHUNKS, strict=True)
        ],
    )
    _csv(parties, ["name", "country", "aliases", "identifiers"], [[n, "", "", ""] for n in names])
    _csv(
        pairs,
        ["name_a", "name_b"],
        [[n, value(hostile, "Other", c)] for n, c in zip(names, CHUNKS, strict=True)],
    )
    return Files(data, listing, parties, pairs, names)


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return _files(tmp_path_factory.mktemp("hostile-files"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, World]]:
    """A demo workspace with hostile applications, a hostile list and screening decisions."""
    folder = tmp_path_factory.mktemp("hostile-workspace")
    url = f"sqlite:///{folder / 'rarex.db'}"
    with hostile_workspace(url, folder / "data", hostile) as world:
        pass
    yield url, world


def run(args: list[str], url: str = "", terminal: bool = False, code: int = 0) -> str:
    env = {
        "RAREX_TODAY": DAY,
        "COLUMNS": "80" if terminal else "5000",
        "TTY_COMPATIBLE": "1" if terminal else "0",
    }
    if url:
        env["RAREX_DATABASE_URL"] = url
        env["RAREX_AUDIT_KEY"] = AUDIT_KEY.get_secret_value()  # the workspace's chain is keyed
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == code, result.output
    return result.output


def _assess(data: DataSet, make: Make, *extra: str) -> list[str]:
    return [
        "assess", "--parts", str(data.parts), "--bom", str(data.bom), "--as-of", DAY,
        "--export-from", "DE", "--destination", "US", "--end-user", value(make, "End user"),
        *extra,
    ]  # fmt: skip


def _commands(files: Files) -> dict[str, tuple[list[str], list[str]]]:
    """Each command on the hostile files, and the values its output must show as written."""
    data = files.data
    products = [data.ids[p] for p in ("EVM-200", "TGT-GD-300", "PACK-48V", "RADAR-X")]
    exposure = [
        "exposure", "--parts", str(data.parts), "--bom", str(data.bom), "--sales",
        str(data.sales), "--inventory", str(data.inventory), "--as-of", DAY, "--export-from",
        "DE", "--destination", "US", "--draws", "100", "--seed", "1",
        "--resume-on", "2027-01-04",
    ]  # fmt: skip
    listing = f"custom={files.listing}"
    return {
        "assess": (
            _assess(files.data, hostile),
            [value(hostile, "End user"), *products, *(data.descriptions[p] for p in products)],
        ),
        "exposure": (
            exposure,
            [
                *(data.ids[p] for p in ("EVM-200", "DY-METAL", "CELL-21700", "PUMP-MOTOR")),
                *data.plants,
            ],
        ),
        "duties": (
            ["duties", "--parts", str(data.parts), "--bom", str(data.bom), "--as-of", DAY],
            [data.ids["DY-METAL"], data.ids["GD-METAL"]],
        ),
        "match": (["match", files.names[0], FULL], [files.names[0], FULL]),
        "match pairs": (["match", "--pairs", str(files.pairs)], files.names),
        "screen one": (
            ["screen", files.names[0], "--list", listing, "--as-of", DAY],
            [files.names[0], f"{files.listing.name}, row 2"],
        ),
        "screen file": (["screen", str(files.parties), "--list", listing], files.names),
    }


COMMANDS = ["assess", "exposure", "duties", "match", "match pairs", "screen one", "screen file"]


@pytest.mark.parametrize("name", COMMANDS)
def test_commands_print_hostile_values_as_written(name: str, files: Files) -> None:
    args, shown = _commands(files)[name]
    assert_inert_terminal(run(args), shown, name)


@pytest.mark.parametrize("name", COMMANDS)
def test_on_a_terminal_only_rich_styles_reach_it(name: str, files: Files) -> None:
    args, _ = _commands(files)[name]
    narrow = run(args, terminal=True)
    assert "␛" in narrow  # the data's escapes, visible
    assert_inert_terminal(STYLE.sub("", narrow), [], name)


def test_input_errors_print_the_hostile_value_as_written(files: Files, tmp_path: Path) -> None:
    with files.data.parts.open(encoding="utf-8", newline="") as handle:
        header, first, *_ = csv.reader(handle)
    first[header.index("unit_value")] = f"1 {CHUNKS[2]}"
    bad = tmp_path / f"parts {FILE}.csv"
    _csv(bad, header, [first])
    for terminal in (False, True):
        out = run(["assess", "--parts", str(bad), "--as-of", DAY], terminal=terminal, code=2)
        assert_inert_terminal(STYLE.sub("", out), [] if terminal else [bad.name], "input error")
    assert shown(f"1 {CHUNKS[2]}") in out.replace("\n", "")  # as written (shortened if long)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_reports_on_stdout_are_inert(fmt: str, files: Files, tmp_path: Path) -> None:
    twin = write_dataset(tmp_path / "benign", benign)
    report = run(_assess(files.data, hostile, "--format", fmt))
    twin_report = run(_assess(twin, benign, "--format", fmt))
    products = [
        r["part_id"]
        for r in json.loads(run(_assess(files.data, hostile, "--format", "json")))["results"]
    ]
    shown = [value(hostile, "End user"), *products, *(files.data.descriptions[p] for p in products)]
    assert len(shown) > 10
    assert_inert_terminal(report, [], fmt)  # it is printed: no control character of the data
    if fmt == "md":
        assert_inert_markdown(report, twin_report, shown, fmt)
    else:
        assert_inert_html(report, twin_report, [visible(s) for s in shown], fmt)


def _workspace_commands(world: World) -> dict[str, tuple[list[str], list[str]]]:
    admin = ["--as", "admin@demo.rarex"]
    return {
        "apps list": (
            ["apps", "list", "--as-of", DAY],
            [*world.references, *world.applicants[2::3]],
        ),
        "lists status": (
            ["lists", "status", *admin, "--as-of", DAY],
            [world.source, f"imported from {as_sent(world.list_file)}"],
        ),
        "screening rescreen": (["screening", "rescreen", *admin], [world.listed[0]]),
        "screen stored": (["screen", world.listed[1], *admin], [world.listed[1]]),
    }


@pytest.mark.parametrize(
    "name", ["apps list", "lists status", "screening rescreen", "screen stored"]
)
def test_workspace_commands_print_hostile_values_as_written(
    name: str, workspace: tuple[str, World]
) -> None:
    url, world = workspace
    args, shown = _workspace_commands(world)[name]
    assert_inert_terminal(run(args, url), shown, name)
    assert_inert_terminal(STYLE.sub("", run(args, url, terminal=True)), [], name)


def test_a_list_imported_under_a_hostile_source_is_named_as_written(
    files: Files, workspace: tuple[str, World]
) -> None:
    url, _ = workspace
    source = value(hostile, "Imported", CHUNKS[2])
    out = run(
        [
            "lists",
            "import",
            "custom",
            str(files.listing),
            "--as",
            "admin@demo.rarex",
            "--source",
            source,
        ],
        url,
    )
    assert_inert_terminal(out, [f"Stored {source} version 1"], "lists import")
