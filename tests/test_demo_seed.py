"""The demo workspace seeds applications in every interesting state."""

from __future__ import annotations

from datetime import UTC, date, datetime

from rarex.cli.assess_cmd import demo_dataset_paths
from rarex.core.matching import Matcher
from rarex.demo.seed import seed
from rarex.io.cn_calendar import ChinaCalendar
from rarex.io.rule_loader import load_rules
from rarex.io.script import ChineseScript
from rarex.io.storage.db import database, unit_of_work, upgrade
from rarex.services import audit
from rarex.services.applications import ApplicationService
from rarex.services.screening import ScreeningService


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
            Matcher(ChineseScript()),
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
        screening = ScreeningService(
            session,
            actors["viewer"],
            rulebook,
            Matcher(ChineseScript()),
            lambda: datetime(2026, 11, 22, tzinfo=UTC),
        )
        runs = screening.runs()
        # four submitted applications, then the demo customers
        assert [r.trigger for r in runs] == ["batch"] + ["application"] * 4
        _, results = screening.run(runs[0].id)
        by_name = {party.name: result for party, result in results}
        assert by_name["Lockheed Martin Corporation"].open_hits == 1
        assert by_name["Demo Avionics Subsidiary LLC"].ownership[0]["share"] == "0.6"
        novotech = by_name["Novotech Inc."]
        assert novotech.hits and novotech.open_hits == 1  # decided after this run
        screening = ScreeningService(
            session,
            actors["analyst"],
            rulebook,
            Matcher(ChineseScript()),
            lambda: datetime(2026, 11, 22, tzinfo=UTC),
        )
        rerun = screening.rescreen(date(2026, 11, 22))
        assert [(c.party, c.kind) for c in rerun.changes] == []
        latest = screening.latest_results()
        novotech_id = next(p.id for p, _ in results if p.name == "Novotech Inc.")
        assert latest[novotech_id].open_hits == 0 and latest[novotech_id].hits[0]["suppressed"]
