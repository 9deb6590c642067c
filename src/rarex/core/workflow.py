"""The licence-application workflow as an explicit transition table.

    draft → submitted → accepted → under_review ⇄ clock_paused
    under_review → approved | denied | withdrawn

An application can also be withdrawn from any state between submission and decision. Each
transition names the roles that may make it and the guard it must pass (for example the Art. 16
document checklist before submission). Approving an application, and recording its licence, need
a second person: whoever submitted it may not, whatever their role (admins included). Each event
is dated no earlier than the events it follows and no later than the day it is recorded on
(``check_date``). The functions here only decide; storage, clocks and notifications live
elsewhere.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class AppState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    UNDER_REVIEW = "under_review"
    CLOCK_PAUSED = "clock_paused"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


FINAL_STATES = frozenset({AppState.APPROVED, AppState.DENIED, AppState.WITHDRAWN})


class Action(StrEnum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    START_REVIEW = "start_review"
    PAUSE_CLOCK = "pause_clock"
    RESUME_CLOCK = "resume_clock"
    APPROVE = "approve"
    DENY = "deny"
    WITHDRAW = "withdraw"


class Role(StrEnum):
    VIEWER = "viewer"
    ANALYST = "analyst"
    APPLICANT = "applicant"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class PauseReason(StrEnum):
    """Time not counted towards the 45 working days (Reg. Art. 17(3))."""

    TECHNICAL_IDENTIFICATION = "technical_identification"
    EXPERT_CONSULTATION = "expert_consultation"
    SITE_CHECK = "site_check"


class Document(StrEnum):
    """The Art. 16(1) checklist of a single-licence application."""

    APPLICATION_FORM = "application_form"
    ID_LEGAL_REPRESENTATIVE = "id_legal_representative"
    ID_PRINCIPAL_MANAGER = "id_principal_manager"
    ID_HANDLER = "id_handler"
    CONTRACT = "contract"
    TECHNICAL_DESCRIPTION = "technical_description"
    END_USER_CERTIFICATE = "end_user_certificate"


REQUIRED_DOCUMENTS: frozenset[Document] = frozenset(Document)


class Guard(StrEnum):
    NONE = "none"
    DOCUMENTS_COMPLETE = "documents_complete"
    HAS_ITEMS = "has_items"
    PAUSE_REASON = "pause_reason"
    SECOND_PERSON = "second_person"  # the actor is not the person who submitted the application


@dataclass(frozen=True)
class Transition:
    source: AppState
    action: Action
    target: AppState
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()


_APPLICANTS = frozenset({Role.APPLICANT, Role.ADMIN})
_REVIEWERS = frozenset({Role.REVIEWER, Role.ADMIN})

# The transition table. MOFCOM's own steps (acceptance, review, decisions) are recorded by
# the reviewer who follows the case; the applicant submits and may withdraw.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        AppState.DRAFT,
        Action.SUBMIT,
        AppState.SUBMITTED,
        _APPLICANTS,
        (Guard.HAS_ITEMS, Guard.DOCUMENTS_COMPLETE),
    ),
    Transition(AppState.SUBMITTED, Action.ACCEPT, AppState.ACCEPTED, _REVIEWERS),
    Transition(AppState.ACCEPTED, Action.START_REVIEW, AppState.UNDER_REVIEW, _REVIEWERS),
    Transition(
        AppState.UNDER_REVIEW,
        Action.PAUSE_CLOCK,
        AppState.CLOCK_PAUSED,
        _REVIEWERS,
        (Guard.PAUSE_REASON,),
    ),
    Transition(AppState.CLOCK_PAUSED, Action.RESUME_CLOCK, AppState.UNDER_REVIEW, _REVIEWERS),
    Transition(
        AppState.UNDER_REVIEW,
        Action.APPROVE,
        AppState.APPROVED,
        _REVIEWERS,
        (Guard.SECOND_PERSON,),
    ),
    Transition(AppState.UNDER_REVIEW, Action.DENY, AppState.DENIED, _REVIEWERS),
    Transition(AppState.UNDER_REVIEW, Action.WITHDRAW, AppState.WITHDRAWN, _APPLICANTS),
    Transition(AppState.SUBMITTED, Action.WITHDRAW, AppState.WITHDRAWN, _APPLICANTS),
    Transition(AppState.ACCEPTED, Action.WITHDRAW, AppState.WITHDRAWN, _APPLICANTS),
    Transition(AppState.CLOCK_PAUSED, Action.WITHDRAW, AppState.WITHDRAWN, _APPLICANTS),
)
TABLE: Mapping[tuple[AppState, Action], Transition] = {(t.source, t.action): t for t in TRANSITIONS}


@dataclass(frozen=True)
class Step:
    """Something recorded on an application in one state without moving it, with the roles that
    may record it and its guards, like a transition."""

    name: str
    state: AppState
    roles: frozenset[Role]
    guards: tuple[Guard, ...] = ()


# MOFCOM's licence is recorded on the approved application, by a second person too.
ISSUE_LICENCE = Step("issue its licence", AppState.APPROVED, _REVIEWERS, (Guard.SECOND_PERSON,))


class TransitionRefused(Exception):
    """A transition that the table or a guard does not allow. ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Facts:
    """What the guards look at."""

    documents: frozenset[Document] = frozenset()
    item_count: int = 0
    pause_reason: PauseReason | None = None
    actor: int | None = None  # the user asking
    submitted_by: int | None = None  # the user who submitted the application, once submitted


def decide(state: AppState, action: Action, role: Role, facts: Facts) -> Transition:
    """The transition to make, or ``TransitionRefused`` saying why not."""
    transition = TABLE.get((state, action))
    if transition is None:
        allowed = sorted(a.value for (s, a) in TABLE if s is state)
        raise TransitionRefused(
            "illegal_transition",
            f"cannot {action.value} an application that is {state.value}"
            + (f" (allowed: {', '.join(allowed)})" if allowed else " (it is final)"),
        )
    if role not in transition.roles:
        raise TransitionRefused(
            "forbidden_role",
            f"role {role.value} may not {action.value} (needs "
            f"{' or '.join(sorted(r.value for r in transition.roles))})",
        )
    for guard in transition.guards:
        _check(guard, facts, action.value)
    return transition


def decide_step(step: Step, state: AppState, role: Role, facts: Facts) -> None:
    """Return if ``step`` may be recorded, or raise ``TransitionRefused`` saying why not."""
    if role not in step.roles:
        raise TransitionRefused(
            "forbidden_role",
            f"role {role.value} may not {step.name} (needs "
            f"{' or '.join(sorted(r.value for r in step.roles))})",
        )
    if state is not step.state:
        raise TransitionRefused(
            f"not_{step.state.value}",
            f"cannot {step.name}: the application is {state.value}, not {step.state.value}",
        )
    for guard in step.guards:
        _check(guard, facts, step.name)


def _check(guard: Guard, facts: Facts, doing: str) -> None:
    if guard is Guard.DOCUMENTS_COMPLETE:
        missing = sorted(d.value for d in REQUIRED_DOCUMENTS - facts.documents)
        if missing:
            raise TransitionRefused(
                "documents_incomplete",
                f"the Art. 16 checklist is incomplete: missing {', '.join(missing)}",
            )
    elif guard is Guard.HAS_ITEMS and facts.item_count == 0:
        raise TransitionRefused("no_items", "an application needs at least one item")
    elif guard is Guard.PAUSE_REASON and facts.pause_reason is None:
        raise TransitionRefused(
            "pause_reason_required",
            "say why the clock stops: " + ", ".join(r.value for r in PauseReason),
        )
    elif (
        guard is Guard.SECOND_PERSON
        and facts.actor is not None
        and facts.actor == facts.submitted_by
    ):
        raise TransitionRefused(
            "second_person_required",
            f"a second person must {doing}: you submitted this application, and whoever "
            "submits an application may not also approve it or record its licence, whatever "
            "their role (an organisation needs a second reviewer or admin for this)",
        )


def check_date(on: date, today: date, earlier: Iterable[tuple[str, date | None]]) -> None:
    """Refuse an event dated after ``today`` or before an event it follows.

    ``earlier`` names the application's recorded events and their days (``None``: not yet).
    """
    if on > today:
        raise TransitionRefused("invalid_date", f"{on} is in the future (today is {today})")
    recorded = [(day, what) for what, day in earlier if day is not None]
    if recorded:
        latest, what = max(recorded)
        if on < latest:
            raise TransitionRefused(
                "invalid_date", f"{on} is before {what} on {latest}; events come in order"
            )


def allowed_actions(state: AppState, roles: Collection[Role]) -> list[Action]:
    return [t.action for t in TRANSITIONS if t.source is state and t.roles & set(roles)]
