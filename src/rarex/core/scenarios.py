"""Run analyst-written scenarios (name, as_of, input, expected) against a rulebook."""

from __future__ import annotations

from dataclasses import dataclass

from rarex.core.rulebook import RuleBook, UnknownReference
from rarex.core.schema import Scenario


@dataclass(frozen=True)
class Mismatch:
    ref: str
    expected: str
    actual: str
    reason: str

    def __str__(self) -> str:
        return f"{self.ref}: expected {self.expected}, got {self.actual} ({self.reason})"


def run_scenario(rulebook: RuleBook, scenario: Scenario) -> list[Mismatch]:
    """Every expectation of ``scenario`` that the rulebook does not meet (empty on success)."""
    try:
        snapshot = rulebook.at(scenario.as_of, scenario.input.assume)
    except UnknownReference as exc:
        return [Mismatch(str(exc.args[0]), "-", "-", "the assumption names an unknown id")]
    mismatches = []
    for ref, expected in scenario.expected.items():
        try:
            actual = snapshot.status(ref)
        except UnknownReference:
            mismatches.append(Mismatch(ref, expected.value, "-", "unknown measure or limb"))
            continue
        if actual is not expected:
            reason = snapshot.limb(ref).reason if "/" in ref else "derived from its limbs"
            mismatches.append(Mismatch(ref, expected.value, actual.value, reason))
    return mismatches
