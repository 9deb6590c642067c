"""Ownership chains: is a party owned 50 % or more by a listed party, directly or through others?

CN-2025-61 clause 2 extends the denial in principle to subsidiaries and branches owned 50 % or
more by Control List or Watch List parties. Shares multiply along a chain of owners and add up
over separate chains (A owns 30 % of C directly and 40 % of B, which owns all of C: 70 %).
Every flag shows the chains it rests on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

CONTROL_SHARE = Decimal("0.5")
MAX_DEPTH = 12


@dataclass(frozen=True)
class Link:
    """``owner`` holds ``share`` (0-1) of ``owned``."""

    owner: str
    owned: str
    share: Decimal

    def __post_init__(self) -> None:
        if not Decimal(0) < self.share <= Decimal(1):
            raise ValueError(f"{self.owner} → {self.owned}: share {self.share} is not in (0, 1]")


@dataclass(frozen=True)
class Chain:
    parties: tuple[str, ...]  # from the listed owner down to the party
    share: Decimal

    def __str__(self) -> str:
        return " → ".join(self.parties) + f" ({self.share:.2%})"


@dataclass(frozen=True)
class OwnershipFlag:
    party: str
    listed_owner: str
    share: Decimal
    chains: tuple[Chain, ...]


def owned_by_listed(
    party: str, links: Iterable[Link], listed: Iterable[str], threshold: Decimal = CONTROL_SHARE
) -> list[OwnershipFlag]:
    """Every listed party that owns ``threshold`` or more of ``party``, with the chains."""
    owners: dict[str, list[Link]] = {}
    for link in links:
        owners.setdefault(link.owned, []).append(link)
    flags = []
    for owner in sorted(set(listed)):
        if owner == party:
            continue
        chains = list(_chains(owner, party, owners))
        total = sum((c.share for c in chains), Decimal(0))
        if chains and total >= threshold:
            flags.append(OwnershipFlag(party, owner, min(total, Decimal(1)), tuple(chains)))
    return flags


def _chains(owner: str, party: str, owners: Mapping[str, list[Link]]) -> Iterable[Chain]:
    """Every simple chain from ``owner`` down to ``party`` (walking up from the party)."""
    stack: list[tuple[str, tuple[str, ...], Decimal]] = [(party, (party,), Decimal(1))]
    while stack:
        node, path, share = stack.pop()
        for link in owners.get(node, ()):
            if link.owner in path or len(path) > MAX_DEPTH:
                continue  # ownership cycles and absurd depths are not followed
            new_share = share * link.share
            new_path = (link.owner, *path)
            if link.owner == owner:
                yield Chain(new_path, new_share)
            else:
                stack.append((link.owner, new_path, new_share))
