"""Does a licensing policy apply to this product and this shipment?

Each selector of a policy (destination, end-user type, end use, listed parties) either holds,
fails, or cannot be decided because the shipment leaves the fact out. The answer is ``True``,
``False`` or ``None`` (undecided) with the words that explain it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from rarex.core.schema import Policy
from rarex.core.verdict import Shipment
from rarex.core.vocab import EndUse, EndUserType


@dataclass(frozen=True)
class Applicability:
    applies: bool | None
    reasons: tuple[str, ...]
    missing: tuple[str, ...]


def applies(
    policy: Policy, shipment: Shipment, listed: Collection[str], listed_unsure: Collection[str]
) -> Applicability:
    """``listed``: entity lists the end user is on; ``listed_unsure``: lists whose listing of
    the end user has an uncertain status."""
    reasons: list[str] = []
    missing: list[str] = []
    decided = True
    selectors: list[tuple[str, Collection[str] | None, str | None, str]] = [
        (
            "destination",
            policy.destinations,
            shipment.destination,
            f"destination {shipment.destination}",
        ),
        (
            "end-user type",
            _values(policy.end_user_types),
            _known(shipment.end_user_type),
            f"{shipment.end_user_type.value} end user",
        ),
        (
            "end use",
            _values(policy.end_uses),
            _known(shipment.end_use),
            f"end use {shipment.end_use.value}",
        ),
    ]
    for name, allowed, given, reason in selectors:
        if allowed is None:
            continue
        if given is None:
            missing.append(f"{name} (policy covers {', '.join(allowed)})")
            decided = False
        elif given not in allowed:
            return Applicability(False, (), ())
        else:
            reasons.append(reason)
    if policy.listed_parties is not None:
        on = [list_id for list_id in policy.listed_parties if list_id in listed]
        unsure = [list_id for list_id in policy.listed_parties if list_id in listed_unsure]
        if on:
            reasons.append(f"end user listed on {', '.join(on)}")
        elif unsure:
            missing.append(f"whether the end user's listing on {', '.join(unsure)} applies")
            decided = False
        elif shipment.end_user is None:
            missing.append(
                f"end user (policy covers parties on {', '.join(policy.listed_parties)})"
            )
            decided = False
        else:
            return Applicability(False, (), ())
    return Applicability(True if decided else None, tuple(reasons), tuple(missing))


def _values(values: Collection[EndUse] | Collection[EndUserType] | None) -> list[str] | None:
    return None if values is None else [v.value for v in values]


def _known(value: EndUse | EndUserType) -> str | None:
    return None if value.value == "unknown" else value.value
