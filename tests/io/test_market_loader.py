"""Market figures in a rules directory: validated strictly, merged, and in the content hash."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rarex.io.rule_loader import RuleLoadError, bundled_rules_dir, load_rules

GOOD = """\
id: test-germanium
commodity: Germanium
elements: [Ge]
metric: production
year: 2024
countries:
  - country: CN
    share: 0.68
verification: secondary
sources: [S05]
"""


def write(directory: Path, name: str, text: str) -> Path:
    (directory / "market").mkdir(exist_ok=True)
    path = directory / "market" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_user_figure_is_added_and_changes_the_hash(tmp_path: Path) -> None:
    bundled = load_rules()
    write(tmp_path, "test-germanium", GOOD)
    merged = load_rules(tmp_path)
    assert merged.rulebook.markets["test-germanium"].countries[0].country == "CN"
    assert len(merged.rulebook.markets) == len(bundled.rulebook.markets) + 1
    assert merged.rulebook.sha256 != bundled.rulebook.sha256


@pytest.mark.parametrize(
    ("text", "name", "line", "field", "reason"),
    [
        (
            GOOD.replace("year: 2024", "year: 2024\nshare: 0.5"),
            "test-germanium",
            6,
            "share",
            "Extra inputs",
        ),
        (
            GOOD.replace("[S05]", "[S05, Z99]"),
            "test-germanium",
            10,
            "sources[1]",
            "unknown source 'Z99'",
        ),
        (GOOD, "other-name", 1, "id", "must be named test-germanium.yaml"),
        (GOOD.replace("[Ge]", "[Xx]"), "test-germanium", 3, "elements", "unknown element"),
        (GOOD.replace("share: 0.68", "value: 100"), "test-germanium", 1, "", "world_total"),
    ],
)
def test_a_bad_figure_names_file_line_field_and_reason(
    tmp_path: Path, text: str, name: str, line: int, field: str, reason: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(RuleLoadError) as info:
        load_rules(tmp_path)
    [error] = info.value.errors
    assert error.file == str(path)
    assert reason in error.reason
    assert (error.line, error.field) == (line, field)


def test_bundled_figures_cite_known_sources() -> None:
    rulebook = load_rules().rulebook
    assert (bundled_rules_dir() / "market").is_dir()
    for figure in rulebook.markets.values():
        assert set(figure.sources) <= set(rulebook.sources)


def test_a_copy_of_the_bundled_rules_has_the_same_hash(tmp_path: Path) -> None:
    shutil.copytree(bundled_rules_dir() / "market", tmp_path / "market")
    assert load_rules(tmp_path).rulebook.sha256 == load_rules().rulebook.sha256
