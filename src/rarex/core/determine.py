"""Decide, for each product, what each measure limb says about shipping it.

Three kinds of rule apply:

- **exports from China**: the product itself is a listed item (item-control announcements,
  the technology catalogue) and the instrument's policies by destination, end user and end
  use; plus the cross-cutting policies (all dual-use items to US or Japanese military users,
  Control List and Watch List parties);
- **the extraterritorial rule** (CN-2025-61) for exports from outside China: foreign-made
  Part II items with 0.1 % or more China-origin Part I content by value, Annex 1 items made with
  China-origin technology, and China-origin Annex 1 items; its denial and case-by-case policies
  and the humanitarian exemption;
- **listed parties**: an end user named on an entity list.

A finding counts for the outcome when its limb is in force, and for the worst case when its
limb is uncertain. A missing fact gives ``incomplete_data``, never a clean answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rarex.core.classify import Certainty, Classification, ItemMatch
from rarex.core.policy import applies
from rarex.core.rulebook import RuleBook, Snapshot
from rarex.core.schema import Instrument, Limb, Policy
from rarex.core.verdict import Finding, Shipment, Verdict, most_restrictive, verdict_of
from rarex.core.vocab import (
    CHINA,
    InstrumentKind,
    ItemRole,
    PolicyScope,
    Status,
    Verification,
    weakest,
)

DUAL_USE_KINDS = frozenset(
    {InstrumentKind.ITEM_CONTROL, InstrumentKind.CONTROL_LIST, InstrumentKind.TECHNOLOGY_CONTROL}
)
CHINA_EXPORT_KINDS = DUAL_USE_KINDS | {InstrumentKind.TECHNOLOGY_CATALOGUE}
SCOPE_INSTRUMENT, SCOPE_LIMB = "CN-DUAL-USE-REGULATION", "art2"  # what "export" covers
SHARE_TOLERANCE = 1e-9  # relative: a share that is exactly the threshold in decimals is caught


@dataclass(frozen=True)
class ProductFacts:
    """What the determination needs to know about one product (computed by the assessment)."""

    part_id: str
    classification: Classification
    origin: str | None
    unit_value: float | None
    content_share: float | None  # China-origin Part I content / unit value
    caught_below: bool  # the product contains (or is) a certain Part II item
    maybe_caught_below: bool  # ... or possibly does
    annex_tech_cn: bool  # an Annex 1 item in it was made with China-origin technology
    unknown_controlled: bool  # an input that is or may be controlled has unknown origin/value
    content_paths: tuple[tuple[str, ...], ...] = ()
    tech_paths: tuple[tuple[str, ...], ...] = ()
    caught_paths: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Screening:
    """The end user's listings: lists it is on (in force) and lists whose listing is unsure."""

    listed: frozenset[str] = frozenset()
    unsure: frozenset[str] = frozenset()
    own_limbs: frozenset[str] = frozenset()  # "LIST/limb" refs naming the end user, in force
    unsure_limbs: frozenset[str] = frozenset()


class Determiner:
    def __init__(
        self, rulebook: RuleBook, snapshot: Snapshot, shipment: Shipment, screening: Screening
    ) -> None:
        self.rulebook = rulebook
        self.snapshot = snapshot
        self.shipment = shipment
        self.screening = screening

    # ------------------------------------------------------------------ entry point

    def findings(self, product: ProductFacts) -> list[Finding]:
        found: list[Finding] = []
        origin_known = self.shipment.export_from is not None
        from_china = self.shipment.export_from == CHINA
        if from_china or not origin_known:
            found += self._china_export(product)
            found += self._listing_policies(product)  # PRC measures on trade with the party
        if not from_china:
            found += self._extraterritorial(product)
        if not origin_known:
            found = [self._conditional(f) for f in found]
            found.append(self._missing_export_country())
        return found

    # ------------------------------------------------------------------ exports from China

    def _china_export(self, product: ProductFacts) -> list[Finding]:
        out: list[Finding] = []
        by_limb: dict[tuple[str, str], list[ItemMatch]] = {}
        for match in product.classification.matches:
            inst = self.rulebook.instruments[match.instrument]
            if inst.kind not in CHINA_EXPORT_KINDS:
                continue
            for limb in inst.limbs:
                if limb.items is None or match.item in limb.items:
                    by_limb.setdefault((inst.id, limb.id), []).append(match)
        for (inst_id, limb_id), matches in by_limb.items():
            inst = self.rulebook.instruments[inst_id]
            out.append(self._item_finding(product, inst, _limb(inst, limb_id), matches))
        out += self._cross_cutting(product)
        return out

    def _item_finding(
        self, product: ProductFacts, inst: Instrument, limb: Limb, matches: list[ItemMatch]
    ) -> Finding:
        certain = [m for m in matches if m.certainty is Certainty.MATCH]
        items = "; ".join(m.reason for m in (certain or matches))
        verification = weakest([m.verification for m in matches] + [limb.verification])
        if not certain:
            return self._finding(
                inst,
                limb,
                Verdict.INCOMPLETE_DATA,
                f"{product.part_id} may be a controlled item, needs confirmation: {items}.",
                verification,
            )
        local = {m.item for m in certain}
        policies = [
            p
            for p in inst.policies
            if p.limb == limb.id
            and p.scope is PolicyScope.INSTRUMENT_ITEMS
            and (p.items is None or local & set(p.items))
        ]
        outcome, why, open_ = self._apply(policies, default=Verdict.LICENCE_REQUIRED)
        text = f"{product.part_id} is a listed item: {items}. {why}"
        if open_:
            text += f" Not decided: {open_}."
        return self._finding(
            inst, limb, outcome, text, verification, extra_sources=_policy_sources(policies)
        )

    def _cross_cutting(self, product: ProductFacts) -> list[Finding]:
        """Policies that reach beyond one instrument's items (country and list policies)."""
        out: list[Finding] = []
        for inst in self.rulebook.instruments.values():
            if inst.kind is InstrumentKind.ENTITY_LIST:
                continue  # their policies follow each listing: see _listing_policies
            for policy in inst.policies:
                if policy.scope is PolicyScope.INSTRUMENT_ITEMS:
                    continue
                in_scope, item_status = self._in_scope(policy, product)
                if in_scope is False:
                    continue
                result = applies(
                    policy, self.shipment, self.screening.listed, self.screening.unsure
                )
                if result.applies is False:
                    continue
                limb = _limb(inst, policy.limb)
                wanted = verdict_of(policy.outcome)
                if in_scope is None:
                    text = (
                        f"{product.part_id} may be a dual-use item (classification not "
                        f"confirmed); if it is: {policy.description}"
                    )
                    outcome = Verdict.INCOMPLETE_DATA
                elif result.applies is None:
                    if wanted in (Verdict.LICENCE_REQUIRED, Verdict.NO_LICENCE_REQUIRED):
                        continue
                    text = (
                        f"Could be {wanted.value} — {policy.description} Not given: "
                        f"{'; '.join(result.missing)}."
                    )
                    outcome = Verdict.INCOMPLETE_DATA
                else:
                    text = f"{policy.description} Applies: {', '.join(result.reasons) or 'all'}."
                    outcome = wanted
                out.append(self._policy_finding(inst, limb, policy, outcome, text, cap=item_status))
        return out

    def _item_status(self, match: ItemMatch) -> Status:
        """The most active status among the limbs that control the matched item."""
        inst = self.rulebook.instruments[match.instrument]
        statuses = [
            self.snapshot.limb(f"{inst.id}/{limb.id}").status
            for limb in inst.limbs
            if limb.items is None or match.item in limb.items
        ]
        return most_active(statuses)

    def _dual_use_matches(self, product: ProductFacts) -> list[ItemMatch]:
        return [
            m
            for m in product.classification.matches
            if self.rulebook.instruments[m.instrument].kind in DUAL_USE_KINDS
        ]

    def _in_scope(self, policy: Policy, product: ProductFacts) -> tuple[bool | None, Status]:
        """Whether the product is in the policy's scope, and how active the control of the
        item that puts it there is (a policy on dual-use items only bites while the item is
        itself controlled)."""
        if policy.scope is PolicyScope.ALL_GOODS:
            return True, Status.IN_FORCE
        if policy.scope is PolicyScope.ALL_DUAL_USE_ITEMS:
            matches = self._dual_use_matches(product)
        else:
            refs = policy.items or ()
            matches = [
                m
                for m in product.classification.matches
                if any(_ref_covers(ref, m) for ref in refs)
            ]
        certain = [m for m in matches if m.certainty is Certainty.MATCH]
        if certain:
            return True, most_active([self._item_status(m) for m in certain])
        if matches:
            return None, most_active([self._item_status(m) for m in matches])
        return False, Status.EXPIRED

    # ------------------------------------------------------------------ extraterritorial

    def _extraterritorial(self, product: ProductFacts) -> list[Finding]:
        out: list[Finding] = []
        for inst in self.rulebook.instruments.values():
            rule = inst.extraterritorial
            if rule is None:
                continue
            annex = {m for m in product.classification.matches if m.instrument == inst.id}
            annex_certain = [m for m in annex if m.certainty is Certainty.MATCH]
            roles = {_role(inst, m.item) for m in annex_certain}
            licence: list[Finding] = []
            # clause 1(1): the 0.1 % value rule on foreign-made Part II items
            limb = _limb(inst, rule.content_limb)
            threshold = float(rule.value_threshold.value)
            if product.caught_below or product.maybe_caught_below:
                licence.append(self._content_finding(inst, limb, product, threshold))
            # clause 1(2): Annex 1 items made with China-origin technology
            if product.annex_tech_cn:
                tech_limb = _limb(inst, rule.technology_limb)
                licence.append(
                    self._finding(
                        inst,
                        tech_limb,
                        Verdict.LICENCE_REQUIRED,
                        f"{product.part_id} contains or is an Annex 1 item made with China-origin "
                        f"rare-earth technology ({', '.join(r.value for r in rule.technologies)}).",
                        tech_limb.verification,
                        paths=product.tech_paths,
                    )
                )
            # clause 1(3): China-origin Annex 1 items
            if annex_certain:
                origin_limb = _limb(inst, rule.origin_limb)
                names = ", ".join(sorted(m.item for m in annex_certain))
                if product.origin == CHINA:
                    licence.append(
                        self._finding(
                            inst,
                            origin_limb,
                            Verdict.LICENCE_REQUIRED,
                            f"{product.part_id} is a China-origin Annex 1 item ({names}).",
                            origin_limb.verification,
                            paths=((product.part_id,),),
                        )
                    )
                elif product.origin is None:
                    licence.append(
                        self._finding(
                            inst,
                            origin_limb,
                            Verdict.INCOMPLETE_DATA,
                            f"{product.part_id} is an Annex 1 item ({names}) of unknown origin; "
                            "if China-origin, a licence is required.",
                            origin_limb.verification,
                        )
                    )
            if ItemRole.CAUGHT not in roles and not product.caught_below and not licence:
                continue
            out += self._policy_overlay(inst, licence)
        return out

    def _content_finding(
        self, inst: Instrument, limb: Limb, product: ProductFacts, threshold: float
    ) -> Finding:
        share = product.content_share
        shown = "unknown" if share is None else f"{share:.4%}"
        caught = (
            "contains or is an Annex 1 Part II item"
            if product.caught_below
            else "may contain an Annex 1 Part II item (classification not confirmed)"
        )
        base = (
            f"{product.part_id} {caught}; China-origin Part I content is {shown} of its "
            f"value against a threshold of {threshold:.1%} (inclusive)."
        )
        at_or_above = share is not None and share >= threshold * (1 - SHARE_TOLERANCE)
        if not product.caught_below:
            outcome, text = Verdict.INCOMPLETE_DATA, base
        elif at_or_above:
            # the known content is a lower bound: inputs of unknown origin can only add to it
            outcome, text = Verdict.LICENCE_REQUIRED, f"{base} At or above the threshold."
        elif product.unit_value is None or product.unknown_controlled:
            missing = (
                "the product's value"
                if product.unit_value is None
                else ("the origin, value or Part I content of a (possibly) controlled input")
            )
            outcome, text = Verdict.INCOMPLETE_DATA, f"{base} Missing: {missing}."
        else:
            outcome, text = Verdict.NO_LICENCE_REQUIRED, f"{base} Below the threshold."
        return self._finding(
            inst,
            limb,
            outcome,
            text,
            limb.verification,
            share=share,
            threshold=threshold,
            paths=product.content_paths or product.caught_paths,
        )

    def _policy_overlay(self, inst: Instrument, licence: list[Finding]) -> list[Finding]:
        """The instrument's own policies refine a licence requirement (denial, exemption)."""
        needs_licence = any(f.outcome is Verdict.LICENCE_REQUIRED for f in licence)
        may_need = any(f.outcome is Verdict.INCOMPLETE_DATA for f in licence)
        out = list(licence)
        if not (needs_licence or may_need):
            return out
        for policy in inst.policies:
            if policy.outcome.value == Verdict.LICENCE_REQUIRED.value:
                continue
            result = applies(policy, self.shipment, self.screening.listed, self.screening.unsure)
            if result.applies is False:
                continue
            limb = _limb(inst, policy.limb)
            wanted = verdict_of(policy.outcome)
            if result.applies is None:
                if wanted is Verdict.NO_LICENCE_REQUIRED:
                    continue
                outcome = Verdict.INCOMPLETE_DATA
                text = (
                    f"Could be {wanted.value} — {policy.description} Not given: "
                    f"{'; '.join(result.missing)}."
                )
            elif not needs_licence:
                if wanted is Verdict.NO_LICENCE_REQUIRED:
                    continue
                outcome = Verdict.INCOMPLETE_DATA
                text = (
                    f"If a licence is required: {wanted.value} — {policy.description} "
                    f"Applies: {', '.join(result.reasons)}."
                )
            else:
                outcome = wanted
                text = f"{policy.description} Applies: {', '.join(result.reasons)}."
            finding = self._policy_finding(inst, limb, policy, outcome, text)
            if wanted is Verdict.NO_LICENCE_REQUIRED and result.applies:
                # an exemption lifts the licence requirement while its own limb applies
                out = [_exempted(f, finding) for f in out]
            out.append(finding)
        return out

    # ------------------------------------------------------------------ listed parties

    def _listing_policies(self, product: ProductFacts) -> list[Finding]:
        """Policies of entity lists that apply to the parties of their own listing."""
        out: list[Finding] = []
        refs = self.screening.own_limbs | self.screening.unsure_limbs
        for ref in sorted(refs):
            list_id, _, limb_id = ref.partition("/")
            inst = self.rulebook.instruments[list_id]
            limb = _limb(inst, limb_id)
            for policy in inst.policies:
                if policy.limb != limb_id:
                    continue
                outcome = verdict_of(policy.outcome)
                text = (
                    f"The end user {self.shipment.end_user!r} is named in {list_id} "
                    f"({limb.title}). {policy.description}"
                )
                out.append(self._policy_finding(inst, limb, policy, outcome, text))
        return out

    # ------------------------------------------------------------------ helpers

    def _apply(self, policies: Sequence[Policy], default: Verdict) -> tuple[Verdict, str, str]:
        decided: list[Verdict] = []
        reasons: list[str] = []
        open_: list[str] = []
        for policy in policies:
            result = applies(policy, self.shipment, self.screening.listed, self.screening.unsure)
            if result.applies:
                decided.append(verdict_of(policy.outcome))
                reasons.append(policy.description)
            elif result.applies is None and policy.outcome.value != default.value:
                open_.append(f"{policy.description} (needs {'; '.join(result.missing)})")
        outcome = most_restrictive(decided) if decided else default
        return outcome, " ".join(reasons), "; ".join(open_)

    def _finding(
        self,
        inst: Instrument,
        limb: Limb,
        outcome: Verdict,
        text: str,
        verification: Verification,
        *,
        share: float | None = None,
        threshold: float | None = None,
        paths: Iterable[tuple[str, ...]] = (),
        extra_sources: Iterable[str] = (),
        cap: Status = Status.IN_FORCE,
    ) -> Finding:
        state = self.snapshot.limb(f"{inst.id}/{limb.id}")
        sources = tuple(dict.fromkeys((*limb.sources, *extra_sources)))
        status = state.status
        if state.status is not Status.IN_FORCE:
            text += (
                f" The limb is {state.status.value} as of {self.snapshot.as_of}: {state.reason}."
            )
        if ACTIVITY[cap] < ACTIVITY[status]:
            status = cap
            text += f" The control of the item itself is {cap.value} as of {self.snapshot.as_of}."
        return Finding(
            inst.id,
            limb.id,
            status,
            outcome,
            text,
            sources,
            weakest([verification, state.verification]),
            share,
            threshold,
            tuple(paths),
        )

    def _policy_finding(
        self,
        inst: Instrument,
        limb: Limb,
        policy: Policy,
        outcome: Verdict,
        text: str,
        cap: Status = Status.IN_FORCE,
    ) -> Finding:
        return self._finding(
            inst,
            limb,
            outcome,
            text,
            weakest([policy.verification, limb.verification]),
            extra_sources=policy.sources,
            cap=cap,
        )

    def _conditional(self, finding: Finding) -> Finding:
        extraterritorial = self.rulebook.instruments[finding.measure].extraterritorial
        prefix = (
            "If exported from outside China: " if extraterritorial else "If exported from China: "
        )
        return replace(finding, explanation=prefix + finding.explanation)

    def _missing_export_country(self) -> Finding:
        inst = self.rulebook.instruments[SCOPE_INSTRUMENT]
        limb = inst.limbs[0]
        for candidate in inst.limbs:
            if candidate.id == SCOPE_LIMB:
                limb = candidate
        finding = self._finding(
            inst,
            limb,
            Verdict.INCOMPLETE_DATA,
            "The country the shipment leaves from is not given (--export-from): exports from "
            "China and re-exports from elsewhere fall under different rules.",
            limb.verification,
        )
        return replace(finding, status=Status.IN_FORCE)  # a missing fact always counts


# How much a status lets a rule bite: in force, then uncertain, then the rest.
ACTIVITY: dict[Status, int] = {
    Status.IN_FORCE: 4,
    Status.UNCERTAIN: 3,
    Status.SUSPENDED: 2,
    Status.NOT_YET_IN_FORCE: 1,
    Status.EXPIRED: 0,
}


def most_active(statuses: Iterable[Status]) -> Status:
    return max(statuses, key=ACTIVITY.__getitem__, default=Status.EXPIRED)


def _limb(inst: Instrument, limb_id: str) -> Limb:
    for limb in inst.limbs:
        if limb.id == limb_id:
            return limb
    raise KeyError(f"{inst.id}/{limb_id}")


def _role(inst: Instrument, item_id: str) -> ItemRole | None:
    for item in inst.items:
        if item.id == item_id:
            return item.role
    return None


def _ref_covers(ref: str, match: ItemMatch) -> bool:
    inst_id, _, item_id = ref.partition("/")
    return inst_id == match.instrument and item_id in ("*", match.item)


def _policy_sources(policies: Sequence[Policy]) -> tuple[str, ...]:
    return tuple(s for p in policies for s in p.sources)


def _exempted(finding: Finding, exemption: Finding) -> Finding:
    if finding.outcome is not Verdict.LICENCE_REQUIRED:
        return finding
    return replace(
        finding,
        outcome=Verdict.NO_LICENCE_REQUIRED,
        explanation=finding.explanation + f" Exempt under {exemption.ref}: humanitarian end "
        "use (report the export to MOFCOM).",
    )
