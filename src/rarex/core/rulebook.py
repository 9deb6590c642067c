"""The rulebook and its resolution as of a date.

``RuleBook.at(day)`` returns an immutable ``Snapshot`` in which each limb has one status:

- ``not_yet_in_force`` before the limb commences;
- ``in_force`` from commencement until it ends, is suspended or is terminated;
- ``suspended`` while a suspension window of another instrument covers the day;
- ``expired`` after its own end (when the record says it simply expires) or after a
  terminating record;
- ``uncertain`` when a suspension or a temporary measure has run out and no later record
  says what followed, or when its commencement date is unknown.

A measure's status is derived from its limbs: in force if any limb is in force, else
uncertain if any is, else suspended, else not yet in force, else expired.

Every status carries the facts it rests on, so an answer that depends on a secondary or
unverified fact says so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from rarex.core.references import Problem, check_references
from rarex.core.schema import DateFact, Effect, EndFact, Instrument, Limb, MarketFigure, Source
from rarex.core.vocab import AfterEnd, EffectAction, Status, Verification, weakest

STATUS_PRECEDENCE: tuple[Status, ...] = (
    Status.IN_FORCE,
    Status.UNCERTAIN,
    Status.SUSPENDED,
    Status.NOT_YET_IN_FORCE,
    Status.EXPIRED,
)


class RulebookInvalid(Exception):
    """The instruments do not form a consistent rulebook."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} reference problem(s) in the rulebook")
        self.problems = problems


class UnknownReference(KeyError):
    """A measure or limb id that the rulebook does not hold."""

    def __str__(self) -> str:
        return f"unknown measure or limb: {self.args[0]}"


@dataclass(frozen=True)
class Basis:
    """One fact a status rests on."""

    description: str
    verification: Verification
    sources: tuple[str, ...]


@dataclass(frozen=True)
class LimbState:
    ref: str
    status: Status
    reason: str
    basis: tuple[Basis, ...]
    assumed: bool = False

    @property
    def verification(self) -> Verification:
        return weakest([b.verification for b in self.basis])

    @property
    def unverified(self) -> tuple[Basis, ...]:
        return tuple(b for b in self.basis if b.verification is Verification.UNVERIFIED)


@dataclass(frozen=True)
class MeasureState:
    id: str
    status: Status
    limbs: tuple[LimbState, ...]
    assumed: bool = False

    @property
    def verification(self) -> Verification:
        return weakest([limb.verification for limb in self.limbs])


@dataclass(frozen=True)
class Window:
    """A suspension or termination applied to a limb, with the instrument that applies it."""

    by: str
    effect: Effect


@dataclass(frozen=True)
class Snapshot:
    """The rulebook resolved as of one day. Immutable."""

    as_of: date
    rulebook_sha256: str
    assumptions: Mapping[str, Status]
    measures: Mapping[str, MeasureState]

    def measure(self, measure_id: str) -> MeasureState:
        try:
            return self.measures[measure_id]
        except KeyError:
            raise UnknownReference(measure_id) from None

    def limb(self, ref: str) -> LimbState:
        for limb in self.measure(ref.partition("/")[0]).limbs:
            if limb.ref == ref:
                return limb
        raise UnknownReference(ref)

    def status(self, ref: str) -> Status:
        """The status of a measure (``CN-2025-61``) or of one limb (``CN-2025-61/cl1.1``)."""
        return self.limb(ref).status if "/" in ref else self.measure(ref).status


@dataclass(frozen=True)
class RuleBook:
    """All instruments, the sources they cite and the content hash. Build with ``build``."""

    instruments: Mapping[str, Instrument]
    sources: Mapping[str, Source]
    sha256: str
    _windows: Mapping[str, tuple[Window, ...]] = field(repr=False)
    markets: Mapping[str, MarketFigure] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        instruments: Iterable[Instrument],
        sources: Iterable[Source],
        markets: Iterable[MarketFigure] = (),
    ) -> RuleBook:
        """Check references across instruments and index the suspensions by limb."""
        by_id = {inst.id: inst for inst in sorted(instruments, key=lambda i: i.id)}
        source_map = {src.id: src for src in sorted(sources, key=lambda s: s.id)}
        market_map = {m.id: m for m in sorted(markets, key=lambda m: m.id)}
        problems = check_references(by_id, source_map)
        if problems:
            raise RulebookInvalid(problems)
        windows: dict[str, list[Window]] = {}
        for inst in by_id.values():
            for effect in inst.effects:
                for target in effect.targets:
                    for ref in _expand_limbs(target, by_id):
                        windows.setdefault(ref, []).append(Window(inst.id, effect))
        return cls(
            instruments=MappingProxyType(by_id),
            sources=MappingProxyType(source_map),
            sha256=content_hash(by_id.values(), source_map.values(), market_map.values()),
            _windows=MappingProxyType({k: tuple(v) for k, v in windows.items()}),
            markets=MappingProxyType(market_map),
        )

    def windows_of(self, ref: str) -> tuple[Window, ...]:
        """The suspension and termination windows other instruments apply to one limb."""
        return self._windows.get(ref, ())

    def resolve_ref(self, ref: str) -> None:
        """Raise ``UnknownReference`` unless ``ref`` names a measure or one of its limbs."""
        measure_id, _, limb_id = ref.partition("/")
        inst = self.instruments.get(measure_id)
        if inst is None or (limb_id and limb_id not in {limb.id for limb in inst.limbs}):
            raise UnknownReference(ref)

    def at(self, day: date, assumptions: Mapping[str, Status] | None = None) -> Snapshot:
        """The rulebook as of ``day``; ``assumptions`` override statuses for what-if work."""
        assumed = dict(assumptions or {})
        for ref in assumed:
            self.resolve_ref(ref)
        measures = {
            inst.id: self._measure_state(inst, day, assumed) for inst in self.instruments.values()
        }
        return Snapshot(
            as_of=day,
            rulebook_sha256=self.sha256,
            assumptions=MappingProxyType(assumed),
            measures=MappingProxyType(measures),
        )

    def state_of(self, measure_id: str, day: date) -> MeasureState:
        """One measure as of ``day`` (no assumptions): cheaper than a whole snapshot."""
        inst = self.instruments.get(measure_id)
        if inst is None:
            raise UnknownReference(measure_id)
        return self._measure_state(inst, day, {})

    def _measure_state(
        self, inst: Instrument, day: date, assumed: Mapping[str, Status]
    ) -> MeasureState:
        limbs = []
        for limb in inst.limbs:
            ref = f"{inst.id}/{limb.id}"
            override = assumed.get(ref, assumed.get(inst.id))
            if override is not None:
                limbs.append(
                    LimbState(ref, override, f"assumed {override} for what-if analysis", (), True)
                )
            else:
                limbs.append(resolve_limb(ref, limb, self.windows_of(ref), day, limb.not_before))
        states = tuple(limbs)
        if inst.id in assumed:
            return MeasureState(inst.id, assumed[inst.id], states, True)
        return MeasureState(
            inst.id,
            derive_measure_status([s.status for s in states]),
            states,
            any(s.assumed for s in states),
        )

    def boundaries(self, measure_id: str) -> list[date]:
        """Every day on which a limb of the measure may change status, in order."""
        inst = self.instruments[measure_id]
        days: set[date] = set()
        for limb in inst.limbs:
            if limb.commences is not None:
                days.add(limb.commences.value)
            elif limb.not_before is not None:
                days.add(limb.not_before.value)
            if limb.ends is not None:
                days.add(limb.ends.last_day + timedelta(days=1))
            for window in self.windows_of(f"{inst.id}/{limb.id}"):
                days.add(window.effect.starts.value)
                if window.effect.ends is not None:
                    days.add(window.effect.ends.last_day + timedelta(days=1))
        return sorted(days)

    def transitions(self, measure_id: str) -> list[tuple[date, Status, Status]]:
        """The days on which the measure's own status changes: (day, before, after)."""
        result = []
        for day in self.boundaries(measure_id):
            before = self.state_of(measure_id, day - timedelta(days=1)).status
            after = self.state_of(measure_id, day).status
            if before is not after:
                result.append((day, before, after))
        return result


def derive_measure_status(statuses: list[Status]) -> Status:
    """In force if any limb is; else uncertain; else suspended; else not yet; else expired."""
    for status in STATUS_PRECEDENCE:
        if status in statuses:
            return status
    return Status.EXPIRED


def resolve_limb(
    ref: str,
    limb: Limb,
    windows: tuple[Window, ...],
    day: date,
    not_before: DateFact | None = None,
) -> LimbState:
    """The status of one limb on ``day``, with the reason and the facts it rests on.

    ``not_before`` bounds a limb whose commencement is unknown: before that day (usually the
    announcement) it cannot be in force yet.
    """
    started = [w for w in windows if w.effect.starts.value <= day]
    terminations = [w for w in started if w.effect.action is EffectAction.TERMINATE]
    if terminations:
        first = min(terminations, key=lambda w: w.effect.starts.value)
        return LimbState(
            ref,
            Status.EXPIRED,
            f"terminated by {first.by} from {first.effect.starts.value}",
            (_date_basis(f"{first.by} takes effect", first.effect.starts),),
        )

    if limb.ends is not None and day > limb.ends.last_day:
        basis = (_end_basis("end of the limb", limb.ends, day),)
        if limb.ends.after is AfterEnd.EXPIRES:
            return LimbState(ref, Status.EXPIRED, f"ended after {limb.ends.last_day}", basis)
        return LimbState(
            ref,
            Status.UNCERTAIN,
            f"the temporary measure ran out after {limb.ends.last_day} "
            "and no later record says what followed",
            basis,
        )

    suspensions = [w for w in started if w.effect.action is EffectAction.SUSPEND]
    covering = [w for w in suspensions if _covers(w.effect, day)]
    if covering:
        window = min(covering, key=lambda w: w.effect.starts.value)
        window_basis = [_date_basis(f"suspension by {window.by} starts", window.effect.starts)]
        until = "with no stated end"
        if window.effect.ends is not None:
            until = f"until {window.effect.ends.last_day}"
            window_basis.append(
                _end_basis(f"suspension by {window.by} ends", window.effect.ends, day)
            )
        return LimbState(
            ref, Status.SUSPENDED, f"suspended by {window.by} {until}", tuple(window_basis)
        )

    ended = [w for w in suspensions if w.effect.ends is not None]
    if ended:
        last = max(ended, key=lambda w: _last_day(w.effect))
        end = last.effect.ends
        assert end is not None
        if end.after is AfterEnd.UNKNOWN:
            return LimbState(
                ref,
                Status.UNCERTAIN,
                f"the suspension by {last.by} ran out after {end.last_day} "
                "and no later record says what followed",
                (_end_basis(f"suspension by {last.by} ends", end, day),),
            )

    if limb.commences is None and not_before is not None and day < not_before.value:
        return LimbState(
            ref,
            Status.NOT_YET_IN_FORCE,
            f"not before {not_before.value}; the commencement date itself is not known",
            (_date_basis("earliest possible commencement", not_before),),
        )
    if limb.commences is None:
        return LimbState(
            ref,
            Status.UNCERTAIN,
            "the commencement date is not known",
            (Basis("commencement date unknown", Verification.UNVERIFIED, limb.sources),),
        )
    start = _date_basis("commencement", limb.commences)
    if day < limb.commences.value:
        return LimbState(
            ref, Status.NOT_YET_IN_FORCE, f"commences on {limb.commences.value}", (start,)
        )
    in_force_basis = [start]
    if limb.ends is not None:
        in_force_basis.append(_end_basis("end of the limb", limb.ends, day))
    return LimbState(
        ref, Status.IN_FORCE, f"in force since {limb.commences.value}", tuple(in_force_basis)
    )


def _covers(effect: Effect, day: date) -> bool:
    return effect.starts.value <= day and (effect.ends is None or day <= effect.ends.last_day)


def _last_day(effect: Effect) -> date:
    return effect.ends.last_day if effect.ends is not None else date.max


def _date_basis(what: str, fact: DateFact) -> Basis:
    return Basis(f"{what}: {fact.value}", fact.verification, fact.sources)


def _end_basis(what: str, fact: EndFact, day: date) -> Basis:
    """The end date as a basis; its inclusiveness only matters on the stated day itself."""
    inclusive = "inclusive" if fact.inclusive else "exclusive"
    tags = [fact.verification]
    if day == fact.value:
        tags.append(fact.inclusive_verification)
        inclusive += f", {fact.inclusive_verification}"
    return Basis(f"{what}: {fact.value} ({inclusive})", weakest(tags), fact.sources)


def _expand_limbs(target: str, instruments: Mapping[str, Instrument]) -> list[str]:
    inst_id, _, limb_id = target.partition("/")
    if limb_id:
        return [target]
    return [f"{inst_id}/{limb.id}" for limb in instruments[inst_id].limbs]


def content_hash(
    instruments: Iterable[Instrument],
    sources: Iterable[Source],
    markets: Iterable[MarketFigure] = (),
) -> str:
    """sha256 of the canonical JSON of every instrument, source and market figure, in id order.

    Market figures join the payload only when there are some, so that a rulebook without
    them keeps the hash it had before they existed.
    """
    payload: dict[str, list[dict[str, object]]] = {
        "instruments": [inst.model_dump(mode="json") for inst in instruments],
        "sources": [src.model_dump(mode="json") for src in sources],
    }
    market_list = [figure.model_dump(mode="json") for figure in markets]
    if market_list:
        payload["markets"] = market_list
    canonical = json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), check_circular=False
    )  # the payload is a tree: not checking for cycles gives the same text sooner
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
