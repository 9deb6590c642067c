"""`rarex exposure` and `rarex duties` as a user runs them on the demo company."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.services.exposure import demo_paths

runner = CliRunner()
DEMO = demo_paths()
DATA = ["--parts", str(DEMO["parts"]), "--bom", str(DEMO["bom"])]
EXPOSURE = [
    "exposure",
    *DATA,
    "--sales",
    str(DEMO["sales"]),
    "--inventory",
    str(DEMO["inventory"]),
    "--as-of",
    "2026-11-22",
    "--export-from",
    "DE",
    "--destination",
    "US",
]


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def exposure_json(*extra: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(run(*EXPOSURE, "--format", "json", *extra))
    return document


def test_exposure_json_is_seeded_and_complete() -> None:
    first = exposure_json("--draws", "300", "--seed", "4", "--denial-probability", "0.1")
    again = exposure_json("--draws", "300", "--seed", "4", "--denial-probability", "0.1")
    assert first == again
    assert first["lead_time"]["working_days"] == 45
    assert first["lead_time"]["calendar_days"] > 45
    sims = {p["part_id"]: p for p in first["simulation"]["products"]}
    assert sims["EVM-200"]["probability_of_stockout"] > 0
    assert first["simulation"]["denial_probability"] == 0.1
    contents = {c["part_id"]: c for c in first["contents"]}
    assert contents["RADAR-X"]["mass_missing"] == ["GAN-WAFER"]
    assert first["concentration"]["W"] == []
    assert first["resumption"] is None


def test_exposure_resume_on_reports_changed_products() -> None:
    document = exposure_json("--draws", "0", "--resume-on", "2026-12-01")
    assert document["simulation"] is None
    resumption = document["resumption"]
    assert resumption["suspended_by"] == ["CN-2025-70"]
    changed = {c["part_id"]: c for c in resumption["changes"]}
    assert changed["EVM-200"]["outcome_after"] == "licence_required"
    assert resumption["revenue_newly_at_risk"] > 0


def test_exposure_table_shows_content_risk_and_concentration() -> None:
    output = run(*EXPOSURE, "--draws", "200")
    assert "Items that need a Chinese export licence" in output
    assert "DY-METAL" in output
    assert "No market figure in the rulebook for" in output
    assert "incomplete" in output


def test_bad_sales_file_exits_2_and_names_the_row(tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("product_id,annual_volume,annual_revenue,currency\nNOPE,1,1,EUR\n")
    result = runner.invoke(app, [*EXPOSURE[:5], "--sales", str(sales), "--as-of", "2026-11-22"])
    assert result.exit_code == 2
    assert f"{sales}: row 2: product_id: unknown part 'NOPE'" in result.output


def test_bad_options_are_refused() -> None:
    run(*EXPOSURE, "--denial-probability", "1.5", code=2)
    run(*EXPOSURE, "--delay", "60-45", code=2)
    run(*EXPOSURE, "--delay", "lognormal:x:1", code=2)


def test_lognormal_delay_option() -> None:
    document = exposure_json("--draws", "100", "--delay", "lognormal:60:0.3")
    assert document["simulation"]["delay"] == "lognormal, median 60 days, sigma 0.3"


def test_duties_json_before_and_after_the_ieepa_end() -> None:
    def wafer(day: str) -> dict[str, Any]:
        document = json.loads(run("duties", *DATA, "--as-of", day, "--format", "json"))
        assert document["estimate"] is True
        parts: dict[str, dict[str, Any]] = {p["part_id"]: p for p in document["parts"]}
        return parts["GAN-WAFER"]

    assert wafer("2026-02-23")["in_force_pct"] == "70"
    assert wafer("2026-02-24")["in_force_pct"] == "60"


def test_duties_table_says_it_is_an_estimate() -> None:
    output = run("duties", *DATA, "--as-of", "2026-03-01")
    assert "not a customs ruling" in output
    assert "Origin not given" in output


def test_readme_exposure_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    example = next(b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "exposure" in b)
    exec(compile(example, "README.md", "exec"), {})
    assert "EVM-200" in capsys.readouterr().out
