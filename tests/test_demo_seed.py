"""The demo workspace seeds applications in every interesting state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.demo.seed import seed
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.rule_loader import load_rules
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.services import audit
from rarex.services.applications import ApplicationService


def test_seed(database_url: str) -> None:
    upgrade(database_url)
    rulebook = load_rules().rulebook
    parts, bom = demo_dataset_paths()
    with database(database_url) as factory, unit_of_work(factory) as session:
        actors = seed(
            session,
            rulebook,
            ChinaCalendar(),
            date(2026, 11, 22),
            parts,
            bom,
            lambda: datetime(2026, 11, 22, tzinfo=UTC),
        )
        svc = ApplicationService(
            session,
            actors["viewer"],
            rulebook.sha256,
            ChinaCalendar(),
            lambda: datetime(2026, 11, 22, tzinfo=UTC),
        )
        states = sorted(a.state for a in svc.apps.list())
        assert states == ["approved", "clock_paused", "draft", "submitted", "under_review"]
        due = svc.due(date(2026, 11, 22), 10)
        assert [a.reference for a, _, _ in due] == ["DEMO-REVIEW"]
        assert audit.verify(session, actors["admin"].org_id) == []
