"""The day the tests pin. Nothing in the suite reads the system clock: a test that depends on
"today" passes this day (``Settings(today=...)``, ``RAREX_TODAY``) or one of its own."""

from __future__ import annotations

from datetime import date

from rarex.clock import Clock

TODAY = date(2026, 11, 22)
CLOCK = Clock(TODAY)
