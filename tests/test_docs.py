"""Docs that cannot drift: every rule-schema field, vocabulary value and setting is documented."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rarex.cli.app import app
from rarex.core import vocab
from rarex.core.schema import Cited, schema_models
from rarex.settings import Settings

ROOT = Path(__file__).parent.parent
RULE_FORMAT = (ROOT / "docs" / "rule-format.md").read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^#{{2,3}} |\Z)", text, re.M | re.S)
    assert match, f"docs/rule-format.md has no section '### {heading}'"
    return match.group(1)


@pytest.mark.parametrize("model", schema_models(), ids=lambda m: m.__name__)
def test_every_schema_field_is_documented(model: type) -> None:
    body = section(RULE_FORMAT, model.__name__)
    inherited = set(Cited.model_fields) if issubclass(model, Cited) else set()
    if inherited:
        assert "citation fields" in body, f"{model.__name__}: say it has the citation fields"
    missing = [
        name
        for name in model.model_fields  # type: ignore[attr-defined]
        if name not in inherited and f"`{name}`" not in body
    ]
    assert not missing, f"{model.__name__}: undocumented fields {missing}"


def test_citation_fields_are_documented() -> None:
    body = section(RULE_FORMAT, "Cited")
    assert all(f"`{name}`" in body for name in Cited.model_fields)


VOCABULARIES = [
    obj
    for obj in vars(vocab).values()
    if isinstance(obj, type) and issubclass(obj, StrEnum) and obj.__module__ == vocab.__name__
]


@pytest.mark.parametrize("enum", VOCABULARIES, ids=lambda e: e.__name__)
def test_every_vocabulary_value_is_documented(enum: type[StrEnum]) -> None:
    body = section(RULE_FORMAT, enum.__name__)
    missing = [member.value for member in enum if f"`{member.value}`" not in body]
    assert not missing, f"{enum.__name__}: undocumented values {missing}"


def test_json_schema_file_is_current() -> None:
    result = CliRunner().invoke(app, ["rules", "schema"])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "docs" / "rule-schema.json").read_text(encoding="utf-8")
    assert json.loads(result.output) == json.loads(committed), "run `make schema`"


def test_every_setting_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"RAREX_{name.upper()}" in readme, f"README does not document RAREX_{name.upper()}"


def test_cli_reference_is_current() -> None:
    from rarex.cli.reference import cli_reference

    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert cli_reference() == committed, "run `make docs`"


INPUT_FORMAT = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")


def test_every_input_column_and_attribute_key_is_documented() -> None:
    from rarex.core.parts import ATTRIBUTE_KEYS, BOM_COLUMNS, PART_COLUMNS
    from rarex.core.vocab import Form, GraphiteType

    expected = (
        set(PART_COLUMNS)
        | set(BOM_COLUMNS)
        | (set(ATTRIBUTE_KEYS) - {"mass_fraction_pct"})
        | {f.value for f in Form}
        | {g.value for g in GraphiteType}
    )
    missing = sorted(k for k in expected if f"`{k}`" not in INPUT_FORMAT)
    assert not missing, f"docs/input-format.md does not document {missing}"


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from rarex.cli.assess_cmd import demo_dataset_paths

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```python\n(.*?)```", readme, re.S)
    assert match, "README has no Python example"
    for path in demo_dataset_paths():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(match.group(1), "README.md", "exec"), namespace)
    assert str(namespace["snapshot"].status("CN-2025-61")) == "uncertain"  # type: ignore[attr-defined]
