"""The audit trail as a keyed hash chain (records are kept at least 5 years: Reg. Art. 27).

Each event's hash covers its content and the previous event's hash, so editing an event
breaks its own hash and deleting one breaks the chain; the organisation also keeps the head
(last sequence number and hash), so removing the newest events is detected as well.

Events are keyed: their hash is an HMAC-SHA256 with a key that is not stored in the database
(``AuditKey``), over the organisation, the previous hash and the content, so whoever can write
the database cannot recompute the chain after an edit. Each event records its ``scheme``:
``hmac-sha256`` when keyed, ``sha256`` for a bare hash written without a key (before keys, or by
a command run without one). Bare events are checked as before; once a keyed event follows them,
its HMAC covers them too. A bare event after a keyed one is a break: the chain was written or
rewritten without the key.

What the database alone cannot show (the newest events deleted and the head moved back, or every
event deleted and the head reset) a signed checkpoint kept elsewhere shows: per organisation the
head's sequence number and hash, signed with the key (``checkpoint_document``,
``read_checkpoint``, ``check_against``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
PLAIN = "sha256"  # a bare hash chain: written without a key
KEYED = "hmac-sha256"  # keyed with the audit key
MIN_KEY_LENGTH = 32
CHECKPOINT_FORMAT = "rarex-audit-checkpoint/1"


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time (as some databases return it) is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


class AuditKey:
    """The secret the chain is keyed with and checkpoints are signed with.

    Two keys are derived from it, one for the chain and one for checkpoints; ``id`` names the
    key without revealing it (checkpoints carry it, so that a checkpoint signed with another key
    is told apart from a forged one).
    """

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_KEY_LENGTH:
            raise ValueError(f"an audit key has at least {MIN_KEY_LENGTH} characters")
        master = secret.encode("utf-8")
        self._chain = hmac.new(master, b"rarex audit chain", hashlib.sha256).digest()
        self._checkpoint = hmac.new(master, b"rarex audit checkpoint", hashlib.sha256).digest()
        self.id = hmac.new(master, b"rarex audit key id", hashlib.sha256).hexdigest()[:16]

    def chain_mac(self, message: str) -> str:
        return hmac.new(self._chain, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def sign(self, message: str) -> str:
        return hmac.new(self._checkpoint, message.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return f"AuditKey(id={self.id!r})"


class AuditKeyRequired(Exception):
    """The chain is keyed and no key was given to extend or check it."""


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
    """The bare (``sha256``) hash of an event: anyone can recompute it."""
    return hashlib.sha256((prev_hash + canonical(event.payload())).encode("utf-8")).hexdigest()


def keyed_hash(key: AuditKey, org_id: int, prev_hash: str, event: Event) -> str:
    """The keyed (``hmac-sha256``) hash of an organisation's event."""
    return key.chain_mac(
        canonical({"scheme": KEYED, "org_id": org_id, "prev_hash": prev_hash, **event.payload()})
    )


@dataclass(frozen=True)
class StoredEvent:
    event: Event
    prev_hash: str
    hash: str
    scheme: str = PLAIN


def link(prev_hash: str, event: Event, key: AuditKey | None, org_id: int) -> StoredEvent:
    """The event as the chain stores it after ``prev_hash``: keyed when there is a key."""
    if key is None:
        return StoredEvent(event, prev_hash, chain_hash(prev_hash, event), PLAIN)
    return StoredEvent(event, prev_hash, keyed_hash(key, org_id, prev_hash, event), KEYED)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"event {self.seq}: {self.reason}"


CHANGED = "its content was changed after it was written"


def verify_chain(
    events: Sequence[StoredEvent],
    head_seq: int,
    head_hash: str,
    key: AuditKey | None = None,
    org_id: int = 0,
) -> list[ChainProblem]:
    """Every break in the chain: edited events, missing events, a truncated tail, bare events
    after keyed ones. Raises ``AuditKeyRequired`` if there are keyed events and no key."""
    problems: list[ChainProblem] = []
    expected_prev = GENESIS
    expected_seq = 1
    last_keyed: int | None = None
    keyed: list[int] = []
    unmatched: list[int] = []
    for stored in sorted(events, key=lambda s: s.event.seq):
        seq = stored.event.seq
        if seq != expected_seq:
            problems.append(ChainProblem(expected_seq, f"missing (next present is {seq})"))
        if stored.prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "does not follow the previous event's hash"))
        if stored.scheme == KEYED:
            if key is None:
                raise AuditKeyRequired(f"event {seq} is keyed; give the audit key to check it")
            keyed.append(seq)
            last_keyed = seq
            if not hmac.compare_digest(
                keyed_hash(key, org_id, stored.prev_hash, stored.event), stored.hash
            ):
                unmatched.append(seq)
                problems.append(ChainProblem(seq, CHANGED))
        elif stored.scheme == PLAIN:
            if last_keyed is not None:
                problems.append(
                    ChainProblem(
                        seq,
                        f"is not keyed, but event {last_keyed} before it is: it was written "
                        "or rewritten without the audit key",
                    )
                )
            if chain_hash(stored.prev_hash, stored.event) != stored.hash:
                problems.append(ChainProblem(seq, CHANGED))
        else:
            problems.append(ChainProblem(seq, f"has an unknown scheme {stored.scheme!r}"))
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
    if len(keyed) > 1 and unmatched == keyed:
        # not one keyed event matches: most likely another key than the one they were written with
        problems = [p for p in problems if not (p.reason == CHANGED and p.seq in keyed)]
        problems.insert(
            0,
            ChainProblem(
                keyed[0],
                f"none of the {len(keyed)} keyed events from here on matches the audit key "
                f"(key id {key.id if key else ''}): it is not the key they were written with, "
                "or every one of them was rewritten",
            ),
        )
    return problems


def unkeyed(events: Iterable[StoredEvent]) -> list[int]:
    """The sequence numbers of the events written without a key."""
    return sorted(s.event.seq for s in events if s.scheme == PLAIN)


# ------------------------------------------------------------------ checkpoints


@dataclass(frozen=True)
class Head:
    """An organisation's chain head as a checkpoint records it."""

    org_id: int
    organisation: str
    seq: int
    hash: str


@dataclass(frozen=True)
class Checkpoint:
    created_at: str
    key_id: str
    heads: tuple[Head, ...]


class CheckpointRefused(Exception):
    """A checkpoint that cannot be used: not a checkpoint, another key's, or changed
    (``tampered``) since it was signed."""

    def __init__(self, message: str, tampered: bool = False) -> None:
        super().__init__(message)
        self.tampered = tampered


def checkpoint_document(
    key: AuditKey, created_at: datetime, heads: Iterable[Head]
) -> dict[str, Any]:
    """The checkpoint as a JSON document, signed with the key."""
    body: dict[str, Any] = {
        "format": CHECKPOINT_FORMAT,
        "created_at": utc(created_at).isoformat(timespec="seconds"),
        "key_id": key.id,
        "organisations": [
            {"id": h.org_id, "name": h.organisation, "seq": h.seq, "hash": h.hash}
            for h in sorted(heads, key=lambda h: h.org_id)
        ],
    }
    return {**body, "signature": key.sign(canonical(body))}


def read_checkpoint(document: Any, key: AuditKey) -> Checkpoint:
    """The checkpoint a document holds, once its key and signature are checked."""
    if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointRefused(f"it is not a rarex audit checkpoint ({CHECKPOINT_FORMAT})")
    if document.get("key_id") != key.id:
        raise CheckpointRefused(
            f"it was signed with the audit key {document.get('key_id')!r}, not with this one "
            f"({key.id!r})"
        )
    body = {name: value for name, value in document.items() if name != "signature"}
    signature = document.get("signature")
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature, key.sign(canonical(body))
    ):
        raise CheckpointRefused(
            "it was changed after it was signed (its signature does not match)", tampered=True
        )
    try:
        heads = tuple(
            Head(int(o["id"]), str(o["name"]), int(o["seq"]), str(o["hash"]))
            for o in document["organisations"]
        )
    except (KeyError, TypeError, ValueError):
        raise CheckpointRefused("its organisations are not in the checkpoint format") from None
    return Checkpoint(str(document.get("created_at")), key.id, heads)


def check_against(events: Sequence[StoredEvent], head: Head) -> list[ChainProblem]:
    """Does the chain still hold the checkpoint's head, unchanged?

    The chain's own hashes tie every event to the ones before it, so the head's hash standing
    unchanged shows that nothing up to it was edited, removed or rewritten.
    """
    if head.seq == 0:
        return []
    by_seq = {s.event.seq: s for s in events}
    stored = by_seq.get(head.seq)
    if stored is None:
        end = max(by_seq, default=0)
        if end < head.seq:
            reason = f"is in the checkpoint, but the chain ends at event {end}: " + (
                "every event was removed" if end == 0 else "events were removed"
            )
        else:
            reason = "is in the checkpoint, but missing from the chain"
        return [ChainProblem(head.seq, reason)]
    if not hmac.compare_digest(stored.hash, head.hash):
        return [
            ChainProblem(
                head.seq, "does not match the checkpoint: it, or an event before it, was rewritten"
            )
        ]
    return []
