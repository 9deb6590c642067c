"""The audit trail as a hash chain (records are kept at least 5 years: Reg. Art. 27).

Each event's hash covers its content and the previous event's hash, so editing an event
breaks its own hash and deleting one breaks the chain; the organisation also keeps the head
(last sequence number and hash), so removing the newest events is detected as well.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time (as some databases return it) is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Event:
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    rulebook_sha256: str
    note: str | None = None

    def payload(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": utc(self.at).isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "entity": self.entity,
            "entity_id": self.entity_id,
            "before": self.before,
            "after": self.after,
            "rulebook_sha256": self.rulebook_sha256,
            "note": self.note,
        }


def chain_hash(prev_hash: str, event: Event) -> str:
    canonical = json.dumps(
        event.payload(), sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoredEvent:
    event: Event
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


def verify_chain(
    events: Sequence[StoredEvent], head_seq: int, head_hash: str
) -> list[ChainProblem]:
    """Every break in the chain: edited events, missing events, a truncated tail."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    for stored in sorted(events, key=lambda s: s.event.seq):
        seq = stored.event.seq
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"missing (next present is {seq})"))
        if stored.prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "does not follow the previous event's hash"))
        if chain_hash(stored.prev_hash, stored.event) != stored.hash:
            problems.append(ChainProblem(seq, "its content was changed after it was written"))
        expected_prev = stored.hash
        expected_seq = seq + 1
    if head_seq != expected_seq - 1 or (head_seq and head_hash != expected_prev):
        problems.append(
            ChainProblem(
                head_seq,
                f"the chain ends at event {expected_seq - 1} but the "
                f"recorded head is event {head_seq}",
            )
        )
    return problems
