"""Collect the YAML scenario files beside the rules as pytest items."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from rarex.core.rulebook import RuleBook
from rarex.core.scenarios import run_scenario
from rarex.core.schema import Scenario
from rarex.io.rule_loader import load_rules, load_scenarios


@cache
def bundled_rulebook() -> RuleBook:
    return load_rules().rulebook


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.name == "scenarios":
        return ScenarioFileCollector.from_parent(parent, path=file_path)
    return None


class ScenarioFileCollector(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        for scenario in load_scenarios(self.path).scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        mismatches = run_scenario(bundled_rulebook(), self.scenario)
        if mismatches:
            raise ScenarioFailure(self.scenario, [str(m) for m in mismatches])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name} (as of {self.scenario.as_of})"


class ScenarioFailure(Exception):
    def __init__(self, scenario: Scenario, lines: list[str]) -> None:
        super().__init__(
            f"scenario {scenario.name!r} as of {scenario.as_of}:\n  " + "\n  ".join(lines)
        )
