"""Reference checks across the whole rulebook.

Each rule file is valid on its own once pydantic accepts it; these checks cover what one
file cannot know alone: unique local ids, limbs and items named by other records, source
ids, and references to other instruments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

from pydantic import BaseModel

from rarex.core.schema import Instrument, Source
from rarex.core.vocab import InstrumentKind

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """A reference that does not resolve, located by instrument id and field location."""

    instrument: str
    loc: Loc
    reason: str


def check_references(
    instruments: Mapping[str, Instrument], sources: Mapping[str, Source]
) -> list[Problem]:
    """Every problem in the references of ``instruments`` (empty when all resolve)."""
    problems: list[Problem] = []
    for instrument in instruments.values():
        problems.extend(_check_instrument(instrument, instruments, sources))
    return problems


def _check_instrument(
    inst: Instrument, instruments: Mapping[str, Instrument], sources: Mapping[str, Source]
) -> Iterable[Problem]:
    def problem(loc: Loc, reason: str) -> Problem:
        return Problem(inst.id, loc, reason)

    if not _cited_ids(inst) <= sources.keys():
        for loc, source_id in _source_refs(inst, ()):
            if source_id not in sources:
                yield problem(loc, f"unknown source id {source_id!r} (not in sources.yaml)")

    limb_ids = yield from _unique_ids(inst.id, inst.limbs, "limbs")
    item_ids = yield from _unique_ids(inst.id, inst.items, "items")
    yield from _unique_ids(inst.id, inst.policies, "policies")
    yield from _unique_ids(inst.id, inst.duties, "duties")

    for i, limb in enumerate(inst.limbs):
        for j, item in enumerate(limb.items or ()):
            if item not in item_ids:
                yield problem(("limbs", i, "items", j), f"unknown item id {item!r}")
    for i, policy in enumerate(inst.policies):
        if policy.limb not in limb_ids:
            yield problem(("policies", i, "limb"), f"unknown limb id {policy.limb!r}")
        for j, ref in enumerate(policy.items or ()):
            reason = _item_ref_problem(ref, item_ids, instruments)
            if reason:
                yield problem(("policies", i, "items", j), reason)
        for j, list_id in enumerate(policy.listed_parties or ()):
            target = instruments.get(list_id)
            if target is None or target.kind is not InstrumentKind.ENTITY_LIST:
                yield problem(
                    ("policies", i, "listed_parties", j), f"unknown entity list id {list_id!r}"
                )
    for i, duty in enumerate(inst.duties):
        if duty.limb not in limb_ids:
            yield problem(("duties", i, "limb"), f"unknown limb id {duty.limb!r}")
    rule = inst.extraterritorial
    if rule is not None:
        for name in ("content_limb", "technology_limb", "origin_limb"):
            if getattr(rule, name) not in limb_ids:
                yield problem(
                    ("extraterritorial", name), f"unknown limb id {getattr(rule, name)!r}"
                )
        for name in ("input_items", "caught_items"):
            for j, item in enumerate(getattr(rule, name)):
                if item not in item_ids:
                    yield problem(("extraterritorial", name, j), f"unknown item id {item!r}")
    if inst.consolidated_into is not None and inst.consolidated_into not in instruments:
        yield problem(("consolidated_into",), f"unknown instrument id {inst.consolidated_into!r}")
    for i, effect in enumerate(inst.effects):
        for j, limb_ref in enumerate(effect.targets):
            reason = _limb_ref_problem(limb_ref, inst.id, instruments)
            if reason:
                yield problem(("effects", i, "targets", j), reason)


def _unique_ids(instrument_id: str, records: tuple[Any, ...], field: str) -> Any:
    """Yield a problem per repeated id; return the set of ids."""
    seen: set[str] = set()
    for index, record in enumerate(records):
        if record.id in seen:
            yield Problem(instrument_id, (field, index, "id"), f"duplicate id {record.id!r}")
        seen.add(record.id)
    return seen


def _item_ref_problem(ref: str, local: set[str], instruments: Mapping[str, Instrument]) -> str:
    if "/" not in ref:
        return "" if ref in local else f"unknown item id {ref!r}"
    inst_id, item_id = ref.split("/", 1)
    target = instruments.get(inst_id)
    if target is None:
        return f"unknown instrument id {inst_id!r} in item reference {ref!r}"
    if item_id != "*" and item_id not in {item.id for item in target.items}:
        return f"unknown item id {item_id!r} in {inst_id}"
    if item_id == "*" and not target.items:
        return f"{inst_id} has no items to refer to"
    return ""


def _limb_ref_problem(ref: str, own_id: str, instruments: Mapping[str, Instrument]) -> str:
    inst_id, _, limb_id = ref.partition("/")
    if inst_id == own_id:
        return "an instrument cannot suspend or terminate its own limbs"
    target = instruments.get(inst_id)
    if target is None:
        return f"unknown instrument id {inst_id!r}"
    if limb_id and limb_id not in {limb.id for limb in target.limbs}:
        return f"unknown limb id {limb_id!r} in {inst_id}"
    return ""


def _source_refs(model: BaseModel, loc: Loc) -> Iterable[tuple[Loc, str]]:
    """Every ``sources`` entry in a model tree, with its location."""
    for name in _citing_fields(type(model)):
        value = getattr(model, name)
        if name == "sources" and isinstance(value, tuple):
            for index, source_id in enumerate(value):
                yield (*loc, name, index), source_id
        elif isinstance(value, BaseModel):
            yield from _source_refs(value, (*loc, name))
        elif isinstance(value, tuple):
            for index, element in enumerate(value):
                if isinstance(element, BaseModel):
                    yield from _source_refs(element, (*loc, name, index))


def _cited_ids(model: BaseModel) -> set[str]:
    """Every source id cited in a model tree, without locations: the quick first pass."""
    ids: set[str] = set()
    stack = [model]
    pop, push = stack.pop, stack.append
    while stack:
        current = pop()
        fields = current.__dict__
        for name in _citing_fields(current.__class__):
            value = fields[name]
            if value is None:
                continue
            if name == "sources" and value.__class__ is tuple:
                ids.update(value)
            elif isinstance(value, BaseModel):
                push(value)
            elif value.__class__ is tuple:
                for element in value:
                    if isinstance(element, BaseModel):
                        push(element)
    return ids


@cache
def _citing_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The fields of ``model`` that are ``sources`` or may hold a model, in field order; the
    others (text, dates, enums) cannot hold a citation."""
    return tuple(
        name
        for name, info in model.model_fields.items()
        if name == "sources" or _may_hold_model(info.annotation)
    )


def _may_hold_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_model(arg) for arg in get_args(annotation))
