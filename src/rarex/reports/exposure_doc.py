"""The exposure report and the duty overlay as JSON-ready documents.

The documents mirror the typed results field by field (``dataclasses.asdict``), with dates as
ISO strings, enums as their values, decimals as strings and no infinite numbers; the
resumption case leaves out its two full exposure runs and keeps the changes.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from rarex.core.duties import DutyOverlay
from rarex.services.exposure import ExposureReport


def plain(value: Any) -> Any:
    """``value`` with every dataclass, mapping, date, enum and decimal made JSON-ready."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(plain(k)): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def exposure_document(report: ExposureReport) -> dict[str, Any]:
    exposure = plain(report.exposure)
    document: dict[str, Any] = {
        "as_of": exposure.pop("as_of"),
        "rulebook": {"sha256": exposure.pop("rulebook_sha256")},
        "source": report.source,
        "lead_time": plain(report.lead_time),
        **exposure,
        "resumption": None,
    }
    if report.resumption is not None:
        resumption = report.resumption
        document["resumption"] = {
            "on": resumption.on.isoformat(),
            "assumptions": plain(resumption.assumptions),
            "suspended_by": list(resumption.suspended_by),
            "changes": plain(resumption.changes),
            "revenue_newly_at_risk": resumption.revenue_newly_at_risk,
            "currency": resumption.currency,
            "products_without_sales": list(resumption.products_without_sales),
        }
    return document


def duties_document(overlay: DutyOverlay) -> dict[str, Any]:
    document = plain(overlay)
    document["rulebook"] = {"sha256": document.pop("rulebook_sha256")}
    return {"estimate": True, **document}
