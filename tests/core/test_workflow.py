"""The application workflow: every transition of the table, illegal ones, roles and guards."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from rarex.core.workflow import (
    ISSUE_LICENCE,
    REQUIRED_DOCUMENTS,
    TABLE,
    Action,
    AppState,
    Facts,
    PauseReason,
    Role,
    TransitionRefused,
    allowed_actions,
    check_date,
    decide,
    decide_step,
)

READY = Facts(
    documents=REQUIRED_DOCUMENTS, item_count=1, pause_reason=PauseReason.TECHNICAL_IDENTIFICATION
)

EXPECTED = {
    (AppState.DRAFT, Action.SUBMIT): AppState.SUBMITTED,
    (AppState.SUBMITTED, Action.ACCEPT): AppState.ACCEPTED,
    (AppState.ACCEPTED, Action.START_REVIEW): AppState.UNDER_REVIEW,
    (AppState.UNDER_REVIEW, Action.PAUSE_CLOCK): AppState.CLOCK_PAUSED,
    (AppState.CLOCK_PAUSED, Action.RESUME_CLOCK): AppState.UNDER_REVIEW,
    (AppState.UNDER_REVIEW, Action.APPROVE): AppState.APPROVED,
    (AppState.UNDER_REVIEW, Action.DENY): AppState.DENIED,
    (AppState.UNDER_REVIEW, Action.WITHDRAW): AppState.WITHDRAWN,
    (AppState.SUBMITTED, Action.WITHDRAW): AppState.WITHDRAWN,
    (AppState.ACCEPTED, Action.WITHDRAW): AppState.WITHDRAWN,
    (AppState.CLOCK_PAUSED, Action.WITHDRAW): AppState.WITHDRAWN,
}


@pytest.mark.parametrize("state", list(AppState))
@pytest.mark.parametrize("action", list(Action))
def test_full_transition_table(state: AppState, action: Action) -> None:
    if (state, action) in EXPECTED:
        assert decide(state, action, Role.ADMIN, READY).target is EXPECTED[(state, action)]
    else:
        with pytest.raises(TransitionRefused) as info:
            decide(state, action, Role.ADMIN, READY)
        assert info.value.code == "illegal_transition"


def test_table_has_no_other_transitions() -> None:
    assert {k: t.target for k, t in TABLE.items()} == EXPECTED


def test_final_states_allow_nothing() -> None:
    for state in (AppState.APPROVED, AppState.DENIED, AppState.WITHDRAWN):
        assert allowed_actions(state, list(Role)) == []
        with pytest.raises(TransitionRefused, match="it is final"):
            decide(state, Action.WITHDRAW, Role.ADMIN, READY)


@pytest.mark.parametrize(
    ("state", "action", "allowed"),
    [
        (AppState.DRAFT, Action.SUBMIT, {Role.APPLICANT, Role.ADMIN}),
        (AppState.SUBMITTED, Action.ACCEPT, {Role.REVIEWER, Role.ADMIN}),
        (AppState.UNDER_REVIEW, Action.APPROVE, {Role.REVIEWER, Role.ADMIN}),
        (AppState.UNDER_REVIEW, Action.WITHDRAW, {Role.APPLICANT, Role.ADMIN}),
    ],
)
def test_roles(state: AppState, action: Action, allowed: set[Role]) -> None:
    for role in Role:
        if role in allowed:
            decide(state, action, role, READY)
        else:
            with pytest.raises(TransitionRefused) as info:
                decide(state, action, role, READY)
            assert info.value.code == "forbidden_role"


def test_submission_needs_the_complete_art16_checklist() -> None:
    partial = Facts(documents=REQUIRED_DOCUMENTS - {next(iter(REQUIRED_DOCUMENTS))}, item_count=1)
    with pytest.raises(TransitionRefused) as info:
        decide(AppState.DRAFT, Action.SUBMIT, Role.APPLICANT, partial)
    assert info.value.code == "documents_incomplete"


def test_submission_needs_items() -> None:
    with pytest.raises(TransitionRefused) as info:
        decide(AppState.DRAFT, Action.SUBMIT, Role.APPLICANT, Facts(documents=REQUIRED_DOCUMENTS))
    assert info.value.code == "no_items"


def test_pausing_needs_a_reason() -> None:
    with pytest.raises(TransitionRefused) as info:
        decide(AppState.UNDER_REVIEW, Action.PAUSE_CLOCK, Role.REVIEWER, Facts())
    assert info.value.code == "pause_reason_required"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_whoever_submitted_may_not_approve_whatever_their_role(role: Role) -> None:
    mine = replace(READY, actor=7, submitted_by=7)
    with pytest.raises(TransitionRefused) as info:
        decide(AppState.UNDER_REVIEW, Action.APPROVE, role, mine)
    assert info.value.code == "second_person_required"
    assert "a second person must approve" in str(info.value)
    someone_else = replace(READY, actor=8, submitted_by=7)
    assert decide(AppState.UNDER_REVIEW, Action.APPROVE, role, someone_else).target is (
        AppState.APPROVED
    )


def test_the_submitter_may_still_record_the_other_steps_of_the_review() -> None:
    mine = replace(READY, actor=7, submitted_by=7)
    for state, action in [
        (AppState.SUBMITTED, Action.ACCEPT),
        (AppState.ACCEPTED, Action.START_REVIEW),
        (AppState.UNDER_REVIEW, Action.DENY),
        (AppState.UNDER_REVIEW, Action.WITHDRAW),
    ]:
        decide(state, action, Role.ADMIN, mine)


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.ADMIN])
def test_whoever_submitted_may_not_record_the_licence(role: Role) -> None:
    with pytest.raises(TransitionRefused) as info:
        decide_step(ISSUE_LICENCE, AppState.APPROVED, role, Facts(actor=7, submitted_by=7))
    assert info.value.code == "second_person_required"
    assert "a second person must issue its licence" in str(info.value)
    decide_step(ISSUE_LICENCE, AppState.APPROVED, role, Facts(actor=8, submitted_by=7))


def test_the_licence_needs_an_approved_application_and_a_reviewer() -> None:
    with pytest.raises(TransitionRefused) as info:
        decide_step(ISSUE_LICENCE, AppState.UNDER_REVIEW, Role.REVIEWER, Facts())
    assert info.value.code == "not_approved"
    with pytest.raises(TransitionRefused) as info:
        decide_step(ISSUE_LICENCE, AppState.APPROVED, Role.APPLICANT, Facts())
    assert info.value.code == "forbidden_role"


TODAY = date(2026, 3, 10)


def test_an_event_is_not_dated_before_the_events_it_follows() -> None:
    earlier = [("the submission", date(2026, 3, 1)), ("the acceptance", None)]
    with pytest.raises(TransitionRefused) as info:
        check_date(date(1999, 1, 1), TODAY, earlier)
    assert info.value.code == "invalid_date"
    assert str(info.value) == (
        "1999-01-01 is before the submission on 2026-03-01; events come in order"
    )
    check_date(date(2026, 3, 1), TODAY, earlier)  # the same day is in order


def test_the_latest_earlier_event_is_the_one_named() -> None:
    earlier = [
        ("the submission", date(2026, 3, 1)),
        ("the acceptance", date(2026, 3, 3)),
        ("the clock's pause", date(2026, 3, 5)),
    ]
    with pytest.raises(TransitionRefused, match=r"before the clock's pause on 2026-03-05"):
        check_date(date(2026, 3, 4), TODAY, earlier)


def test_an_event_is_not_dated_after_the_servers_day() -> None:
    with pytest.raises(TransitionRefused) as info:
        check_date(date(2026, 3, 11), TODAY, [])
    assert info.value.code == "invalid_date"
    assert str(info.value) == "2026-03-11 is in the future (today is 2026-03-10)"
    check_date(TODAY, TODAY, [])
