"""Small builders of rule objects for tests that must not depend on the bundled rule files."""

from __future__ import annotations

from typing import Any

from rarex.core.rulebook import RuleBook
from rarex.core.schema import Instrument, Source

SOURCE = Source(id="S01", title="Test source", url="https://example.org/s01")
CITED: dict[str, Any] = {"verification": "official", "sources": ["S01"]}


def day_fact(value: str, verification: str = "official") -> dict[str, Any]:
    return {"value": value, "verification": verification, "sources": ["S01"]}


def end_fact(
    value: str,
    *,
    inclusive: bool = True,
    after: str = "unknown",
    inclusive_verification: str = "official",
) -> dict[str, Any]:
    return {
        "value": value,
        "inclusive": inclusive,
        "inclusive_verification": inclusive_verification,
        "after": after,
        **CITED,
    }


def limb(limb_id: str, commences: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "id": limb_id,
        "title": f"Limb {limb_id}",
        "commences": None if commences is None else day_fact(commences),
        **CITED,
        **extra,
    }


def instrument(inst_id: str, limbs: list[dict[str, Any]], **extra: Any) -> Instrument:
    data: dict[str, Any] = {
        "id": inst_id,
        "kind": "item_control",
        "jurisdiction": "CN",
        "title": {"en": f"Instrument {inst_id}"},
        "issuers": ["MOFCOM"],
        "announced": day_fact("2025-01-01"),
        "limbs": limbs,
        **CITED,
        **extra,
    }
    return Instrument.model_validate(data)


def suspension(
    inst_id: str,
    targets: list[str],
    starts: str,
    ends: dict[str, Any] | None,
    action: str = "suspend",
) -> Instrument:
    effect: dict[str, Any] = {
        "action": action,
        "targets": targets,
        "starts": day_fact(starts),
        **CITED,
    }
    if ends is not None:
        effect["ends"] = ends
    return instrument(inst_id, [limb("act", starts)], kind="suspension", effects=[effect])


def book(*instruments: Instrument) -> RuleBook:
    return RuleBook.build(instruments, [SOURCE])
