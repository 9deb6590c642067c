"""Malformed input on the command line: exit 2 with the file, row, column and reason, never a
traceback; reports are written whole or not at all, and JSON output is always valid JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.cli.common import emit_json
from rarex.reports.serialise import finite
from rarex.services.exposure import demo_paths
from tests.garbage import CASES, Garbage, write, zip_bomb

runner = CliRunner()
DAY = ["--as-of", "2026-11-22", "--export-from", "DE", "--destination", "US"]
OPTIONS = {"parts": "--parts", "bom": "--bom", "workbook": "--workbook", "json_file": "--json"}


def expected_line(case: Garbage, folder: Path) -> str:
    """The error line as ``InputError`` prints it: file, row, column, reason."""
    row = f" row {case.row}:" if case.row else ""
    column = f" {case.column}:" if case.column else ""
    return f"{folder / case.file_name}{case.part}:{row}{column} {case.reason}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_assess_exits_2_naming_file_row_column_and_reason(tmp_path: Path, case: Garbage) -> None:
    files = write(case, tmp_path)
    args = [part for key, path in files.items() for part in (OPTIONS[key], str(path))]
    result = runner.invoke(app, ["assess", *args, *DAY, "--format", "json"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert expected_line(case, tmp_path) in result.output
    assert "nothing was assessed" in result.output
    assert "Traceback" not in result.output


def test_exposure_refuses_a_garbage_sales_file(tmp_path: Path) -> None:
    demo = demo_paths()
    sales = tmp_path / "sales.csv"
    sales.write_bytes(demo["sales"].read_text(encoding="utf-8").encode("utf-16"))
    result = runner.invoke(
        app,
        [
            *("exposure", "--parts", str(demo["parts"]), "--bom", str(demo["bom"])),
            *("--sales", str(sales), "--as-of", "2026-11-22", "--format", "json"),
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"{sales}: row 1: UTF-16 text; save it as UTF-8" in result.output


def test_screen_refuses_a_garbage_parties_file(tmp_path: Path) -> None:
    parties = tmp_path / "parties.csv"
    parties.write_bytes(b'name,country\n"Acme GmbH,DE\nOther Ltd,GB\n')
    result = runner.invoke(app, ["screen", str(parties), "--as-of", "2026-11-22"])
    assert result.exit_code == 2, result.output
    assert f"{parties}: row 2: name: a quote opened here is never closed" in result.output


def test_the_limits_come_from_the_settings() -> None:
    demo = demo_paths()
    args = ["assess", "--parts", str(demo["parts"]), "--bom", str(demo["bom"]), *DAY]
    assert runner.invoke(app, args).exit_code == 0
    limited = runner.invoke(app, args, env={"RAREX_IMPORT_MAX_ROWS": "20"})
    assert limited.exit_code == 2
    assert f"{demo['parts']}: row 22: more than 20 rows (the limit is RAREX_IMPORT_MAX_ROWS)" in (
        limited.output
    )


def test_a_zip_bomb_is_refused_on_the_command_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb())
    result = runner.invoke(app, ["assess", "--workbook", str(bomb), *DAY])
    assert result.exit_code == 2
    assert f"{bomb}: the workbook unpacks to" in result.output


# ---------------------------------------------------------------- output


def test_a_report_that_cannot_be_written_leaves_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = demo_paths()
    report = tmp_path / "report.json"
    report.write_text("the old report\n", encoding="utf-8")
    args = ["assess", "--parts", str(demo["parts"]), "--bom", str(demo["bom"]), *DAY]

    def full_disk(descriptor: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("rarex.io.atomic.os.fsync", full_disk)
    result = runner.invoke(app, [*args, "-o", str(report)])
    assert result.exit_code == 2, result.output
    assert f"cannot write {report}: No space left on device; nothing was written" in result.output
    assert report.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    monkeypatch.undo()
    assert runner.invoke(app, [*args, "-o", str(report)]).exit_code == 0
    assert json.loads(report.read_text(encoding="utf-8"))["as_of"] == "2026-11-22"


def test_json_output_never_holds_nan_or_infinity(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        emit_json({"share": math.nan})
    with pytest.raises(ValueError, match="not JSON compliant"):
        emit_json({"content": [1.0, math.inf]})
    assert capsys.readouterr().out == ""  # refused before anything is printed
    document = finite({"a": math.inf, "b": [1.5, -math.inf, math.nan], "c": "x", "d": 2})
    assert document == {"a": None, "b": [1.5, None, None], "c": "x", "d": 2}
    emit_json(document)
    assert json.loads(capsys.readouterr().out) == document
