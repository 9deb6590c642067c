"""China's official working-day calendar, from maintained holiday-calendar packages.

``chinesecalendar`` carries the State Council's published schedules, make-up working days
(调休) included; it is the authority for every year it covers. For later years, whose schedule
is not yet published, the ``holidays`` package's rule-based Chinese holidays give a provisional
answer, and the calendar reports the day as not official.
"""

from __future__ import annotations

from datetime import date
from itertools import accumulate

import chinese_calendar
import holidays

from rarex.core.workdays import YearIndex


class ChinaCalendar:
    """``WorkdayCalendar`` (and ``IndexedCalendar``) for mainland China.

    A year is worked out whole the first time one of its days is asked (a few milliseconds)
    and kept, so that a deadline, or a list of thousands of them, is a few lookups per year
    rather than a call into the holiday packages per day.
    """

    def __init__(self) -> None:
        self._fallback = holidays.country_holidays("CN")
        self._years: dict[int, tuple[YearIndex, tuple[bool, ...], tuple[bool, ...]]] = {}

    def _year(self, year: int) -> tuple[YearIndex, tuple[bool, ...], tuple[bool, ...]]:
        known = self._years.get(year)
        if known is None:
            first = date(year, 1, 1).toordinal()
            working, official = [], []
            for ordinal in range(first, date(year, 12, 31).toordinal() + 1):
                day = date.fromordinal(ordinal)
                try:
                    working.append(bool(chinese_calendar.is_workday(day)))
                    official.append(True)
                except NotImplementedError:
                    working.append(day.weekday() < 5 and day not in self._fallback)
                    official.append(False)
            whole = all(official) or (False if not any(official) else None)
            index = YearIndex(first, (0, *accumulate(working)), whole)
            known = (index, tuple(working), tuple(official))
            self._years[year] = known
        return known

    def year_index(self, year: int) -> YearIndex:
        return self._year(year)[0]

    def is_workday(self, day: date) -> bool:
        index, working, _ = self._year(day.year)
        return working[day.toordinal() - index.first]

    def is_official(self, day: date) -> bool:
        index, _, official = self._year(day.year)
        return official[day.toordinal() - index.first]
