"""Due dates are stored with every change, so that "due within N working days" is one indexed
query; its answer is the same as working out every application's deadline one by one."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from rarex.core.vocab import EndUse
from rarex.core.workflow import Action, Document, PauseReason
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.storage.db import database, unit_of_work
from rarex.io.storage.repositories import user_by_email
from rarex.io.storage.tables import Application
from rarex.services.accounts import actor_of
from rarex.services.applications import (
    ApplicationService,
    NewApplication,
    NewItem,
    refresh_due_dates,
)
from tests.api.test_api import auth

TODAY = date(2026, 11, 2)


class EveryDayWorks:
    """A calendar on which every day is an official working day."""

    def is_workday(self, day: date) -> bool:
        return True

    def is_official(self, day: date) -> bool:
        return True


def services(session: Session) -> tuple[ApplicationService, ApplicationService]:
    clock = lambda: datetime(2026, 11, 2, tzinfo=UTC)  # noqa: E731
    applicant = user_by_email(session, "applicant@acme.test")
    reviewer = user_by_email(session, "reviewer@acme.test")
    assert applicant is not None and reviewer is not None
    make = ApplicationService
    return (
        make(session, actor_of(applicant), "0" * 64, ChinaCalendar(), clock),
        make(session, actor_of(reviewer), "0" * 64, ChinaCalendar(), clock),
    )


@pytest.fixture
def accepted(database_url: str, tokens: dict[str, str]) -> Iterator[str]:
    """Twelve applications accepted on different days; one paused, one watch-listed, one
    approved and one still a draft."""
    with database(database_url) as factory, unit_of_work(factory) as session:
        applicant, reviewer = services(session)
        for number in range(12):
            new = applicant.create(
                NewApplication(f"REF-{number}", "E", "C", "U", EndUse.CIVIL, "DE")
            )
            applicant.add_item(new.id, NewItem("P", "p", None, Decimal(1), Decimal(1)))
            for kind in Document:
                applicant.add_document(new.id, kind, "f.pdf", "application/pdf", b"x")
            day = date(2026, 8, 3) + timedelta(days=5 * number)
            applicant.transition(new.id, Action.SUBMIT, on=day)
            reviewer.transition(new.id, Action.ACCEPT, on=day)
            if number in (3, 7):
                reviewer.transition(new.id, Action.START_REVIEW, on=day)
            if number == 3:
                reviewer.transition(
                    new.id, Action.PAUSE_CLOCK, on=day, pause_reason=PauseReason.SITE_CHECK
                )
                reviewer.transition(new.id, Action.RESUME_CLOCK, on=day + timedelta(days=20))
            if number == 5:
                app = applicant.get(new.id)
                applicant.edit(new.id, {"watch_listed": True}, app.lock_version)
            if number == 7:
                reviewer.transition(new.id, Action.APPROVE, on=day + timedelta(days=30))
        applicant.create(NewApplication("DRAFT", "E", "C", "U", EndUse.CIVIL, "DE"))
    yield database_url


def one_by_one(svc: ApplicationService, today: date, within: int) -> list[tuple[int, int]]:
    """The answer the stored due dates must give: every deadline worked out in turn."""
    rows = []
    for app in svc.apps.list():
        left = svc.deadline(app).days_left(today, svc.calendar)
        if left is not None and left <= within:
            rows.append((left, app.id))
    return [(app_id, left) for left, app_id in sorted(rows)]


@pytest.mark.parametrize("within", [0, 5, 10, 45, 365])
def test_the_stored_due_dates_answer_as_working_them_out_one_by_one(
    accepted: str, within: int
) -> None:
    with database(accepted) as factory, unit_of_work(factory) as session:
        applicant, _ = services(session)
        for app in applicant.apps.list():
            deadline = applicant.deadline(app)
            assert (app.due_on, app.due_provisional) == (deadline.due, deadline.provisional)
        found = [(a.id, left) for a, _, left in applicant.due(TODAY, within)]
        assert found == one_by_one(applicant, TODAY, within)
    assert any(left < 0 for _, left in found) or within < 45


def test_the_deadlines_endpoint_pages_through_the_same_answer(
    client: TestClient, tokens: dict[str, str], accepted: str
) -> None:
    with database(accepted) as factory, unit_of_work(factory) as session:
        expected = one_by_one(services(session)[0], TODAY, 60)
    seen: list[tuple[int, int]] = []
    url = f"/api/applications/deadlines?within=60&as_of={TODAY}&limit=3"
    while url:
        response = client.get(url, headers=auth(tokens["viewer"]))
        assert response.status_code == 200, response.text
        seen += [(d["id"], d["working_days_left"]) for d in response.json()]
        link = response.headers.get("link", "")
        url = link[1 : link.index(">")] if link else ""
    assert seen == expected and len(seen) >= 7


def test_a_calendar_change_is_taken_up_when_due_dates_are_refreshed(accepted: str) -> None:
    with database(accepted) as factory, unit_of_work(factory) as session:
        changed = refresh_due_dates(session, EveryDayWorks())
        assert changed >= 9  # every open application with a running clock
        applicant, _ = services(session)
        applicant.calendar = EveryDayWorks()
        found = [(a.id, left) for a, _, left in applicant.due(TODAY, 60)]
        assert found == one_by_one(applicant, TODAY, 60)
        assert refresh_due_dates(session, EveryDayWorks()) == 0
        stored = session.query(Application).filter(Application.reference == "REF-0").one()
        assert stored.due_on == date(2026, 8, 3) + timedelta(days=45)
