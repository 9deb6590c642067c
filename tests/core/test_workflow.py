"""The application workflow: every transition of the table, illegal ones, roles and guards."""

from __future__ import annotations

import pytest

from rarex.core.workflow import (
    REQUIRED_DOCUMENTS,
    TABLE,
    Action,
    AppState,
    Facts,
    PauseReason,
    Role,
    TransitionRefused,
    allowed_actions,
    decide,
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
