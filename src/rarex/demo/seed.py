"""Seed a demo workspace: one organisation, a user per role, the demo company with its sales
and inventory, an assessment per demo shipment, applications in different states (their parties
screened on submission), a screening of the demo customers with ownership links, and a
reviewer's false-positive decision.
Deterministic apart from the password hashes.

The demo customers and ownership links are fictitious, except the listed parties they are
screened against; "Demo Avionics" is an invented subsidiary that shows the 50 % rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

from sqlalchemy.orm import Session

from rarex.core.licences import Draw, LicenceTerms, LicenceType
from rarex.core.matching import Matcher
from rarex.core.rulebook import RuleBook
from rarex.core.screening import Verdict
from rarex.core.vocab import EndUse
from rarex.core.workdays import WorkdayCalendar
from rarex.core.workflow import Action, Document, PauseReason, Role
from rarex.demo.shipments import DEMO_SHIPMENTS
from rarex.io.screening_inputs import read_parties_csv
from rarex.services import accounts
from rarex.services.accounts import Actor, actor_of
from rarex.services.applications import ApplicationService, NewApplication, NewItem
from rarex.services.commercial import CommercialService
from rarex.services.datasets import DatasetService
from rarex.services.screening import ScreeningService

ORGANISATION = "Demo Motors & Materials"
FALSE_POSITIVE = "Novotech Inc."  # a demo customer whose name meets a listed party
DEMO_PASSWORD = "rarex-demo-password"  # the demo only; printed when it starts


@dataclass(frozen=True)
class DemoUser:
    email: str
    role: Role


USERS = tuple(DemoUser(f"{role.value}@demo.rarex", role) for role in Role)


def seed(
    session: Session,
    rulebook: RuleBook,
    calendar: WorkdayCalendar,
    today: date,
    parts: Path,
    bom: Path,
    now: Callable[[], datetime],
    matcher: Matcher,
) -> dict[str, Actor]:
    actors = {
        u.role.value: actor_of(
            accounts.add_user(
                session,
                organisation=ORGANISATION,
                email=u.email,
                name=u.role.value.title(),
                role=u.role,
                password=DEMO_PASSWORD,
                now=now(),
            )
        )
        for u in USERS
    }
    data = DatasetService(session, actors["analyst"], now)
    version = data.import_files("demo company", parts=parts, bom=bom)
    folder = resources.files("rarex.demo")
    with (
        resources.as_file(folder / "sales.csv") as sales,
        resources.as_file(folder / "inventory.csv") as inventory,
    ):
        CommercialService(data, now).import_files(version.id, sales=sales, inventory=inventory)
    for _, shipment, products in DEMO_SHIPMENTS:
        data.assess(version.id, rulebook, today, shipment, products, {})
    screening = ScreeningService(session, actors["applicant"], rulebook, matcher, now)
    applicant = ApplicationService(
        session,
        actors["applicant"],
        rulebook.sha256,
        calendar,
        now,
        on_submit=screening.screen_application,
        today=lambda: today,
    )
    reviewer = ApplicationService(
        session, actors["reviewer"], rulebook.sha256, calendar, now, today=lambda: today
    )

    def application(
        reference: str, part: str, code: str | None, end_user: str, destination: str = "DE"
    ) -> int:
        app = applicant.create(
            NewApplication(
                reference,
                "Demo Motors (Baotou) Co., Ltd.",
                end_user,
                end_user,
                EndUse.CIVIL,
                destination,
            )
        )
        applicant.add_item(app.id, NewItem(part, part, code, Decimal("200"), Decimal("60000")))
        for kind in Document:
            applicant.add_document(
                app.id,
                kind,
                f"{kind.value}.pdf",
                "application/pdf",
                f"{reference} {kind.value}".encode(),
            )
        return app.id

    def days_ago(n: int) -> date:
        return today - timedelta(days=n)

    application("DEMO-DRAFT", "TB-METAL", "1C904.a", "Regensburg Motor Works GmbH")
    submitted = application("DEMO-SUBMITTED", "DY-METAL", "1C905.a", "Regensburg Motor Works GmbH")
    applicant.transition(submitted, Action.SUBMIT, on=days_ago(3))
    reviewing = application("DEMO-REVIEW", "SM-METAL", "1C902.a", "Kyoto Magnetics K.K.", "JP")
    applicant.transition(reviewing, Action.SUBMIT, on=days_ago(70))
    reviewer.transition(reviewing, Action.ACCEPT, on=days_ago(66))
    reviewer.transition(reviewing, Action.START_REVIEW, on=days_ago(65))
    paused = application("DEMO-PAUSED", "GD-METAL", "1C903.a", "Cheonan Targets Co.", "KR")
    applicant.transition(paused, Action.SUBMIT, on=days_ago(40))
    reviewer.transition(paused, Action.ACCEPT, on=days_ago(38))
    reviewer.transition(paused, Action.START_REVIEW, on=days_ago(37))
    reviewer.transition(
        paused,
        Action.PAUSE_CLOCK,
        on=days_ago(10),
        pause_reason=PauseReason.TECHNICAL_IDENTIFICATION,
    )
    approved = application("DEMO-APPROVED", "WC-POWDER", "1C117.d", "Stuttgart Tooling AG")
    applicant.transition(approved, Action.SUBMIT, on=days_ago(120))
    reviewer.transition(approved, Action.ACCEPT, on=days_ago(118))
    reviewer.transition(approved, Action.START_REVIEW, on=days_ago(117))
    reviewer.transition(approved, Action.APPROVE, on=days_ago(60))
    reviewer.issue_licence(
        approved,
        "DEMO-LIC-0001",
        LicenceTerms(
            LicenceType.GENERAL,
            days_ago(60),
            days_ago(60) + timedelta(days=364),
            Decimal("200"),
            Decimal("60000"),
            ("Stuttgart Tooling AG",),
        ),
    )
    applicant.record_shipment(
        approved,
        Draw(days_ago(30), Decimal("80"), Decimal("24000")),
        {"arrived": days_ago(25).isoformat()},
    )
    seed_screening(session, rulebook, matcher, actors, today, now)
    return actors


def seed_screening(
    session: Session,
    rulebook: RuleBook,
    matcher: Matcher,
    actors: dict[str, Actor],
    today: date,
    now: Callable[[], datetime],
) -> None:
    """Screen the demo customers with their ownership links; record one false positive."""
    folder = resources.files("rarex.demo")
    analyst = ScreeningService(session, actors["analyst"], rulebook, matcher, now)
    with resources.as_file(folder / "owners.csv") as owners:
        analyst.lists.load_ownership(owners)
    with resources.as_file(folder / "parties.csv") as parties:
        outcome = analyst.screen(read_parties_csv(parties), today)
    reviewer = ScreeningService(session, actors["reviewer"], rulebook, matcher, now)
    for party, result in outcome.results:
        if party.name == FALSE_POSITIVE:
            for hit in result.open_hits:
                reviewer.decide(
                    party.id,
                    hit.party.key,
                    Verdict.FALSE_POSITIVE,
                    "a different company: our customer is a ceramics distributor with no "
                    "defence business (demo decision)",
                )
