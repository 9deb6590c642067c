"""Status resolution as of a date, on small rulebooks built in code."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from rarex.core.rulebook import RulebookInvalid, UnknownReference, derive_measure_status
from rarex.core.vocab import Status, Verification
from tests.factories import book, end_fact, instrument, limb, suspension

D = date.fromisoformat


def test_commencement_boundary() -> None:
    rb = book(instrument("CN-2025-1", [limb("cl1", "2025-04-04")]))
    assert rb.at(D("2025-04-03")).status("CN-2025-1") is Status.NOT_YET_IN_FORCE
    assert rb.at(D("2025-04-04")).status("CN-2025-1") is Status.IN_FORCE


@pytest.mark.parametrize(
    ("inclusive", "last_in_force"), [(True, "2026-07-24"), (False, "2026-07-23")]
)
def test_own_end_inclusive_or_exclusive(inclusive: bool, last_in_force: str) -> None:
    ends = end_fact("2026-07-24", inclusive=inclusive, after="expires")
    rb = book(instrument("US-X", [limb("rate", "2026-02-24", ends=ends)], jurisdiction="US"))
    last = D(last_in_force)
    assert rb.at(last).status("US-X") is Status.IN_FORCE
    assert rb.at(date.fromordinal(last.toordinal() + 1)).status("US-X") is Status.EXPIRED


def test_temporary_measure_that_runs_out_is_uncertain() -> None:
    ends = end_fact("2026-07-24", inclusive=False, after="unknown")
    rb = book(instrument("US-X", [limb("rate", "2026-02-24", ends=ends)], jurisdiction="US"))
    state = rb.at(D("2026-07-24")).limb("US-X/rate")
    assert state.status is Status.UNCERTAIN
    assert "no later record" in state.reason


def test_suspension_window_and_what_follows() -> None:
    rb = book(
        instrument("CN-2025-61", [limb("cl1", "2025-12-01"), limb("cl3", "2025-10-09")]),
        suspension("CN-2025-70", ["CN-2025-61"], "2025-11-07", end_fact("2026-11-10")),
    )
    at = rb.at
    assert at(D("2025-11-06")).status("CN-2025-61/cl3") is Status.IN_FORCE
    assert at(D("2025-11-06")).status("CN-2025-61/cl1") is Status.NOT_YET_IN_FORCE
    # suspended before it ever commenced
    assert at(D("2025-11-07")).status("CN-2025-61/cl1") is Status.SUSPENDED
    assert at(D("2026-11-10")).status("CN-2025-61") is Status.SUSPENDED
    assert at(D("2026-11-11")).status("CN-2025-61") is Status.UNCERTAIN
    assert at(D("2026-11-11")).status("CN-2025-70") is Status.IN_FORCE


def test_suspension_that_resumes_returns_to_own_status() -> None:
    rb = book(
        instrument("CN-2025-1", [limb("cl1", "2025-01-01")]),
        suspension(
            "CN-2025-2", ["CN-2025-1/cl1"], "2025-05-14", end_fact("2025-08-11", after="resumes")
        ),
    )
    assert rb.at(D("2025-08-11")).status("CN-2025-1") is Status.SUSPENDED
    assert rb.at(D("2025-08-12")).status("CN-2025-1") is Status.IN_FORCE


def test_open_ended_suspension_stays_suspended() -> None:
    rb = book(
        instrument("CN-2025-1", [limb("cl1", "2025-01-01")]),
        suspension("CN-2025-2", ["CN-2025-1"], "2025-05-14", None),
    )
    state = rb.at(D("2030-01-01")).limb("CN-2025-1/cl1")
    assert state.status is Status.SUSPENDED
    assert "no stated end" in state.reason


def test_termination_expires_the_limb_even_inside_a_suspension() -> None:
    rb = book(
        instrument("CN-2025-1", [limb("cl1", "2025-01-01")]),
        suspension("CN-2025-2", ["CN-2025-1"], "2025-05-14", end_fact("2026-11-10")),
        suspension("CN-2025-3", ["CN-2025-1/cl1"], "2025-11-10", None, action="terminate"),
    )
    assert rb.at(D("2025-11-09")).status("CN-2025-1") is Status.SUSPENDED
    state = rb.at(D("2025-11-10")).limb("CN-2025-1/cl1")
    assert state.status is Status.EXPIRED
    assert "CN-2025-3" in state.reason


def test_unknown_commencement_is_uncertain_and_unverified() -> None:
    rb = book(instrument("CN-2025-1", [limb("cl1", None)]))
    state = rb.at(D("2026-01-01")).limb("CN-2025-1/cl1")
    assert state.status is Status.UNCERTAIN
    assert state.verification is Verification.UNVERIFIED


def test_inclusiveness_matters_only_on_the_stated_end_day() -> None:
    ends = end_fact("2026-11-10", inclusive_verification="unverified")
    rb = book(
        instrument("CN-2025-1", [limb("cl1", "2025-01-01")]),
        suspension("CN-2025-2", ["CN-2025-1"], "2025-11-07", ends),
    )
    assert rb.at(D("2026-11-09")).limb("CN-2025-1/cl1").verification is Verification.OFFICIAL
    on_the_day = rb.at(D("2026-11-10")).limb("CN-2025-1/cl1")
    assert on_the_day.status is Status.SUSPENDED
    assert on_the_day.verification is Verification.UNVERIFIED
    assert on_the_day.unverified


@pytest.mark.parametrize(
    ("limbs", "expected"),
    [
        ([Status.EXPIRED, Status.IN_FORCE, Status.SUSPENDED], Status.IN_FORCE),
        ([Status.SUSPENDED, Status.UNCERTAIN, Status.EXPIRED], Status.UNCERTAIN),
        ([Status.NOT_YET_IN_FORCE, Status.SUSPENDED], Status.SUSPENDED),
        ([Status.EXPIRED, Status.NOT_YET_IN_FORCE], Status.NOT_YET_IN_FORCE),
        ([Status.EXPIRED, Status.EXPIRED], Status.EXPIRED),
    ],
)
def test_measure_status_precedence(limbs: list[Status], expected: Status) -> None:
    assert derive_measure_status(limbs) is expected


def test_assumptions_override_measure_or_limb() -> None:
    rb = book(
        instrument("CN-2025-61", [limb("cl1", "2025-12-01"), limb("cl3", "2025-10-09")]),
        suspension("CN-2025-70", ["CN-2025-61"], "2025-11-07", end_fact("2026-11-10")),
    )
    day = D("2026-11-22")
    whole = rb.at(day, {"CN-2025-61": Status.IN_FORCE})
    assert whole.status("CN-2025-61") is Status.IN_FORCE
    assert whole.measure("CN-2025-61").assumed
    assert whole.status("CN-2025-61/cl1") is Status.IN_FORCE
    one = rb.at(day, {"CN-2025-61/cl3": Status.EXPIRED})
    assert one.status("CN-2025-61/cl1") is Status.UNCERTAIN
    assert one.status("CN-2025-61/cl3") is Status.EXPIRED
    assert rb.at(day).status("CN-2025-61") is Status.UNCERTAIN
    with pytest.raises(UnknownReference):
        rb.at(day, {"CN-2099-1": Status.IN_FORCE})


def test_snapshot_is_immutable() -> None:
    snap = book(instrument("CN-2025-1", [limb("cl1", "2025-01-01")])).at(D("2025-06-01"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snap.as_of = D("2020-01-01")  # type: ignore[misc]
    with pytest.raises(TypeError):
        snap.measures["CN-2025-1"] = snap.measures["CN-2025-1"]  # type: ignore[index]


def test_content_hash_changes_with_content() -> None:
    a = book(instrument("CN-2025-1", [limb("cl1", "2025-01-01")]))
    b = book(instrument("CN-2025-1", [limb("cl1", "2025-01-02")]))
    assert a.sha256 == book(instrument("CN-2025-1", [limb("cl1", "2025-01-01")])).sha256
    assert a.sha256 != b.sha256


def test_transitions_list_each_change_once() -> None:
    rb = book(
        instrument("CN-2025-61", [limb("cl1", "2025-12-01"), limb("cl3", "2025-10-09")]),
        suspension("CN-2025-70", ["CN-2025-61"], "2025-11-07", end_fact("2026-11-10")),
    )
    assert [(d.isoformat(), a, b) for d, a, b in rb.transitions("CN-2025-61")] == [
        ("2025-10-09", Status.NOT_YET_IN_FORCE, Status.IN_FORCE),
        ("2025-11-07", Status.IN_FORCE, Status.SUSPENDED),
        ("2026-11-11", Status.SUSPENDED, Status.UNCERTAIN),
    ]


def test_references_across_instruments_must_resolve() -> None:
    with pytest.raises(RulebookInvalid) as info:
        book(suspension("CN-2025-70", ["CN-2025-61/cl9"], "2025-11-07", None))
    [problem] = info.value.problems
    assert problem.instrument == "CN-2025-70"
    assert problem.loc == ("effects", 0, "targets", 0)
    assert "CN-2025-61" in problem.reason
