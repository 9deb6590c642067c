"""The one clock. The entry points (the CLI's root command and the app factory) build it from
the settings and pass it, or the day it gives, down; nothing below them reads the system clock.

``RAREX_TODAY`` pins the day for demos and tests. A pinned clock keeps the real time of day,
so that records made on the pinned day still come in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime


def system_time() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Clock:
    """The day every answer is given for and the time records are stamped with.

    ``source`` is where the time comes from: the system clock, or a test's own."""

    pinned: date | None = None
    source: Callable[[], datetime] = system_time

    def today(self) -> date:
        return self.pinned if self.pinned is not None else self.source().astimezone().date()

    def now(self) -> datetime:
        real = self.source()
        if self.pinned is None:
            return real
        return datetime.combine(self.pinned, real.timetz())
