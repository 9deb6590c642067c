"""The strict rule loader: one broken fixture per failure mode, and merging a user directory."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from rarex.core.vocab import Status
from rarex.io.rule_loader import RuleError, RuleLoadError, bundled_rules_dir, load_rules

BROKEN = Path(__file__).parent.parent / "fixtures" / "broken"


def errors_of(case: str) -> list[RuleError]:
    return load_rules_errors(BROKEN / case)


@pytest.mark.parametrize(
    ("case", "file", "line", "field", "reason"),
    [
        (
            "duplicate_key",
            "CN-TEST-1.yaml",
            10,
            "title",
            "duplicate key 'title' (first defined on line 4)",
        ),
        (
            "unknown_field",
            "CN-TEST-1.yaml",
            14,
            "limbs[0].suspended_until",
            "Extra inputs are not permitted",
        ),
        ("bad_date", "CN-TEST-1.yaml", 14, "limbs[0].commences.value", "valid date"),
        (
            "unknown_reference",
            "CN-TEST-1.yaml",
            20,
            "effects[0].targets[1]",
            "unknown instrument id 'CN-2099-999'",
        ),
        ("unknown_source", "CN-TEST-1.yaml", 15, "limbs[0].sources[1]", "unknown source id 'Z99'"),
        ("misnamed_file", "CN-TEST-2.yaml", 1, "id", "must be named CN-TEST-1.yaml"),
        ("yaml_syntax", "CN-TEST-1.yaml", 5, "", "YAML syntax"),
        (
            "bad_enum",
            "CN-TEST-1.yaml",
            8,
            "verification",
            "'official', 'secondary' or 'unverified'",
        ),
        ("unknown_local_limb", "CN-TEST-1.yaml", 18, "policies[0].limb", "unknown limb id 'cl2'"),
    ],
)
def test_each_failure_names_file_line_field_and_reason(
    case: str, file: str, line: int, field: str, reason: str
) -> None:
    [error] = errors_of(case)
    assert error.file == str(BROKEN / case / "instruments" / file)
    assert (error.line, error.field) == (line, field)
    assert reason in error.reason
    assert str(error).startswith(f"{error.file}:{line}:")


def test_missing_required_field_is_named(tmp_path: Path) -> None:
    (tmp_path / "instruments").mkdir()
    text = (BROKEN / "unknown_field" / "instruments" / "CN-TEST-1.yaml").read_text(encoding="utf-8")
    text = text.replace("    suspended_until: 2026-11-10\n", "").replace("issuers: [MOFCOM]\n", "")
    (tmp_path / "instruments" / "CN-TEST-1.yaml").write_text(text, encoding="utf-8")
    [error] = load_rules_errors(tmp_path)
    assert (error.field, error.reason) == ("issuers", "Field required")
    assert error.line == 1


def load_rules_errors(directory: Path) -> list[RuleError]:
    with pytest.raises(RuleLoadError) as info:
        load_rules(directory)
    return info.value.errors


def test_missing_rules_directory(tmp_path: Path) -> None:
    with pytest.raises(RuleLoadError) as info:
        load_rules(tmp_path / "nowhere")
    assert "rules directory not found" in str(info.value)


def test_user_directory_adds_a_measure_without_touching_code(tmp_path: Path) -> None:
    """A later record that extends the CN-2025-61 suspension settles the 'uncertain' status."""
    day = date(2026, 11, 22)
    assert load_rules().rulebook.at(day).status("CN-2025-61") is Status.UNCERTAIN
    (tmp_path / "instruments").mkdir()
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - id: X01\n    title: Our counsel's memo on the extension\n"
        "    url: https://example.org/memo\n",
        encoding="utf-8",
    )
    (tmp_path / "instruments" / "CN-EXTENSION-MEMO.yaml").write_text(
        """id: CN-EXTENSION-MEMO
kind: suspension
jurisdiction: CN
title: {en: Extension of the suspension of Ann. 61/2025 (hypothetical record)}
issuers: [MOFCOM]
announced: {value: 2026-11-09, verification: unverified, sources: [X01]}
verification: unverified
sources: [X01]
limbs:
  - id: act
    title: Extension
    commences: {value: 2026-11-11, verification: unverified, sources: [X01]}
    verification: unverified
    sources: [X01]
effects:
  - action: suspend
    targets: [CN-2025-61]
    starts: {value: 2026-11-11, verification: unverified, sources: [X01]}
    ends: {value: 2027-11-10, inclusive: true, inclusive_verification: unverified,
           after: unknown, verification: unverified, sources: [X01]}
    verification: unverified
    sources: [X01]
""",
        encoding="utf-8",
    )
    loaded = load_rules(tmp_path)
    snapshot = loaded.rulebook.at(day)
    state = snapshot.measure("CN-2025-61")
    assert state.status is Status.SUSPENDED
    assert "CN-EXTENSION-MEMO" in state.limbs[0].reason
    assert loaded.files["CN-EXTENSION-MEMO"].endswith("CN-EXTENSION-MEMO.yaml")
    assert loaded.rulebook.sha256 != load_rules().rulebook.sha256


def test_user_directory_overrides_a_bundled_instrument(tmp_path: Path) -> None:
    (tmp_path / "instruments").mkdir()
    original = bundled_rules_dir() / "instruments" / "CN-2025-72.yaml"
    text = original.read_text(encoding="utf-8").replace("value: 2026-11-27", "value: 2027-11-27")
    (tmp_path / "instruments" / "CN-2025-72.yaml").write_text(text, encoding="utf-8")
    loaded = load_rules(tmp_path)
    assert loaded.overridden == ["CN-2025-72"]
    assert loaded.rulebook.at(date(2027, 1, 1)).status("CN-2024-46/cl2") is Status.SUSPENDED
    assert load_rules().rulebook.at(date(2027, 1, 1)).status("CN-2024-46/cl2") is Status.UNCERTAIN


def test_nothing_is_half_loaded(tmp_path: Path) -> None:
    """One bad file among good ones: the whole load fails, and no rulebook comes back."""
    shutil.copytree(BROKEN / "bad_date", tmp_path, dirs_exist_ok=True)
    good = bundled_rules_dir() / "instruments" / "CN-2025-72.yaml"
    shutil.copy(good, tmp_path / "instruments" / "CN-2025-72.yaml")
    with pytest.raises(RuleLoadError) as info:
        load_rules(tmp_path)
    assert {Path(e.file).name for e in info.value.errors} == {"CN-TEST-1.yaml"}


def test_user_yaml_files_that_would_not_be_read_are_named(tmp_path: Path) -> None:
    """An instrument directly in the directory, a .yml file, a file one level too deep or in
    another subdirectory, and sources.yml: each is named with the expected layout, and nothing
    is loaded although one instrument is in the right place."""
    good = bundled_rules_dir() / "instruments" / "CN-2025-72.yaml"
    (tmp_path / "instruments" / "old").mkdir(parents=True)
    (tmp_path / "rules").mkdir()
    shutil.copy(good, tmp_path / "instruments" / "CN-2025-72.yaml")
    misplaced = [
        tmp_path / "CN-2025-72.yaml",
        tmp_path / "instruments" / "CN-2025-70.yml",
        tmp_path / "instruments" / "old" / "CN-2025-61.yaml",
        tmp_path / "rules" / "CN-2025-58.yaml",
        tmp_path / "sources.yml",
    ]
    for path in misplaced:
        shutil.copy(good, path)
    (tmp_path / "README.md").write_text("Our rules.\n", encoding="utf-8")
    errors = load_rules_errors(tmp_path)
    assert sorted(e.file for e in errors) == sorted(str(p) for p in misplaced)
    for error in errors:
        assert (error.line, error.field) == (1, "")
        assert error.reason == (
            f"not read: instrument files go in {tmp_path}/instruments/, market figures in "
            f"{tmp_path}/market/, scenarios in {tmp_path}/scenarios/; "
            f"sources in {tmp_path}/sources.yaml"
        )


def test_a_user_directory_without_rule_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "instruments").mkdir()
    (tmp_path / "notes.txt").write_text("nothing here yet\n", encoding="utf-8")
    [error] = load_rules_errors(tmp_path)
    assert error.file == str(tmp_path)
    assert error.reason.startswith(
        f"holds no rule files; expected layout: instrument files go in {tmp_path}/instruments/"
    )


def test_hidden_files_and_directories_are_not_rule_files(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "check.yml").write_text("on: push\n", encoding="utf-8")
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "ours.yaml").write_text("scenarios: []\n", encoding="utf-8")
    assert load_rules(tmp_path).overridden == []
