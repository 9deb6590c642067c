"""`rarex assess` and `rarex demo` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.cli.assess_cmd import demo_dataset_paths

runner = CliRunner()
PARTS, BOM = demo_dataset_paths()
BASE = [
    "assess",
    "--parts",
    str(PARTS),
    "--bom",
    str(BOM),
    "--as-of",
    "2026-11-22",
    "--export-from",
    "DE",
    "--destination",
    "US",
    "--end-user-type",
    "civil",
    "--end-use",
    "civil",
]


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_json_has_the_contract_shape() -> None:
    doc: dict[str, Any] = json.loads(run(*BASE, "--format", "json"))
    assert {"as_of", "rulebook", "assumptions", "results"} <= set(doc)
    assert len(doc["rulebook"]["sha256"]) == 64
    motor = next(r for r in doc["results"] if r["part_id"] == "EVM-200")
    assert {"part_id", "outcome", "worst_case_outcome", "findings"} <= set(motor)
    assert (motor["outcome"], motor["worst_case_outcome"]) == (
        "no_licence_required",
        "licence_required",
    )
    finding = next(f for f in motor["findings"] if f["limb"] == "cl1.1")
    assert {
        "measure",
        "limb",
        "status",
        "outcome",
        "content_share",
        "threshold",
        "paths",
        "explanation",
        "citations",
    } <= set(finding)
    assert finding["status"] == "uncertain"
    assert finding["threshold"] == 0.001
    assert finding["content_share"] > 0.001
    assert ["EVM-200", "ROT-200", "MAG-NDFEB-DY", "DY-METAL"] in finding["paths"]
    assert all(c["url"].startswith("http") for c in finding["citations"])


def test_assuming_the_suspended_rules_resume_changes_the_answer() -> None:
    doc = json.loads(run(*BASE, "--format", "json", "--assume", "CN-2025-61=in_force"))
    motor = next(r for r in doc["results"] if r["part_id"] == "EVM-200")
    assert motor["outcome"] == "licence_required"
    assert doc["assumptions"] == {"CN-2025-61": "in_force"}


def test_table_names_outcomes_and_drivers() -> None:
    result = runner.invoke(app, BASE, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "EVM-200" in out
    assert "CN-2025-61/cl1.1" in out


def test_html_and_markdown_reports(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    run(*BASE, "--format", "html", "--output", str(html))
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert "CN-2025-61" in text and "cl1.1" in text
    md = run(*BASE, "--format", "md", "--product", "TGT-GD-300")
    assert md.startswith("# Export-control assessment as of 2026-11-22")
    assert "## TGT-GD-300" in md


def test_the_output_file_suffix_picks_the_format_and_the_message_names_it(
    tmp_path: Path,
) -> None:
    for name, start, said in (
        ("r.json", "{", "JSON report written"),
        ("r.md", "# Export-control assessment", "Markdown report written"),
        ("r.HTML", "<!doctype html>", "HTML report written"),
    ):
        target = tmp_path / name
        assert said in run(*BASE, "-o", str(target))
        assert target.read_text(encoding="utf-8").startswith(start)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--format", "table", "-o", "out.table"], "a table is printed, not written to a file"),
        (["--format", "table", "-o", "out.html"], "a table is printed, not written to a file"),
        (["-o", "out.table"], "the suffix does not say the format"),
        (["--format", "json", "-o", "out.html"], "does not match the file's suffix"),
        (["--format", "pdf"], "'pdf' is not one of table, json, html, md"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused(
    tmp_path: Path, args: list[str], reason: str
) -> None:
    args = [str(tmp_path / a) if a.startswith("out.") else a for a in args]
    output = " ".join(run(*BASE, *args, code=2).split())
    assert reason in output
    assert not list(tmp_path.iterdir())


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    parts = tmp_path / "parts.csv"
    parts.write_text(
        PARTS.read_text(encoding="utf-8").replace(",DE,,850152,", ",Germany,,850152,"),
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    result = runner.invoke(
        app,
        [
            "assess",
            "--parts",
            str(parts),
            "--bom",
            str(BOM),
            "--format",
            "json",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "row 2: origin: not an ISO 3166-1 alpha-2 country code: 'GERMANY'" in result.output
    assert "nothing was assessed" in result.output
    assert not out.exists()


def test_unknown_product_exits_2() -> None:
    assert "unknown product id(s): NOPE" in run(*BASE, "--product", "NOPE", code=2)


def test_bad_country_option_is_refused() -> None:
    run(*BASE[:-6], "--export-from", "Germany", code=2)


def test_demo_writes_reports(tmp_path: Path) -> None:
    out = run("demo", "--as-of", "2026-11-22", "--output-dir", str(tmp_path))
    assert "RADAR-X" in out
    assert "Lockheed Martin" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "assessment-1.html",
        "assessment-2.html",
        "assessment-3.html",
    ]


def test_demo_as_json(tmp_path: Path) -> None:
    doc = json.loads(
        run("demo", "--as-of", "2026-11-22", "--output-dir", str(tmp_path), "--format", "json")
    )
    assert [len(a["results"]) for a in doc["assessments"]] == [8, 1, 6]
    radar = doc["assessments"][1]
    assert radar["listing_hits"][0]["list"] == "CN-CONTROL-LIST"
    assert radar["results"][0]["worst_case_outcome"] == "presumption_of_denial"


def test_exchange_rates_convert_values(tmp_path: Path) -> None:
    parts = tmp_path / "parts.csv"
    text = PARTS.read_text(encoding="utf-8").replace(
        "EVM-200,EV traction motor 200 kW,1850.00,EUR",
        "EVM-200,EV traction motor 200 kW,2000.00,USD",
    )
    parts.write_text(text, encoding="utf-8")
    base = [
        "assess",
        "--parts",
        str(parts),
        "--bom",
        str(BOM),
        "--as-of",
        "2026-11-22",
        "--export-from",
        "DE",
        "--product",
        "EVM-200",
        "--format",
        "json",
    ]
    assert "several currencies" in run(*base, code=2)
    fx = tmp_path / "fx.csv"
    fx.write_text("currency,rate\nEUR,1\nUSD,0.925\n", encoding="utf-8")
    doc = json.loads(run(*base, "--fx", str(fx)))
    share = doc["results"][0]["content_share"]
    assert share == pytest.approx(16 * (0.002 * 300 + 0.0005 * 1000) / (2000 * 0.925))
    assert doc["currency"] == "EUR"
    fx.write_text("currency,rate\nEUR,1\nUSD,0\n", encoding="utf-8")
    assert "rate: must be greater than 0" in run(*base, "--fx", str(fx), code=2)


def test_a_day_outside_the_range_rarex_answers_for_is_a_usage_error() -> None:
    args = [*BASE]
    args[args.index("--as-of") + 1] = "9999-12-31"
    out = run(*args, code=2)
    assert "outside the days rarex answers for" in out and "2100-12-31" in out
