"""Turn rulebook answers into JSON-ready dicts and Rich renderables. No business rules here."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.table import Table
from rich.text import Text

from rarex.core.rulebook import LimbState, MeasureState, RuleBook, Snapshot
from rarex.core.schema import Instrument
from rarex.core.timeline import StatusWindow
from rarex.core.vocab import Status, Verification

STATUS_STYLE: dict[Status, str] = {
    Status.IN_FORCE: "bold green",
    Status.SUSPENDED: "yellow",
    Status.UNCERTAIN: "bold magenta",
    Status.NOT_YET_IN_FORCE: "cyan",
    Status.EXPIRED: "dim",
}

STATUS_GLYPH: dict[Status, str] = {
    Status.IN_FORCE: "█",
    Status.SUSPENDED: "▒",
    Status.UNCERTAIN: "?",
    Status.NOT_YET_IN_FORCE: "·",
    Status.EXPIRED: " ",
}


def status_text(status: Status) -> Text:
    return Text(status.value, style=STATUS_STYLE[status])


def limb_json(state: LimbState) -> dict[str, Any]:
    return {
        "id": state.ref.split("/", 1)[1],
        "ref": state.ref,
        "status": state.status.value,
        "reason": state.reason,
        "verification": state.verification.value,
        "assumed": state.assumed,
        "rests_on": [
            {
                "fact": b.description,
                "verification": b.verification.value,
                "sources": list(b.sources),
            }
            for b in state.basis
        ],
    }


def measure_json(snapshot: Snapshot, state: MeasureState, inst: Instrument) -> dict[str, Any]:
    return {
        "id": state.id,
        "as_of": snapshot.as_of.isoformat(),
        "kind": inst.kind.value,
        "title": inst.title.en,
        "status": state.status.value,
        "verification": state.verification.value,
        "assumed": state.assumed,
        "limbs": [limb_json(limb) for limb in state.limbs],
        "rulebook_sha256": snapshot.rulebook_sha256,
        "assumptions": {k: v.value for k, v in snapshot.assumptions.items()},
    }


def caveat(state: MeasureState | LimbState) -> str:
    """A short warning when a status rests on less than official facts."""
    if state.verification is Verification.OFFICIAL:
        return ""
    return state.verification.value


def measures_table(rulebook: RuleBook, snapshot: Snapshot, ids: list[str]) -> Table:
    table = Table(title=f"China critical-mineral export controls as of {snapshot.as_of}")
    table.add_column("Measure", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    table.add_column("Title")
    table.add_column("Limbs")
    table.add_column("Weakest fact", style="dim")
    for measure_id in ids:
        state = snapshot.measure(measure_id)
        inst = rulebook.instruments[measure_id]
        limbs = Text()
        for limb in state.limbs:
            if limbs:
                limbs.append("\n")
            limbs.append(limb.ref.split("/", 1)[1] + " ")
            limbs.append(limb.status.value, style=STATUS_STYLE[limb.status])
        marker = " (assumed)" if state.assumed else ""
        table.add_row(
            measure_id, status_text(state.status) + marker, inst.title.en, limbs, caveat(state)
        )
    return table


def windows_json(windows: list[StatusWindow]) -> list[dict[str, Any]]:
    return [
        {
            "from": None if w.start == date.min else w.start.isoformat(),
            "to": None if w.end is None else w.end.isoformat(),
            "status": w.status.value,
        }
        for w in windows
    ]


def windows_text(windows: list[StatusWindow]) -> Text:
    text = Text()
    for w in windows:
        if w.status is Status.NOT_YET_IN_FORCE and w.start == date.min:
            continue
        if text:
            text.append("; ")
        start = "…" if w.start == date.min else w.start.isoformat()
        end = "" if w.end is None else w.end.isoformat()
        text.append(f"{start}→{end} ")
        text.append(w.status.value, style=STATUS_STYLE[w.status])
    return text


def bar(windows: list[StatusWindow], cells: list[date]) -> Text:
    """One glyph per cell: the status on the cell's first day."""
    text = Text()
    for day in cells:
        for w in windows:
            if w.start <= day and (w.end is None or day <= w.end):
                text.append(STATUS_GLYPH[w.status], style=STATUS_STYLE[w.status])
                break
    return text


def legend() -> Text:
    text = Text("Legend: ")
    for status, glyph in STATUS_GLYPH.items():
        text.append(f"{glyph or ' '}", style=STATUS_STYLE[status])
        text.append(f" {status.value}   ")
    return text
