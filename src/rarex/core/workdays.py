"""Working-day arithmetic on China's official calendar (Dual-Use Regulation Art. 17, 18).

The calendar itself is passed in (``WorkdayCalendar``): the adapter in
``rarex.io.cn_calendar`` reads a maintained holiday-calendar package, including weekend days
that become working days to make up for holidays. Where the calendar has no official data yet
(the State Council publishes each year's schedule late in the year before) the calendar says
so, and a deadline that runs into that period is marked provisional.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol, cast, runtime_checkable

# The days rarex answers for. Working-day arithmetic costs a little per calendar year crossed,
# so a day from a hostile or mistyped input (9999-12-31) is refused at the entry points rather
# than walked to; the range covers every measure in the rulebook and any plausible deadline.
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2100, 12, 31)


def check_day(day: date) -> date:
    """``day`` if rarex answers for it, else ``ValueError`` naming the range."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is outside the days rarex answers for ({FIRST_DAY} to {LAST_DAY})")
    return day


REVIEW_WORKING_DAYS = 45  # Reg. Art. 17(1): decision within 45 working days of acceptance
AMENDMENT_WORKING_DAYS = 20  # Reg. Art. 18(3): non-key changes within 20 working days


class WorkdayCalendar(Protocol):
    def is_workday(self, day: date) -> bool:
        """Whether ``day`` is a working day (make-up weekend days included)."""

    def is_official(self, day: date) -> bool:
        """Whether the answer for ``day`` rests on the officially published schedule."""


@dataclass(frozen=True)
class Pause:
    """A period in which the review clock stood still (Reg. Art. 17(3)).

    The clock stops from ``start`` (that day does not count) and runs again from ``end``
    (that day counts); ``end is None`` while the pause lasts.
    """

    start: date
    end: date | None
    reason: str

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True)
class Deadline:
    """The statutory due date, or why there is none."""

    due: date | None
    working_days: int | None
    paused_working_days: int
    provisional: bool
    reason: str

    def days_left(self, today: date, calendar: WorkdayCalendar) -> int | None:
        """Working days from ``today`` (exclusive) to the due date (inclusive); negative if late."""
        if self.due is None:
            return None
        if today <= self.due:
            return count_workdays(calendar, today, self.due)
        return -count_workdays(calendar, self.due, today)


@dataclass(frozen=True)
class YearIndex:
    """One year of a calendar, for arithmetic without walking day by day.

    ``cum[i]`` is the number of working days among the year's first ``i`` days (so ``cum[0]``
    is 0 and ``cum[-1]`` the year's total); ``official`` is whether every day of the year rests
    on the published schedule (``None`` when some do and some do not).
    """

    first: int  # the ordinal of 1 January
    cum: tuple[int, ...]
    official: bool | None

    def upto(self, day: date) -> int:
        """Working days from 1 January to ``day``, inclusive."""
        return self.cum[day.toordinal() - self.first + 1]


@runtime_checkable
class IndexedCalendar(WorkdayCalendar, Protocol):
    """A calendar that can give a whole year at once; the arithmetic below then takes a few
    lookups per year crossed instead of one per day."""

    def year_index(self, year: int) -> YearIndex:
        """The working days of ``year``."""


def count_workdays(calendar: WorkdayCalendar, after: date, until: date) -> int:
    """Working days in (after, until]."""
    if until <= after:
        return 0
    if hasattr(calendar, "year_index"):  # an IndexedCalendar (isinstance is slower)
        return _indexed_count(cast(IndexedCalendar, calendar), after, until)
    total = 0
    day = after + timedelta(days=1)
    while day <= until:
        total += calendar.is_workday(day)
        day += timedelta(days=1)
    return total


def _indexed_count(calendar: IndexedCalendar, after: date, until: date) -> int:
    if until <= after:
        return 0
    first = calendar.year_index(after.year)
    if after.year == until.year:
        return first.upto(until) - first.upto(after)
    total = first.cum[-1] - first.upto(after)
    for year in range(after.year + 1, until.year):
        total += calendar.year_index(year).cum[-1]
    return total + calendar.year_index(until.year).upto(until)


def add_workdays(
    calendar: WorkdayCalendar, start: date, working_days: int, pauses: Iterable[Pause] = ()
) -> tuple[date, int, bool]:
    """The day on which ``working_days`` counted working days after ``start`` have passed.

    The start day itself does not count; working days inside a pause do not count either.
    Returns the due date, the working days skipped by pauses, and whether any day counted
    rests on a calendar without official data (provisional).
    """
    stops = list(pauses)
    if hasattr(calendar, "year_index") and all(p.end is not None for p in stops):
        found = _indexed_add(cast(IndexedCalendar, calendar), start, working_days, stops)
        if found is not None:
            return found
    counted = skipped = 0
    provisional = False
    day = start
    while counted < working_days:
        day += timedelta(days=1)
        if not calendar.is_workday(day):
            continue
        provisional |= not calendar.is_official(day)
        if any(p.covers(day) for p in stops):
            skipped += 1
            continue
        counted += 1
    return day, skipped, provisional


def _nth_workday_after(calendar: IndexedCalendar, start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (``start`` itself when ``n`` is 0)."""
    if n <= 0:
        return start
    year = calendar.year_index(start.year)
    target = year.upto(start) + n
    while target > year.cum[-1]:
        target -= year.cum[-1]
        year = calendar.year_index(date.fromordinal(year.first).year + 1)
    return date.fromordinal(year.first + bisect_left(year.cum, target) - 1)


def _indexed_add(
    calendar: IndexedCalendar, start: date, working_days: int, pauses: list[Pause]
) -> tuple[date, int, bool] | None:
    """``add_workdays`` by lookups. The due day is pushed on by the working days the pauses
    cover before it until it stops moving; it only ever moves forward, so it stops at the first
    day with ``working_days`` uncovered working days before it, as the walk does. ``None`` when
    a year crossed is partly official: the walk answers that."""
    spans = _merged(pauses)
    skipped = 0
    while True:
        due = _nth_workday_after(calendar, start, working_days + skipped)
        covered = sum(
            _indexed_count(
                calendar,
                max(start, date.fromordinal(begin - 1)),
                min(due, date.fromordinal(end - 1)),
            )
            for begin, end in spans
        )
        if covered == skipped:
            break
        skipped = covered
    provisional = False
    for year in range(start.year, due.year + 1):
        before = max(start, date(year, 1, 1) - timedelta(days=1))
        if _indexed_count(calendar, before, min(due, date(year, 12, 31))) == 0:
            continue  # no working day of this year is walked
        official = calendar.year_index(year).official
        if official is None:
            return None
        provisional |= not official
    return due, skipped, provisional


def _merged(pauses: list[Pause]) -> list[tuple[int, int]]:
    """The days the (ended) pauses cover, as disjoint ``[from, to)`` spans of ordinals."""
    spans: list[tuple[int, int]] = []
    for begin, end in sorted((p.start.toordinal(), p.end.toordinal()) for p in pauses if p.end):
        if begin >= end:
            continue
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
    return spans


def review_deadline(
    calendar: WorkdayCalendar,
    accepted_on: date | None,
    pauses: Iterable[Pause] = (),
    *,
    watch_listed: bool = False,
    referred_to_state_council: bool = False,
    working_days: int = REVIEW_WORKING_DAYS,
    basis: str = "Reg. Art. 17(1)",
) -> Deadline:
    """The due date of MOFCOM's decision on an accepted application."""
    if watch_listed:
        return Deadline(
            None,
            None,
            0,
            False,
            "no statutory time limit: an importer or end user "
            "is on the Watch List (Reg. Art. 26(2))",
        )
    if referred_to_state_council:
        return Deadline(
            None,
            None,
            0,
            False,
            "no statutory time limit: referred to the State Council (Reg. Art. 17(2))",
        )
    if accepted_on is None:
        return Deadline(
            None, None, 0, False, "the clock starts when MOFCOM accepts the application"
        )
    stops = list(pauses)
    if any(p.end is None for p in stops):
        open_pause = next(p for p in stops if p.end is None)
        return Deadline(
            None,
            working_days,
            0,
            False,
            f"the clock is paused since {open_pause.start} ({open_pause.reason}, Reg. Art. 17(3))",
        )
    due, skipped, provisional = add_workdays(calendar, accepted_on, working_days, stops)
    reason = f"{working_days} working days from acceptance on {accepted_on} ({basis})"
    if skipped:
        reason += f", plus {skipped} working day(s) the clock was paused (Reg. Art. 17(3))"
    if provisional:
        reason += "; the official holiday schedule for part of this period is not yet published"
    return Deadline(due, working_days, skipped, provisional, reason)
