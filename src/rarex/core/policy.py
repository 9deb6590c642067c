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
    if policy.destinations is not None:
        if shipment.destination is None:
            missing.append(f"destination (policy covers {', '.join(policy.destinations)})")
            decided = False
        elif shipment.destination not in policy.destinations:
            return Applicability(False, (), ())
        else:
            reasons.append(f"destination {shipment.destination}")
    if policy.end_user_types is not None:
        if shipment.end_user_type is EndUserType.UNKNOWN:
            missing.append(f"end-user type (policy covers {_join(policy.end_user_types)})")
            decided = False
        elif shipment.end_user_type not in policy.end_user_types:
            return Applicability(False, (), ())
        else:
            reasons.append(f"{shipment.end_user_type.value} end user")
    if policy.end_uses is not None:
        if shipment.end_use is EndUse.UNKNOWN:
            missing.append(f"end use (policy covers {_join(policy.end_uses)})")
            decided = False
        elif shipment.end_use not in policy.end_uses:
            return Applicability(False, (), ())
        else:
            reasons.append(f"end use {shipment.end_use.value}")
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


def _join(values: Collection[EndUse] | Collection[EndUserType]) -> str:
    return ", ".join(v.value for v in values)
