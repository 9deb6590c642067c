"""45 working days on China's official calendar, across holidays and make-up working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rarex.core.workdays import (
    IndexedCalendar,
    Pause,
    add_workdays,
    count_workdays,
    review_deadline,
)
from rarex.io.cn_calendar import ChinaCalendar

CAL = ChinaCalendar()
D = date.fromisoformat


def test_calendar_knows_2026_holidays_and_make_up_days() -> None:
    assert not CAL.is_workday(D("2026-10-01"))  # National Day
    assert CAL.is_workday(D("2026-09-20"))  # Sunday worked to make up for National Day
    assert CAL.is_workday(D("2026-10-10"))  # Saturday worked
    assert not CAL.is_workday(D("2026-02-17"))  # Spring Festival
    assert CAL.is_workday(D("2026-02-14"))  # Saturday worked
    assert CAL.is_workday(D("2026-02-28"))  # Saturday worked


def test_deadline_across_national_day() -> None:
    # Counted by hand from the State Council schedule: accepted Monday 2026-09-14; September
    # gives 12 working days (Sunday 09-20 is a make-up day, Friday 09-25 is Mid-Autumn),
    # 1-7 October are off, Saturday 10-10 is a make-up day, so October gives 18 and the 45th
    # working day is Friday 2026-11-20.
    accepted = D("2026-09-14")
    deadline = review_deadline(CAL, accepted)
    assert deadline.due is not None
    assert count_workdays(CAL, accepted, deadline.due) == 45
    assert CAL.is_workday(deadline.due)
    # National Day week 10-01..10-07 is skipped; 09-20 and 10-10 count.
    assert deadline.due == D("2026-11-20")
    assert not deadline.provisional


def test_deadline_across_the_spring_festival() -> None:
    # By hand: February 2026 gives 16 working days (15-23 February off, Saturdays 14 and 28
    # February worked), March 22, and with Qingming (4-6 April) off the 45th is 10 April.
    accepted = D("2026-01-30")
    deadline = review_deadline(CAL, accepted)
    assert deadline.due == D("2026-04-10")
    # without the holiday and the make-up Saturdays it would be a different day
    naive, _, _ = add_workdays(_WeekdaysOnly(), accepted, 45)
    assert naive != deadline.due


def test_paused_clock_extends_the_deadline() -> None:
    accepted = D("2026-03-02")
    plain = review_deadline(CAL, accepted)
    pause = Pause(D("2026-03-10"), D("2026-03-17"), "technical_identification")
    paused = review_deadline(CAL, accepted, [pause])
    assert paused.paused_working_days == 5
    assert plain.due is not None and paused.due is not None
    assert count_workdays(CAL, plain.due, paused.due) == 5
    assert "paused" in paused.reason


def test_open_pause_has_no_due_date() -> None:
    deadline = review_deadline(CAL, D("2026-03-02"), [Pause(D("2026-03-10"), None, "site_check")])
    assert deadline.due is None
    assert "paused since 2026-03-10" in deadline.reason


def test_watch_list_has_no_statutory_deadline() -> None:
    deadline = review_deadline(CAL, D("2026-03-02"), watch_listed=True)
    assert deadline.due is None
    assert "Watch List" in deadline.reason


def test_beyond_the_published_schedule_is_provisional() -> None:
    deadline = review_deadline(CAL, D("2026-12-15"))
    assert deadline.due is not None
    assert deadline.provisional
    assert "not yet published" in deadline.reason


def test_days_left_is_negative_when_overdue() -> None:
    deadline = review_deadline(CAL, D("2026-03-02"))
    assert deadline.due is not None
    assert deadline.days_left(deadline.due, CAL) == 0
    assert deadline.days_left(D("2026-03-02"), CAL) == 45
    later = deadline.days_left(D("2026-06-30"), CAL)
    assert later is not None and later < 0


class _WeekdaysOnly:
    def is_workday(self, day: date) -> bool:
        return day.weekday() < 5

    def is_official(self, day: date) -> bool:
        return True


@pytest.mark.parametrize("accepted", ["2026-09-30", "2026-10-08", "2026-02-13"])
def test_due_date_is_always_a_working_day(accepted: str) -> None:
    due = review_deadline(CAL, D(accepted)).due
    assert due is not None and CAL.is_workday(due)


class Walked:
    """The same calendar without its year index: the arithmetic walks it day by day."""

    def is_workday(self, day: date) -> bool:
        return CAL.is_workday(day)

    def is_official(self, day: date) -> bool:
        return CAL.is_official(day)


days = st.dates(date(2019, 1, 1), date(2029, 12, 31))


@st.composite
def closed_pauses(draw: st.DrawFn) -> list[Pause]:
    out = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(days)
        out.append(Pause(start, start + timedelta(days=draw(st.integers(0, 120))), "query"))
    return out


@settings(max_examples=300, deadline=None)
@given(start=days, working_days=st.integers(0, 400), pauses=closed_pauses())
def test_the_year_index_gives_the_same_due_day_as_walking_the_calendar(
    start: date, working_days: int, pauses: list[Pause]
) -> None:
    assert not isinstance(Walked(), IndexedCalendar)
    assert add_workdays(CAL, start, working_days, pauses) == add_workdays(
        Walked(), start, working_days, pauses
    )


@settings(max_examples=300, deadline=None)
@given(after=days, until=days)
def test_the_year_index_counts_working_days_as_walking_does(after: date, until: date) -> None:
    assert count_workdays(CAL, after, until) == count_workdays(Walked(), after, until)
