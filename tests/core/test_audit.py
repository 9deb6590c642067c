"""The keyed audit chain and its signed checkpoints, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rarex.core.audit import (
    GENESIS,
    KEYED,
    PLAIN,
    AuditKey,
    AuditKeyRequired,
    CheckpointRefused,
    Event,
    Head,
    StoredEvent,
    chain_hash,
    check_against,
    checkpoint_document,
    link,
    read_checkpoint,
    unkeyed,
    verify_chain,
)

KEY = AuditKey("k" * 40)
OTHER = AuditKey("o" * 40)
AT = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
ORG = 1


def event(seq: int, actor: str = "ana@acme.test") -> Event:
    return Event(
        seq,
        AT + timedelta(minutes=seq),
        actor,
        "application.edited",
        "application",
        "1",
        None,
        {"n": seq},
        "f" * 64,
    )


def relink(events: list[Event], key: AuditKey | None, keyed_from: int = 1) -> list[StoredEvent]:
    """A chain of ``events``: bare before ``keyed_from``, keyed with ``key`` from there on."""
    out: list[StoredEvent] = []
    prev = GENESIS
    for e in events:
        stored = link(prev, e, key if e.seq >= keyed_from else None, ORG)
        out.append(stored)
        prev = stored.hash
    return out


def chain(n: int = 5, keyed_from: int = 1) -> list[StoredEvent]:
    return relink([event(seq) for seq in range(1, n + 1)], KEY, keyed_from)


def verify(events: list[StoredEvent], key: AuditKey | None = KEY, org: int = ORG) -> list[str]:
    head = events[-1] if events else None
    return [
        str(p)
        for p in verify_chain(
            events, head.event.seq if head else 0, head.hash if head else GENESIS, key, org
        )
    ]


def recompute_plainly(events: list[StoredEvent], start: int) -> list[StoredEvent]:
    """What someone without the key can do: rehash from ``start`` on with the bare hash, each
    event keeping its scheme."""
    out: list[StoredEvent] = []
    prev = GENESIS
    for s in events:
        if s.event.seq >= start:
            s = StoredEvent(s.event, prev, chain_hash(prev, s.event), s.scheme)
        out.append(s)
        prev = s.hash
    return out


def test_a_keyed_chain_verifies_with_its_key_only() -> None:
    events = chain()
    assert [s.scheme for s in events] == [KEYED] * 5
    assert verify(events) == []
    assert verify(events, OTHER) == [
        f"event 1: none of the 5 keyed events from here on matches the audit key (key id "
        f"{OTHER.id}): it is not the key they were written with, or every one of them was "
        "rewritten"
    ]
    with pytest.raises(AuditKeyRequired, match="event 1 is keyed"):
        verify(events, None)


def test_a_chain_copied_to_another_organisation_does_not_verify_there() -> None:
    assert verify(chain(), org=2)[0].startswith("event 1: none of the 5 keyed events")


def test_an_event_edited_and_the_chain_rehashed_without_the_key_is_caught() -> None:
    events = chain()
    events[2] = replace(events[2], event=event(3, actor="mallory@acme.test"))
    rehashed = recompute_plainly(events, start=3)
    assert verify(rehashed) == [
        "event 3: its content was changed after it was written",
        "event 4: its content was changed after it was written",
        "event 5: its content was changed after it was written",
    ]


def test_events_rehashed_as_bare_after_keyed_ones_are_caught() -> None:
    events = chain()
    events[2] = replace(events[2], event=event(3, actor="mallory@acme.test"))
    downgraded = [s if s.event.seq < 3 else replace(s, scheme=PLAIN) for s in events]
    downgraded = recompute_plainly(downgraded, start=3)
    problems = verify(downgraded)
    assert problems[0] == (
        "event 3: is not keyed, but event 2 before it is: it was written or rewritten without "
        "the audit key"
    )
    assert len(problems) == 3  # events 3, 4 and 5, and none of them "changed": rehashed


def test_bare_events_before_the_key_are_covered_by_the_keyed_events_after_them() -> None:
    events = chain(keyed_from=3)
    assert [s.scheme for s in events] == [PLAIN, PLAIN, KEYED, KEYED, KEYED]
    assert verify(events) == []
    assert unkeyed(events) == [1, 2]
    events[0] = replace(events[0], event=event(1, actor="mallory@acme.test"))
    rewritten = recompute_plainly(events, start=1)[:2] + events[2:]
    assert verify(rewritten) == ["event 3: does not follow the previous event's hash"]
    relinked = [*rewritten[:2], replace(rewritten[2], prev_hash=rewritten[1].hash), *events[3:]]
    assert verify(relinked) == ["event 3: its content was changed after it was written"]


def test_a_bare_chain_verifies_without_a_key() -> None:
    events = relink([event(seq) for seq in range(1, 4)], None)
    assert verify(events, None) == [] and unkeyed(events) == [1, 2, 3]


def heads(events: list[StoredEvent]) -> list[Head]:
    return [Head(ORG, "acme", events[-1].event.seq, events[-1].hash)]


def test_a_checkpoint_is_signed_and_read_back() -> None:
    document = checkpoint_document(KEY, AT, heads(chain()))
    assert document["format"] == "rarex-audit-checkpoint/1"
    assert document["key_id"] == KEY.id and len(document["signature"]) == 64
    assert document["organisations"] == [
        {"id": ORG, "name": "acme", "seq": 5, "hash": chain()[-1].hash}
    ]
    checkpoint = read_checkpoint(document, KEY)
    assert checkpoint.heads == tuple(heads(chain()))
    assert checkpoint.created_at == "2026-11-22T09:00:00+00:00"


def test_a_checkpoint_changed_after_signing_or_signed_with_another_key_is_refused() -> None:
    document = checkpoint_document(KEY, AT, heads(chain()))
    lowered: dict[str, Any] = {**document, "organisations": [{**document["organisations"][0]}]}
    lowered["organisations"][0]["seq"] = 3
    with pytest.raises(CheckpointRefused, match="changed after it was signed") as info:
        read_checkpoint(lowered, KEY)
    assert info.value.tampered
    with pytest.raises(CheckpointRefused, match="signed with the audit key") as info:
        read_checkpoint(document, OTHER)
    assert not info.value.tampered
    with pytest.raises(CheckpointRefused, match="not a rarex audit checkpoint"):
        read_checkpoint({"organisations": []}, KEY)


def test_the_chain_is_held_to_the_checkpoint() -> None:
    events = chain()
    [head] = heads(events)
    grown = chain(7)
    assert check_against(grown, head) == []
    truncated = events[:4]
    assert verify(truncated) == []  # the head moved back with the events: the chain alone agrees
    assert [str(p) for p in check_against(truncated, head)] == [
        "event 5: is in the checkpoint, but the chain ends at event 4: events were removed"
    ]
    assert [str(p) for p in check_against([], head)] == [
        "event 5: is in the checkpoint, but the chain ends at event 0: every event was removed"
    ]
    rewritten = relink([event(seq, "mallory@acme.test") for seq in range(1, 6)], None)
    assert verify(rewritten, None) == []
    assert [str(p) for p in check_against(rewritten, head)] == [
        "event 5: does not match the checkpoint: it, or an event before it, was rewritten"
    ]


def test_an_audit_key_is_long_and_does_not_show_itself() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        AuditKey("short")
    assert "k" * 10 not in repr(KEY) and KEY.id in repr(KEY)
    assert KEY.id != OTHER.id
