"""`rarex match` for one pair and for a file of pairs."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rarex.cli.app import app

runner = CliRunner()


def test_one_pair_as_json() -> None:
    result = runner.invoke(
        app, ["match", "Lockheed Martin Corp.", "LOCKHEED MARTIN CORPORATION", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {"score", "is_match", "explanation"} <= set(doc)
    assert doc["is_match"] is True
    assert doc["score"] == 1.0


def test_pairs_file_keeps_input_order(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text(
        "name_a,name_b\nRaytheon,Lockheed Martin\n中國航天科技集團,中国航天科技集团\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["match", "--pairs", str(pairs), "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["name_a"], r["is_match"]) for r in lines] == [
        ("Raytheon", False),
        ("中國航天科技集團", True),
    ]


def test_pairs_file_needs_its_columns(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("left,right\na,b\n", encoding="utf-8")
    result = runner.invoke(app, ["match", "--pairs", str(pairs)])
    assert result.exit_code == 2
    assert "missing column(s) name_a, name_b" in result.output


def test_matcher_version_is_chosen_and_reported() -> None:
    names = ["match", "NUDT", "National University of Defense Technology", "--format", "json"]
    v1 = json.loads(runner.invoke(app, names).output)
    v2 = json.loads(runner.invoke(app, [*names, "--matcher", "name_v2"]).output)
    assert (v1["matcher"], v1["is_match"]) == ("name_v1", False)
    assert (v2["matcher"], v2["is_match"]) == ("name_v2", True)
    assert any(e["feature"] == "acronym" for e in v2["explanation"])
    unknown = runner.invoke(app, [*names, "--matcher", "name_v3"])
    assert unknown.exit_code == 2
