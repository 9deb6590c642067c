"""The `rarex rules` commands, run as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app

runner = CliRunner()
BROKEN = Path(__file__).parent.parent / "fixtures" / "broken"


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--format", "json"))


def test_status_json_has_the_replayable_shape() -> None:
    out = run_json("rules", "status", "CN-2025-61", "--as-of", "2026-11-22")
    assert {"id", "as_of", "status", "limbs", "rulebook_sha256"} <= set(out)
    assert (out["id"], out["as_of"], out["status"]) == ("CN-2025-61", "2026-11-22", "uncertain")
    assert {limb["id"] for limb in out["limbs"]} >= {"cl1.1", "cl1.2", "cl1.3"}
    assert all({"id", "status"} <= set(limb) for limb in out["limbs"])
    assert len(out["rulebook_sha256"]) == 64


def test_status_of_one_limb() -> None:
    out = run_json("rules", "status", "CN-2024-46/cl2", "--as-of", "2026-01-01")
    assert out["status"] == "suspended"
    assert [limb["id"] for limb in out["limbs"]] == ["cl2"]


def test_assume_overrides_and_is_reported() -> None:
    out = run_json(
        "rules", "status", "CN-2025-61", "--as-of", "2026-11-22", "--assume", "CN-2025-61=in_force"
    )
    assert out["status"] == "in_force"
    assert out["assumed"] is True
    assert out["assumptions"] == {"CN-2025-61": "in_force"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--assume", "CN-2025-61"], "expected ID=STATUS"),
        (["--assume", "CN-2025-61=repealed"], "unknown status"),
        (["--as-of", "2026-13-01"], "is not a date"),
    ],
)
def test_bad_options_are_refused(args: list[str], message: str) -> None:
    output = run("rules", "status", "CN-2025-61", *args, code=2)
    assert message in output


def test_unknown_measure_exits_2() -> None:
    assert "unknown measure or limb: CN-2099-1" in run("rules", "status", "CN-2099-1", code=2)


def test_list_filters_by_status() -> None:
    out = run_json("rules", "list", "--as-of", "2025-11-10", "--status", "suspended")
    ids = {m["id"] for m in out["measures"]}
    assert "CN-2025-58" in ids
    assert "CN-2025-18" not in ids
    assert all(m["status"] == "suspended" for m in out["measures"])


def test_list_table_mentions_every_measure() -> None:
    out = run("rules", "list", "--as-of", "2026-11-22")
    assert "CN-2025-61" in out
    assert "uncertain" in out


def test_show_gives_limbs_items_policies_and_resolved_citations() -> None:
    out = run_json("rules", "show", "CN-2025-61", "--as-of", "2026-11-22")
    inst = out["instrument"]
    assert inst["extraterritorial"]["value_threshold"] == {"value": "0.001", "inclusive": True}
    assert {p["outcome"] for p in inst["policies"]} >= {"presumption_of_denial", "case_by_case"}
    assert out["applied_by_others"]["cl1.1"][0]["by"] == "CN-2025-70"
    assert out["applied_by_others"]["cl1.1"][0]["last_day"] == "2026-11-10"
    citations = {c["id"]: c for c in out["citations"]}
    assert citations["B07"]["url"].startswith("https://")
    table = run("rules", "show", "CN-2025-61", "--as-of", "2026-11-22")
    assert "Sources:" in table
    assert "0.001" not in table or "cl1.1" in table


def test_timeline_json_windows() -> None:
    out = run_json("rules", "timeline", "--from", "2025-01-01", "--to", "2027-01-01")
    windows = {m["id"]: m["windows"] for m in out["measures"]}["CN-2025-61"]
    assert windows == [
        {"from": "2025-01-01", "to": "2025-10-08", "status": "not_yet_in_force"},
        {"from": "2025-10-09", "to": "2025-11-06", "status": "in_force"},
        {"from": "2025-11-07", "to": "2026-11-10", "status": "suspended"},
        {"from": "2026-11-11", "to": "2027-01-01", "status": "uncertain"},
    ]


def test_timeline_table_is_readable() -> None:
    out = run("rules", "timeline", "--from", "2025-01-01", "--to", "2026-12-31")
    assert "Legend" in out
    assert "CN-2025-61" in out


def test_check_passes_on_the_bundled_rules() -> None:
    out = run_json("rules", "check")
    assert out["ok"] is True
    assert out["instruments"] >= 30


def test_check_refuses_a_broken_directory_with_file_line_field() -> None:
    result = runner.invoke(app, ["rules", "check", "--rules-dir", str(BROKEN / "duplicate_key")])
    assert result.exit_code == 1
    assert "CN-TEST-1.yaml:10: title: duplicate key 'title'" in result.output
    assert "nothing was loaded" in result.output


def test_broken_rules_dir_from_the_environment_is_refused() -> None:
    result = runner.invoke(
        app, ["rules", "list"], env={"RAREX_RULES_DIR": str(BROKEN / "bad_date")}
    )
    assert result.exit_code == 1
    assert "limbs[0].commences.value" in result.output


def test_scenarios_command_reports_a_failure(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "wrong.yaml").write_text(
        "scenarios:\n  - name: a wrong expectation\n    as_of: 2026-01-01\n"
        "    expected:\n      CN-2024-46/cl2: in_force\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "scenarios", "--rules-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "CN-2024-46/cl2: expected in_force, got suspended" in result.output


def test_schema_is_json_schema_of_instruments() -> None:
    schema = json.loads(run("rules", "schema"))
    assert schema["title"] == "rarex rule files"
    assert "Limb" in schema["$defs"]
    assert schema["$defs"]["Limb"]["additionalProperties"] is False


def test_check_refuses_instrument_files_outside_instruments(tmp_path: Path) -> None:
    """Instrument files put directly in the rules directory are not silently ignored."""
    misplaced = tmp_path / "CN-TEST-1.yaml"
    misplaced.write_text(
        (BROKEN / "bad_date" / "instruments" / "CN-TEST-1.yaml").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["rules", "check", "--rules-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{misplaced}:1: not read: instrument files go in {tmp_path}/instruments/" in (
        result.output
    )
    assert "nothing was loaded" in result.output
    assert "OK:" not in result.output
    out = json.loads(
        runner.invoke(app, ["rules", "check", "--rules-dir", str(tmp_path), "-f", "json"]).output
    )
    assert out["ok"] is False
    assert [e["file"] for e in out["errors"]] == [str(misplaced)]
