"""Every status transition of every measure and limb is pinned by a scenario on both sides.

The scenarios themselves are written by hand from the sources and run as pytest items
(see conftest.py); this test only checks that none of the boundary days is left out.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest

from rarex.core.rulebook import RuleBook
from rarex.core.timeline import StatusWindow, measure_windows
from rarex.io.rule_loader import load_rules, load_scenarios, scenario_files

RULEBOOK: RuleBook = load_rules().rulebook


def checked_days() -> dict[str, set[date]]:
    """Reference (measure or limb) → the days on which some scenario checks it."""
    days: dict[str, set[date]] = defaultdict(set)
    for path in scenario_files():
        for scenario in load_scenarios(path).scenarios:
            if scenario.input.assume:
                continue  # what-if scenarios do not pin the recorded status
            for ref in scenario.expected:
                days[ref].add(scenario.as_of)
    return days


CHECKED = checked_days()


def boundary_days(windows: list[StatusWindow]) -> list[date]:
    return [w.start for w in windows[1:]]


@pytest.mark.parametrize("measure_id", sorted(RULEBOOK.instruments))
def test_every_transition_is_pinned_on_both_sides(measure_id: str) -> None:
    inst = RULEBOOK.instruments[measure_id]
    missing = []
    refs = [(measure_id, None)] + [(f"{measure_id}/{limb.id}", limb.id) for limb in inst.limbs]
    for ref, limb_id in refs:
        accepted = {ref} | (
            {f"{measure_id}/{inst.limbs[0].id}", measure_id} if len(inst.limbs) == 1 else set()
        )
        seen = set().union(*(CHECKED.get(r, set()) for r in accepted))
        for day in boundary_days(measure_windows(RULEBOOK, measure_id, limb_id)):
            for needed in (day - timedelta(days=1), day):
                if needed not in seen:
                    missing.append(f"{ref} on {needed}")
    assert not missing, f"no scenario pins: {', '.join(missing)}"
