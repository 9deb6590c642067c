"""Strict YAML reading gives the same values, lines and errors with libyaml as without it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from rarex.io import strict_yaml
from rarex.io.rule_loader import bundled_rules_dir
from rarex.io.strict_yaml import Loader, StrictYamlError, load_strict

BUNDLED = sorted(bundled_rules_dir().rglob("*.yaml"))
BROKEN = sorted((Path(__file__).parent.parent / "fixtures" / "broken").rglob("*.yaml"))
needs_libyaml = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML has no libyaml")


def read(text: str, loader: Loader | None = None) -> Any:
    """What ``load_strict`` gives: the value and line map, or the problems."""
    try:
        value, lines = load_strict(text, loader)
    except StrictYamlError as exc:
        return ("problems", [(p.line, p.loc, p.reason) for p in exc.problems])
    return ("value", value, lines.lines)


def test_every_rules_file_is_checked() -> None:
    folders = {path.parent.name for path in BUNDLED}
    assert folders == {"rules", "instruments", "market", "scenarios"}
    assert len(BUNDLED) > 50


@needs_libyaml
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_loaders_give_the_same_values_and_lines(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    pure = read(text, yaml.SafeLoader)
    assert pure[0] == "value"
    assert read(text, yaml.CSafeLoader) == pure
    assert read(text) == pure


@pytest.mark.parametrize(
    "text",
    [
        "a: b: c\n",  # syntax errors: libyaml words them differently
        "a:\n  b: 1\n c: 2\n",
        "a: [1, 2\nb: 3\n",
        "a: *x\n",
        "a: 1\n---\nb: 2\n",
        "a: x\ty\n",  # tabs: libyaml accepts them where SafeLoader does not
        "a: [1,\t2]\n",
        "a: [S01, x?]\n",  # a ? in a flow scalar: libyaml reads it as part of the scalar
        "a: {value: 2025-01-0?}\n",
        "url: https://example.org/?id=1\n",  # outside a flow collection both read it alike
        "id: x\n\ufeffkind: y\n",  # a byte order mark after the start
        'a: "\\ud800"\n',  # a lone surrogate: SafeLoader accepts it, libyaml does not
        "a: !local 1\n",  # tags: libyaml's error mark has no snippet
        "a: [!!str, x]\n",
        "a: 1\na: 2\n",
        "",
    ],
)
def test_documents_read_differently_by_libyaml_are_read_as_safeloader_reads_them(
    text: str,
) -> None:
    assert read(text) == read(text, yaml.SafeLoader)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.parent.parent.name)
def test_broken_fixtures_read_as_safeloader_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert read(text) == read(text, yaml.SafeLoader)


def test_without_libyaml_safeloader_reads_every_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strict_yaml, "FAST_LOADER", None)
    for path in BUNDLED:
        text = path.read_text(encoding="utf-8")
        assert read(text) == read(text, yaml.SafeLoader)


def test_a_character_yaml_does_not_allow_is_an_error_with_its_line() -> None:
    with pytest.raises(StrictYamlError) as info:
        load_strict("id: X\ntitle: bell\x07here\n")
    [problem] = info.value.problems
    assert problem.line == 2
    assert "'\\x07'" in problem.reason
