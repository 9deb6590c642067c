"""Status windows of a measure over a period: the data behind ``rarex rules timeline``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from rarex.core.rulebook import LimbState, RuleBook, UnknownReference
from rarex.core.vocab import Status


@dataclass(frozen=True)
class StatusWindow:
    """A run of days with one status; ``end`` is inclusive, ``None`` means open-ended."""

    start: date
    end: date | None
    status: Status


def measure_windows(
    rulebook: RuleBook, measure_id: str, limb_id: str | None = None
) -> list[StatusWindow]:
    """Every window of constant status of a measure (or one of its limbs), from date.min.

    Statuses only change on boundary days, so evaluating each boundary is exact.
    """
    ref = f"{measure_id}/{limb_id}" if limb_id else measure_id
    starts = [date.min, *rulebook.boundaries(measure_id)]
    windows: list[StatusWindow] = []
    for day in starts:
        state = rulebook.state_of(measure_id, day)
        status = state.status if limb_id is None else _limb_status(state.limbs, ref)
        if windows and windows[-1].status is status:
            continue
        if windows:
            last = windows[-1]
            windows[-1] = StatusWindow(last.start, day - timedelta(days=1), last.status)
        windows.append(StatusWindow(day, None, status))
    return windows


def _limb_status(limbs: tuple[LimbState, ...], ref: str) -> Status:
    for limb in limbs:
        if limb.ref == ref:
            return limb.status
    raise UnknownReference(ref)


def clip(windows: list[StatusWindow], start: date, end: date) -> list[StatusWindow]:
    """The windows that overlap [start, end], cut to it."""
    clipped = []
    for window in windows:
        w_end = window.end or date.max
        if w_end < start or window.start > end:
            continue
        clipped.append(StatusWindow(max(window.start, start), min(w_end, end), window.status))
    return clipped
