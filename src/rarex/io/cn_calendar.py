"""China's official working-day calendar, from maintained holiday-calendar packages.

``chinesecalendar`` carries the State Council's published schedules, make-up working days
(调休) included; it is the authority for every year it covers. For later years, whose schedule
is not yet published, the ``holidays`` package's rule-based Chinese holidays give a provisional
answer, and the calendar reports the day as not official.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar
import holidays


class ChinaCalendar:
    """``WorkdayCalendar`` for mainland China."""

    def __init__(self) -> None:
        self._fallback = holidays.country_holidays("CN")

    @lru_cache(maxsize=4096)  # noqa: B019 - one calendar per process, days are few
    def is_workday(self, day: date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5 and day not in self._fallback

    def is_official(self, day: date) -> bool:
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True
